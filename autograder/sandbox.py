"""Run student code in a separate, limited process and collect what it returned.

With bubblewrap (`bwrap`) on the machine, the probe sees only a copy of the submission's three
files, the Python runtime and numpy, all read-only; it gets a private, size-bounded /tmp, no
network, an empty environment, its own process namespace and an unprivileged user id. Without
bubblewrap, the probe is a plain subprocess with the same resource limits, and the result says that
isolation was reduced. See docs/THREAT_MODEL.md for what each mode promises.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import layout, wire_format

PACKAGE_DIR = Path(__file__).resolve().parent
RUNNER_FILES = ("__init__.py", "wire_format.py", "probe_runner.py")
MAX_SOURCE_BYTES = 1_000_000
TOKEN_VARIABLE = "AUTOGRADER_PROBE"
SANDBOX_UID = "65534"  # nobody


@dataclass(frozen=True)
class Limits:
    """Resource limits of one probe process and everything it starts."""

    call_seconds: float = (
        4.0  # watchdog: longest silence between two outcomes (each call has its own alarm too)
    )
    startup_seconds: float = 10.0
    memory_bytes: int = 2 * 1024**3  # address space
    file_bytes: int = 64 * 1024**2  # largest file it may write, and the size of its private /tmp
    open_files: int = 256
    extra_processes: int = 64  # processes it may start beyond those its user already runs


class SandboxError(RuntimeError):
    """The sandbox itself failed to start: a problem of the grading machine, not of the student."""


@dataclass(frozen=True)
class ProbeRun:
    """Raw outcomes by call id (values still wire-encoded), and how the probe was isolated."""

    outcomes: dict[str, dict[str, Any]]
    isolation: str
    restarts: int
    notes: tuple[str, ...] = ()


Command = Callable[[Path, Path, int, Limits, str], list[str]]


def bubblewrap_available() -> bool:
    return shutil.which("bwrap") is not None and os.environ.get("AUTOGRADER_SANDBOX", "") != "none"


def unusable_reason(source: Path) -> str | None:
    """Why a submitted file cannot be run, or None (a missing file is not 'unusable')."""
    if source.is_symlink():
        return "it is a symbolic link"
    if not source.exists():
        return None
    if not source.is_file():
        return "it is not a regular file"
    if source.stat().st_size > MAX_SOURCE_BYTES:
        return f"it is larger than {MAX_SOURCE_BYTES} bytes"
    try:
        source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return f"it is not UTF-8 text (byte {error.start})"
    return None


def stage_submission(submission: Path, target: Path) -> list[str]:
    """Copy the exercise files into `target`; return notes on any file that was not used.

    A file that cannot be used is replaced by one line raising ImportError with the reason, so
    the checks that need it fail saying why.
    """
    target.mkdir(parents=True)
    notes = []
    for name in layout.EXERCISE_MODULES:
        source = submission / f"{name}.py"
        reason = unusable_reason(source)
        if reason is not None:
            message = f"{name}.py was not used: {reason}"
            notes.append(message)
            (target / source.name).write_text(f"raise ImportError({message!r})\n", encoding="utf-8")
        elif source.is_file():
            shutil.copyfile(source, target / source.name)
    return notes


def stage_runner(target: Path) -> Path:
    package = target / "autograder"
    package.mkdir(parents=True)
    for name in RUNNER_FILES:
        text = "" if name == "__init__.py" else (PACKAGE_DIR / name).read_text(encoding="utf-8")
        (package / name).write_text(text, encoding="utf-8")
    return package / "probe_runner.py"


def make_readable(top: Path) -> None:
    """Folders 0755 and files 0644 under `top`, for the unprivileged probe."""
    top.chmod(0o755)
    for path in top.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [d for d in (package, package.parent / "numpy.libs") if d.is_dir()]


def bubblewrap_sandbox(runner: Path, binds: list[str], limits: Limits, token: str) -> list[str]:
    """The `bwrap ...` prefix: runtime, numpy and runner read-only, `binds` as given, private /tmp,
    no network, an empty environment."""
    command = ["bwrap", "--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        if Path(f"/{link}").is_symlink():
            command += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif Path(f"/{link}").is_dir():
            command += ["--ro-bind", f"/{link}", f"/{link}"]
    # bubblewrap makes missing parent folders 0700: make them 0755 so the unprivileged probe can pass.
    for parent in [*reversed(Path(sys.base_prefix).parents), Path("/opt/site"), Path("/opt/probe")]:
        if str(parent) not in ("/", "/usr"):
            command += ["--perms", "0755", "--dir", str(parent)]
    command += ["--ro-bind", sys.base_prefix, sys.base_prefix]
    for directory in numpy_dirs():
        command += ["--ro-bind", str(directory), f"/opt/site/{directory.name}"]
    command += ["--ro-bind", str(runner.parent), "/opt/probe/autograder", *binds]
    command += ["--perms", "1777", "--size", str(limits.file_bytes), "--tmpfs", "/tmp"]
    command += ["--proc", "/proc", "--dev", "/dev"]
    if os.geteuid() == 0:
        # No user namespace: it would map the probe to root outside, which RLIMIT_NPROC exempts.
        # The runner drops to nobody itself, with these capabilities and then none.
        namespaces = "--unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try"
        command += [
            *namespaces.split(),
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "--cap-add",
            "CAP_KILL",
            "--cap-add",
            "CAP_DAC_OVERRIDE",
            "--cap-add",
            "CAP_FOWNER",
        ]
    else:
        command += ["--unshare-all", "--unshare-user", "--uid", SANDBOX_UID, "--gid", SANDBOX_UID]
        command += ["--disable-userns"]
    command += ["--die-with-parent", "--new-session", "--clearenv", "--setenv", "HOME", "/tmp"]
    command += ["--setenv", "LANG", "C.UTF-8", "--setenv", TOKEN_VARIABLE, token, "--chdir", "/tmp"]
    return [*command, os.path.realpath(sys.executable), "-I", "-B"]


RUNNER_PATH = "/opt/probe/autograder/probe_runner.py"


def bubblewrap_command(runner: Path, staged: Path, result_fd: int, limits: Limits, token: str) -> list[str]:
    sandbox = bubblewrap_sandbox(runner, ["--ro-bind", str(staged), "/submission"], limits, token)
    return [*sandbox, RUNNER_PATH, "/submission", str(result_fd), "/opt/site"]


def namespaces_available() -> bool:
    """Without bubblewrap, root can still give the probe its own pid and network namespace."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def plain_command(runner: Path, staged: Path, result_fd: int, limits: Limits, token: str) -> list[str]:
    command = [sys.executable, "-I", "-B", str(runner), str(staged), str(result_fd)]
    if namespaces_available():
        # A root probe with no pid namespace could signal every process on the machine.
        return [
            "unshare",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--net",
            "--ipc",
            "--uts",
            "--",
            *command,
        ]
    return command


