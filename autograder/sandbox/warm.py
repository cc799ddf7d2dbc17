"""A long-lived bubblewrap sandbox that runs one submission after another in fresh children."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path

from autograder.sandbox.cold import Call, Outcome, ProbeRun, SandboxError, collect, read_outcomes
from autograder.sandbox.commands import bubblewrap_available, warm_command
from autograder.sandbox.limits import Limits, resource_limits
from autograder.sandbox.staging import make_readable, stage_runner, stage_submission


class WarmSandbox:
    """One long-lived bubblewrap sandbox per grading worker, with numpy already imported: each
    submission runs in a fresh child forked inside it, as nobody, with its own limits; after each,
    the sandbox kills every process the child left and empties /tmp. Grading a class this way skips
    the interpreter start-up per submission; the isolation is the same as a cold probe's, with one
    exception stated in docs/THREAT_MODEL.md (the child shares the sandbox's pid namespace, which
    holds nothing but the warm runner and the child's own processes)."""

    def __init__(self, limits: Limits) -> None:
        if os.geteuid() != 0 or not bubblewrap_available():
            raise SandboxError("a warm sandbox needs bubblewrap and root (it drops to nobody per child)")
        self.limits = limits
        self._turn = threading.Lock()
        self._scratch = tempfile.TemporaryDirectory(prefix="autograder-warm-")
        root = Path(self._scratch.name)
        self.staging, self.results = root / "staging", root / "results"
        self.staging.mkdir()
        self.results.mkdir()
        runner = stage_runner(root / "runner")
        make_readable(root)
        self.results.chmod(0o711)  # nobody may not create files here; its own results fd is open
        command = warm_command(runner, self.staging, self.results, self.limits)
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=os.setsid,
        )

    def rlimits(self) -> dict[str, int]:
        return resource_limits(self.limits, int(self.limits.startup_seconds + 60))

    def run_once(self, folder: Path, token: str, calls: Sequence[Call]) -> tuple[list[Outcome], str]:
        """One child over `calls` (the runner finds the submission under the staging folder by
        `token`); the outcomes it wrote and how it ended."""
        request = {
            "token": token,
            "calls": list(calls),
            "rlimits": self.rlimits(),
            "startup_seconds": self.limits.startup_seconds,
            "quiet_seconds": self.limits.quiet_seconds,
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except BrokenPipeError:
            answer = b""
        if not answer:
            raise SandboxError("the warm sandbox stopped: " + self._stderr())
        ending = str(json.loads(answer)["ending"])
        results = self.results / f"{token}.jsonl"
        with results.open("rb") as source:
            outcomes = read_outcomes(source.read(self.limits.file_bytes))
        results.unlink()
        return outcomes, ending

    def probe(self, submission: Path, calls: Sequence[Call], modules: Sequence[str]) -> ProbeRun:
        """Grade one submission; threads sharing this sandbox take turns (one child at a time)."""
        with self._turn:
            return self._probe(submission, calls, modules)

    def _probe(self, submission: Path, calls: Sequence[Call], modules: Sequence[str]) -> ProbeRun:
        token = uuid.uuid4().hex
        folder = self.staging / token
        try:
            unusable = stage_submission(submission, folder, modules)
            make_readable(folder)
            outcomes, restarts, notes = collect(
                calls,
                lambda remaining: self.run_once(folder, token, remaining),
                self.limits.submission_seconds,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return ProbeRun(outcomes, "bubblewrap (warm)", restarts, tuple(notes), unusable)

    def _stderr(self) -> str:
        self.close()
        raw = self.process.stderr.read(2000) if self.process.stderr else b""
        return raw.decode("utf-8", errors="replace").strip() or f"exit code {self.process.returncode}"

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._scratch.cleanup()
