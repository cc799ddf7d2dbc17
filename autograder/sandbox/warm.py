"""A long-lived bubblewrap sandbox that runs one submission after another in fresh children."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder.sandbox.commands import bubblewrap_available, warm_command
from autograder.sandbox.limits import Limits, resource_limits
from autograder.sandbox.probe_run import Call, Outcome, ProbeRun, SandboxError
from autograder.sandbox.staging import make_readable, stage_runner, stage_submission

MAX_KNOWN_CALLS = 4096  # plan entries the runner holds at once (a class's plan has a few dozen)
LEARN_SECONDS = 60.0  # for the runner to take a plan in
ANSWER_MARGIN_SECONDS = 15.0  # past a child's hard stop: the runner's cleanup (5 s at most) and slack


class WarmSandbox:
    """One long-lived bubblewrap sandbox per grading worker, with numpy already imported: each
    submission runs in a fresh child forked inside it, as nobody, with its own limits; after each,
    the sandbox kills every process the child left and empties /tmp. Grading a class this way skips
    the interpreter start-up per submission; the isolation is the same as a cold probe's, with one
    exception stated in docs/THREAT_MODEL.md (the child shares the sandbox's pid namespace, which
    holds nothing but the warm runner and the child's own processes)."""

    def __init__(self, limits: Limits | None = None) -> None:
        """`limits` None: a sandbox started before the grader is loaded (its Python and numpy start
        meanwhile); `limits` must be set to the grader's before the first submission."""
        if os.geteuid() != 0 or not bubblewrap_available():
            raise SandboxError("a warm sandbox needs bubblewrap and root (it drops to nobody per child)")
        self.limits = limits
        self._turn = threading.Lock()
        self._handles: dict[int, tuple[str, Call]] = {}  # by id() of a plan entry: its handle, itself
        self._scratch = tempfile.TemporaryDirectory(prefix="autograder-warm-")
        root = Path(self._scratch.name)
        self.staging, self.results = root / "staging", root / "results"
        self.staging.mkdir()
        self.results.mkdir()
        runner = stage_runner(root / "runner")
        make_readable(root)
        self.results.chmod(0o711)  # nobody may not create files here; its own results fd is open
        # The command takes only the size bounds, which the rubric does not set.
        command = warm_command(runner, self.staging, self.results, limits or Limits(0.0, 0.0, 0.0))
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=os.setsid,
        )

    def timed(self) -> Limits:
        if self.limits is None:
            raise SandboxError("the warm sandbox was given no time limits (the grader's) before grading")
        return self.limits

    def rlimits(self) -> dict[str, int]:
        return resource_limits(self.timed(), int(self.timed().startup_seconds + 60))

    def run_once(
        self, folder: Path, token: str, calls: Sequence[Call], seconds: dict[str, float] | None = None
    ) -> tuple[list[Outcome], str]:
        """One child over `calls` (the runner finds the submission under the staging folder by
        `token`); the outcomes it wrote and how it ended. Adds the runner's own times to `seconds`."""
        from autograder.sandbox.cold import read_outcomes  # the wire format: numpy, loaded by now

        started, cpu = time.perf_counter(), time.thread_time()
        handles = self._handles_of(calls)
        limits = self.timed()
        answer = self._ask(
            {
                "token": token,
                "calls": handles,
                "rlimits": self.rlimits(),
                "startup_seconds": limits.startup_seconds,
                "quiet_seconds": limits.quiet_seconds,
            },
            # the runner's own hard stop for the child, then its cleanup's bound, and a margin
            limits.startup_seconds + limits.quiet_seconds * max(1, len(handles)) + ANSWER_MARGIN_SECONDS,
        )
        ending = str(answer["ending"])
        results = self.results / f"{token}.jsonl"
        with results.open("rb") as source:
            outcomes = read_outcomes(source.read(self.timed().file_bytes))
        results.unlink()
        if seconds is not None:
            spent = {"probe": time.perf_counter() - started, "probe_cpu": time.thread_time() - cpu}
            for stage, value in {**answer.get("seconds", {}), **spent}.items():
                seconds[stage] = seconds.get(stage, 0.0) + float(value)
        return outcomes, ending

    def _handles_of(self, calls: Sequence[Call]) -> list[str]:
        """The runner's handles for `calls`, teaching it those it does not hold yet: a class's plan
        crosses into the sandbox once, not once per submission. A plan entry is known by identity
        (the grader prepares its plan once and never changes it); the entries are kept here, so
        an identity is never reused while the runner holds it."""
        new = [call for call in calls if id(call) not in self._handles]
        fresh = len(self._handles) + len(new) > MAX_KNOWN_CALLS
        if fresh:  # the runner forgets everything it held, and learns only these calls
            self._handles.clear()
            new = list({id(call): call for call in calls}.values())
        if new:
            lessons = {}
            for call in new:
                handle = str(len(self._handles))
                self._handles[id(call)] = (handle, call)
                lessons[handle] = call
            self._ask({"learn": lessons, "fresh": fresh})
        return [self._handles[id(call)][0] for call in calls]

    def _ask(self, request: dict[str, Any], seconds: float = LEARN_SECONDS) -> dict[str, Any]:
        """One request line to the runner, and its answer line, within `seconds`: a runner that
        does not answer in time (whatever a submission did to it) is ended, and the caller told."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            answer = self._answer_line(time.monotonic() + seconds)
        except BrokenPipeError:
            answer = b""
        if answer is None:
            self.close()
            raise SandboxError(f"the warm sandbox did not answer within {seconds:g} s; it was ended")
        if not answer:
            raise SandboxError("the warm sandbox stopped: " + self._stderr())
        decoded: dict[str, Any] = json.loads(answer)
        return decoded

    def _answer_line(self, deadline: float) -> bytes | None:
        """The runner's next line (b"" if it closed its output first), or None past `deadline`.
        Read from the descriptor itself: a buffered reader would wait for a whole line unbounded."""
        assert self.process.stdout is not None
        fd, line = self.process.stdout.fileno(), bytearray()
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b""
            line += chunk
        return bytes(line)

    def probe(self, submission: Path, calls: Sequence[Call], modules: Sequence[str]) -> ProbeRun:
        """Grade one submission; threads sharing this sandbox take turns (one child at a time)."""
        with self._turn:
            return self._probe(submission, calls, modules)

    def _probe(self, submission: Path, calls: Sequence[Call], modules: Sequence[str]) -> ProbeRun:
        from autograder.sandbox.cold import collect

        token = uuid.uuid4().hex
        folder = self.staging / token
        started = time.thread_time()  # processor time: staging is the grader's own work
        seconds: dict[str, float] = {}
        try:
            unusable = stage_submission(submission, folder, modules)
            make_readable(folder)
            seconds["staging"] = time.thread_time() - started
            outcomes, restarts, notes = collect(
                calls,
                lambda remaining: self.run_once(folder, token, remaining, seconds),
                self.timed().submission_seconds,
            )
        finally:
            removing = time.thread_time()
            shutil.rmtree(folder, ignore_errors=True)
            seconds["staging"] = seconds.get("staging", 0.0) + time.thread_time() - removing
        return ProbeRun(outcomes, "bubblewrap (warm)", restarts, tuple(notes), unusable, seconds)

    def _stderr(self) -> str:
        self.close()
        raw = self.process.stderr.read(2000) if self.process.stderr else b""
        return raw.decode("utf-8", errors="replace").strip() or f"exit code {self.process.returncode}"

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._scratch.cleanup()