def isolation_summary(use_bwrap: bool) -> str:
    if use_bwrap:
        return "bubblewrap"
    if namespaces_available():
        return "reduced: no bubblewrap; own pid and network namespaces (unshare), the file system is visible"
    return "reduced: plain subprocess, no bubblewrap"


def running_processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


def resource_limits(limits: Limits, cpu_seconds: int) -> dict[str, int]:
    """The rlimits of a probe, by `resource` name (the warm runner applies them in each child)."""
    # RLIMIT_NPROC counts every process of the user the student code runs as (nobody when the
    # grader is root), so the bound is relative to what that user runs now.
    student_uid = int(SANDBOX_UID) if os.getuid() == 0 else os.getuid()
    return {
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_CPU": cpu_seconds,
        "RLIMIT_FSIZE": limits.file_bytes,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_CORE": 0,
        "RLIMIT_NPROC": running_processes_of(student_uid) + limits.extra_processes,
    }


def limit_resources(limits: Limits, cpu_seconds: int) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    for name, value in resource_limits(limits, cpu_seconds).items():
        resource.setrlimit(getattr(resource, name), (value, value))


def processes_carrying(token: str) -> list[int]:
    """Every process whose environment holds the probe's token: the probe and all it started
    (one that clears its environment escapes this net; bubblewrap's pid namespace still ends it)."""
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry.name}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.append(int(entry.name))
    return found


