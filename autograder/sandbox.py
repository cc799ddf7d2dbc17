"""Run student code in a separate, limited process and collect what it returned.

With bubblewrap (`bwrap`) on the machine, the probe sees only a copy of the submission's files,
the Python runtime and numpy, all read-only, with a private /tmp, no network, a fresh environment
and its own process namespace. Without it, the probe is a plain subprocess with the same resource
limits, and the result says that isolation was reduced.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import layout

PACKAGE_DIR = Path(__file__).resolve().parent
RUNNER_FILES = ("__init__.py", "wire_format.py", "probe_runner.py")
MAX_SOURCE_BYTES = 1_000_000


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 5.0
    startup_seconds: float = 10.0
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 64 * 1024**2
    open_files: int = 256


@dataclass(frozen=True)
class ProbeRun:
    """Raw outcomes by call id (still wire-encoded values), and how the probe was isolated."""

    outcomes: dict[str, dict[str, Any]]
    isolation: str
    restarts: int


def bubblewrap_available() -> bool:
    return shutil.which("bwrap") is not None and os.environ.get("AUTOGRADER_SANDBOX", "") != "none"


def stage_submission(submission: Path, target: Path) -> list[str]:
    """Copy the exercise files (regular files only, bounded size) into `target`; return notes."""
    target.mkdir(parents=True)
    notes = []
    for name in layout.EXERCISE_MODULES:
        source = submission / f"{name}.py"
        if source.is_symlink():
            notes.append(f"{name}.py is a symbolic link; it was not used")
        elif source.is_file():
            if source.stat().st_size > MAX_SOURCE_BYTES:
                notes.append(f"{name}.py is larger than {MAX_SOURCE_BYTES} bytes; it was not used")
            else:
                shutil.copyfile(source, target / source.name)
    return notes


def stage_runner(target: Path) -> Path:
    package = target / "autograder"
    package.mkdir(parents=True)
    for name in RUNNER_FILES:
        text = "" if name == "__init__.py" else (PACKAGE_DIR / name).read_text(encoding="utf-8")
        (package / name).write_text(text, encoding="utf-8")
    return package / "probe_runner.py"


def numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [d for d in (package, package.parent / "numpy.libs") if d.is_dir()]


def bubblewrap_command(runner: Path, staged: Path, result_fd: int) -> list[str]:
    python = os.path.realpath(sys.executable)
    command = ["bwrap", "--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        if Path(f"/{link}").is_symlink():
            command += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif Path(f"/{link}").is_dir():
            command += ["--ro-bind", f"/{link}", f"/{link}"]
    command += ["--ro-bind", sys.base_prefix, sys.base_prefix]
    for directory in numpy_dirs():
        command += ["--ro-bind", str(directory), f"/opt/site/{directory.name}"]
    command += ["--ro-bind", str(runner.parent), "/opt/probe/autograder"]
    command += ["--ro-bind", str(staged), "/submission"]
    command += [
        "--tmpfs",
        "/tmp",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--chdir",
        "/tmp",
    ]
    return [
        *command,
        python,
        "-I",
        "-B",
        "/opt/probe/autograder/probe_runner.py",
        "/submission",
        str(result_fd),
        "/opt/site",
    ]


def plain_command(runner: Path, staged: Path, result_fd: int) -> list[str]:
    return [sys.executable, "-I", "-B", str(runner), str(staged), str(result_fd)]


def limit_resources(limits: Limits, cpu_seconds: int) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_probe_once(
    command_for: Any,
    runner: Path,
    staged: Path,
    calls: Sequence[dict[str, Any]],
    limits: Limits,
    scratch: Path,
) -> tuple[list[dict[str, Any]], str]:
    """One probe process over `calls`; returns the outcomes it wrote and how it ended."""
    results_path = scratch / f"results-{time.monotonic_ns()}.jsonl"
    wall = limits.startup_seconds + limits.call_seconds * len(calls)
    with open(results_path, "w+b") as results:
        fd = results.fileno()
        plan = json.dumps({"calls": list(calls)}).encode()
        process = subprocess.Popen(
            command_for(runner, staged, fd),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(fd,),
            cwd=scratch,
            env={"PATH": "/usr/bin:/bin"},
            preexec_fn=lambda: limit_resources(limits, int(wall) + 1),
        )
        ending = "finished"
        try:
            process.communicate(plan, timeout=wall)
        except subprocess.TimeoutExpired:
            ending = "timed out"
        finally:
            kill_group(process)
        if ending == "finished":
            ending = f"exited with code {process.returncode}"
        results.seek(0)
        raw = results.read(limits.file_bytes)
    outcomes = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            outcome = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(outcome, dict) and isinstance(outcome.get("id"), str):
            outcomes.append(outcome)
    return outcomes, ending


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the probe and everything it started (it leads its own session)."""
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def probe_submission(
    submission: Path,
    calls: Sequence[dict[str, Any]],
    limits: Limits | None = None,
    sandbox: bool | None = None,
) -> ProbeRun:
    """Run every call against the submission. A call that crashes or hangs the probe gets an error
    outcome, and a fresh probe carries on with the calls after it."""
    limits = limits or Limits()
    use_bwrap = bubblewrap_available() if sandbox is None else sandbox
    isolation = "bubblewrap" if use_bwrap else "reduced: plain subprocess (bubblewrap not available)"
    command_for = bubblewrap_command if use_bwrap else plain_command
    outcomes: dict[str, dict[str, Any]] = {}
    restarts = 0
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch_name:
        scratch = Path(scratch_name)
        staged = scratch / "submission"
        notes = stage_submission(submission, staged)
        runner = stage_runner(scratch / "runner")
        remaining = [call for call in calls]
        while remaining:
            written, ending = run_probe_once(command_for, runner, staged, remaining, limits, scratch)
            wanted = {call["id"] for call in remaining}
            for outcome in written:
                if outcome["id"] in wanted and outcome["id"] not in outcomes:
                    outcomes[outcome["id"]] = outcome
            remaining = [call for call in remaining if call["id"] not in outcomes]
            if remaining:
                culprit = remaining[0]
                # The same function would end the next probe the same way: fail its calls now.
                same = [
                    call
                    for call in remaining
                    if (call["module"], call["name"]) == (culprit["module"], culprit["name"])
                ]
                for call in same:
                    outcomes[call["id"]] = {
                        "id": call["id"],
                        "ok": False,
                        "error": {
                            "type": "ProbeFailure",
                            "message": f"the probe {ending} during a call of {culprit['name']}",
                            "traceback": "",
                        },
                    }
                remaining = [call for call in remaining if call["id"] not in outcomes]
                restarts += 1
    if notes:
        isolation += "; " + "; ".join(notes)
    return ProbeRun(outcomes=outcomes, isolation=isolation, restarts=restarts)