def end_everything(process: subprocess.Popen[bytes], token: str) -> None:
    """Kill the probe, its process group, and any straggler that left the group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pid in processes_carrying(token):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def read_outcomes(raw: bytes) -> list[dict[str, Any]]:
    """The well-formed outcomes in a result file; blank, cut-off or malformed lines are dropped."""
    outcomes = []
    for line in raw.split(b"\n"):
        outcome = wire_format.parse_outcome(line)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def run_probe_once(
    command_for: Command,
    runner: Path,
    staged: Path,
    calls: Sequence[dict[str, Any]],
    limits: Limits,
    scratch: Path,
) -> tuple[list[dict[str, Any]], str]:
    """One probe process over `calls`; returns the outcomes it wrote and how it ended.

    The watchdog expects a new outcome line at least every `call_seconds` (after `startup_seconds`
    for the first); a probe that falls silent longer is killed, whatever it does with signals.
    """
    token = uuid.uuid4().hex
    results_path = scratch / f"results-{time.monotonic_ns()}.jsonl"
    with open(results_path, "w+b") as results:
        fd = results.fileno()
        process = subprocess.Popen(
            command_for(runner, staged, fd, limits, token),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,  # the runner points fd 2 at /dev/null before any student code runs
            pass_fds=(fd,),
            cwd=scratch,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", TOKEN_VARIABLE: token},
            preexec_fn=lambda: limit_resources(limits, int(limits.startup_seconds + 60 * len(calls))),
        )
        ending = watch(process, json.dumps({"calls": list(calls)}).encode(), results_path, limits, len(calls))
        end_everything(process, token)
        startup_errors = process.stderr.read(4096) if process.stderr else b""
        if ending == "finished":
            ending = f"exited with code {process.returncode}"
        results.seek(0)
        outcomes = read_outcomes(results.read(limits.file_bytes))
    if startup_errors.strip() and not outcomes:
        first = startup_errors.decode("utf-8", errors="replace").strip().splitlines()[0][:300]
        raise SandboxError(f"the probe could not start: {first}")
    return outcomes, ending


def watch(
    process: subprocess.Popen[bytes], plan: bytes, results_path: Path, limits: Limits, calls: int
) -> str:
    """Feed the plan, then wait while the probe keeps writing outcomes; 'finished' or why it was cut."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write(plan)
        process.stdin.close()
    started, offset, outcomes = time.monotonic(), 0, 0
    deadline = started + limits.startup_seconds
    hard_stop = started + limits.startup_seconds + limits.call_seconds * max(1, calls)
    while process.poll() is None:
        now = time.monotonic()
        more, offset = wire_format.complete_outcomes(str(results_path), offset)
        if more:  # progress is a new well-formed outcome, not any write (a student can write too)
            outcomes, deadline = outcomes + more, now + limits.call_seconds
        if now > deadline or now > hard_stop:
            return "ran past its time limit"
        if results_path.stat().st_size > limits.file_bytes:
            return "wrote more than its output limit"
        time.sleep(0.01)
    return "finished"


def in_plan_order(written: Sequence[dict[str, Any]], calls: Sequence[dict[str, Any]]) -> bool:
    return len(written) <= len(calls) and all(
        outcome["id"] == call["id"] for outcome, call in zip(written, calls, strict=False)
    )


RunOnce = Callable[[Sequence[dict[str, Any]]], tuple[list[dict[str, Any]], str]]


def collect(
    calls: Sequence[dict[str, Any]], run_once: RunOnce
) -> tuple[dict[str, dict[str, Any]], int, list[str]]:
    """Run the calls through fresh probes until each has an outcome. A call that crashes or hangs
    its probe fails, with every other call of the same function; a fresh probe carries on."""
    outcomes: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    restarts = 0
    remaining = list(calls)
    while remaining:
        written, ending = run_once(remaining)
        if not in_plan_order(written, remaining):
            # Outcomes come one per call, in the plan's order: anything else was written by the
            # student's code, so nothing this probe reported can be trusted.
            message = "the submission wrote to the grader's result channel; its results were discarded"
            for call in remaining:
                outcomes[call["id"]] = failure(call, message)
            notes.append(message)
            break
        outcomes.update((outcome["id"], outcome) for outcome in written)
        remaining = remaining[len(written) :]
        if remaining:
            culprit = (remaining[0]["module"], remaining[0]["name"])
            for call in remaining:
                if (call["module"], call["name"]) == culprit:
                    outcomes[call["id"]] = failure(call, f"the probe {ending} during a call of {culprit[1]}")
            remaining = [call for call in remaining if call["id"] not in outcomes]
            restarts += 1
    return outcomes, restarts, notes


def failure(call: dict[str, Any], message: str) -> dict[str, Any]:
    return {
        "id": call["id"],
        "ok": False,
        "error": {"type": "ProbeFailure", "message": message, "traceback": ""},
    }


def probe_submission(
    submission: Path,
    calls: Sequence[dict[str, Any]],
    limits: Limits | None = None,
    sandbox: bool | None = None,
) -> ProbeRun:
    """Run every call against the submission in a fresh probe process (see `collect`)."""
    limits = limits or Limits()
    use_bwrap = bubblewrap_available() if sandbox is None else sandbox
    command_for: Command = bubblewrap_command if use_bwrap else plain_command
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch_name:
        scratch = Path(scratch_name)
        staged = scratch / "submission"
        notes = stage_submission(submission, staged)
        runner = stage_runner(scratch / "runner")
        make_readable(scratch)  # the student code runs as nobody

        def run_once(remaining: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
            return run_probe_once(command_for, runner, staged, remaining, limits, scratch)

        outcomes, restarts, more_notes = collect(calls, run_once)
    return ProbeRun(outcomes, isolation_summary(use_bwrap), restarts, tuple(notes + more_notes))


class WarmSandbox:
    """One long-lived bubblewrap sandbox per grading worker, with numpy already imported: each
    submission runs in a fresh child forked inside it, as nobody, with its own limits; after each,
    the sandbox kills every process the child left and empties /tmp. Grading a class this way skips
    the interpreter start-up per submission; the isolation is the same as a cold probe's, with one
    exception stated in docs/THREAT_MODEL.md (the child shares the sandbox's pid namespace, which
    holds nothing but the warm runner and the child's own processes)."""

    def __init__(self, limits: Limits | None = None) -> None:
        if os.geteuid() != 0 or not bubblewrap_available():
            raise SandboxError("a warm sandbox needs bubblewrap and root (it drops to nobody per child)")
        self.limits = limits or Limits()
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

    def run_once(
        self, folder: Path, token: str, calls: Sequence[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], str]:
        request = {
            "token": token,
            "calls": list(calls),
            "rlimits": self.rlimits(),
            "startup_seconds": self.limits.startup_seconds,
            "call_seconds": self.limits.call_seconds,
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

    def probe(self, submission: Path, calls: Sequence[dict[str, Any]]) -> ProbeRun:
        """Grade one submission; threads sharing this sandbox take turns (one child at a time)."""
        with self._turn:
            return self._probe(submission, calls)

    def _probe(self, submission: Path, calls: Sequence[dict[str, Any]]) -> ProbeRun:
        token = uuid.uuid4().hex
        folder = self.staging / token
        notes = stage_submission(submission, folder)
        make_readable(folder)
        try:
            outcomes, restarts, more_notes = collect(
                calls, lambda remaining: self.run_once(folder, token, remaining)
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return ProbeRun(outcomes, "bubblewrap (warm)", restarts, tuple(notes + more_notes))

    def _stderr(self) -> str:
        self.close()
        raw = self.process.stderr.read(2000) if self.process.stderr else b""
        return raw.decode("utf-8", errors="replace").strip() or f"exit code {self.process.returncode}"

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._scratch.cleanup()


def warm_command(runner: Path, staging: Path, results: Path, limits: Limits) -> list[str]:
    """The warm runner: the staging folder (one submission at a time) read-only, results writable.
    It also holds CAP_SYS_ADMIN, to give each child a fresh IPC namespace before dropping to nobody."""
    binds = ["--ro-bind", str(staging), "/staging", "--bind", str(results), "/results"]
    sandbox = bubblewrap_sandbox(runner, binds, limits, uuid.uuid4().hex)
    sandbox[1:1] = ["--cap-add", "CAP_SYS_ADMIN"]
    return [*sandbox, RUNNER_PATH, "--serve", "/staging", "/results", "/opt/site"]
