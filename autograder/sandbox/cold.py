"""The one-shot probe: a fresh process per submission (and per crash), watched from outside."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from autograder.probe import wire_format
from autograder.sandbox.commands import (
    TOKEN_VARIABLE,
    Command,
    bubblewrap_available,
    bubblewrap_command,
    isolation_summary,
    plain_command,
)
from autograder.sandbox.limits import Limits, limit_resources
from autograder.sandbox.probe_run import Call, Outcome, ProbeRun, RunOnce, SandboxError
from autograder.sandbox.staging import make_readable, stage_runner, stage_submission

__all__ = ["Call", "Outcome", "ProbeRun", "RunOnce", "SandboxError", "collect", "probe_submission"]

FORGED = "the submission wrote to the grader's result channel; its results were discarded"
TOO_SLOW = wire_format.TIME_LIMIT_PASSED  # how `watch` says a probe ended
TOO_LOUD = wire_format.OUTPUT_LIMIT_PASSED  # a result file over its size, or flooded with junk


def read_outcomes(raw: bytes | BinaryIO) -> list[Outcome]:
    """The well-formed outcomes in a result file (its bytes, or the file itself, read from where it
    stands); blank, cut-off or malformed lines are dropped, each at a bounded cost, and past
    `wire_format.MAX_JUNK_LINES` of them nothing more is read (see `wire_format.ChannelReader`)."""
    channel = wire_format.ChannelReader()
    if isinstance(raw, bytes):
        channel.feed(raw)
    else:
        channel.read(raw)
    return channel.outcomes


def failure(call: Mapping[str, Any], message: str, kind: str = "probe_died") -> Outcome:
    """The outcome of a call the probe gave no answer for (or whose answer was void)."""
    error = {"type": "ProbeFailure", "message": message, "traceback": "", "kind": kind}
    return {"id": call["id"], "ok": False, "error": error}


def ending_kind(ending: str) -> str:
    """The failure kind of the calls a probe ended on, from how it ended (see `watch`)."""
    if ending == TOO_SLOW:
        return "timeout"
    if ending == TOO_LOUD:
        return "limit"
    return "probe_died"


def in_plan_order(written: Sequence[Outcome], calls: Sequence[Call]) -> bool:
    return len(written) <= len(calls) and all(
        outcome["id"] == call["id"] for outcome, call in zip(written, calls, strict=False)
    )


def collect(
    calls: Sequence[Call], run_once: RunOnce, budget_seconds: float
) -> tuple[dict[str, Outcome], int, list[str]]:
    """Run the calls through fresh probes until each has an outcome. A call that crashes or hangs
    its probe fails, with every other call of the same function; a fresh probe carries on, unless
    the submission has used its time budget: then the calls left fail without being run."""
    outcomes: dict[str, Outcome] = {}
    notes: list[str] = []
    restarts = 0
    remaining = list(calls)
    deadline = time.monotonic() + budget_seconds
    while remaining:
        if restarts and time.monotonic() > deadline:
            message = f"not run: the submission used its {budget_seconds:g} s of grading time"
            outcomes.update((call["id"], failure(call, message, "timeout")) for call in remaining)
            notes.append(message)
            break
        written, ending = run_once(remaining)
        if not in_plan_order(written, remaining):
            # Outcomes come one per call, in the plan's order: anything else was written by the
            # student's code, so nothing this probe reported can be trusted.
            for call in remaining:
                outcomes[call["id"]] = failure(call, FORGED, "forged")
            notes.append(FORGED)
            break
        outcomes.update((outcome["id"], outcome) for outcome in written)
        remaining = remaining[len(written) :]
        if remaining:
            culprit = (remaining[0]["module"], remaining[0]["name"])
            message = f"the probe {ending} during a call of {culprit[1]}"
            for call in remaining:
                if (call["module"], call["name"]) == culprit:
                    outcomes[call["id"]] = failure(call, message, ending_kind(ending))
            remaining = [call for call in remaining if call["id"] not in outcomes]
            restarts += 1
    return outcomes, restarts, notes


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


def watch(
    process: subprocess.Popen[bytes],
    plan: bytes,
    results_path: Path,
    limits: Limits,
    calls: int,
    channel: wire_format.ChannelReader,
) -> str:
    """Feed the plan, then wait while the probe keeps writing outcomes (read into `channel`);
    'finished' or why it was cut."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write(plan)
        process.stdin.close()
    started = time.monotonic()
    deadline = started + limits.startup_seconds
    hard_stop = started + limits.startup_seconds + limits.quiet_seconds * max(1, calls)
    while process.poll() is None:
        now = time.monotonic()
        if channel.read_file(str(results_path)):
            # progress is a new well-formed outcome, not any write (a student can write too)
            deadline = now + limits.quiet_seconds
        if now > deadline or now > hard_stop:
            return TOO_SLOW
        if channel.flooded or results_path.stat().st_size > limits.file_bytes:
            return TOO_LOUD
        time.sleep(0.01)
    channel.read_file(str(results_path))  # what it wrote last
    return TOO_LOUD if channel.flooded else "finished"


def run_probe_once(
    command_for: Command, runner: Path, staged: Path, calls: Sequence[Call], limits: Limits, scratch: Path
) -> tuple[list[Outcome], str]:
    """One probe process over `calls`; returns the outcomes it wrote and how it ended.

    The watchdog expects a new outcome line at least every `quiet_seconds` (after `startup_seconds`
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
        channel = wire_format.ChannelReader()  # each byte read once, each line parsed once
        plan = json.dumps({"calls": list(calls)}).encode()
        ending = watch(process, plan, results_path, limits, len(calls), channel)
        end_everything(process, token)
        startup_errors = process.stderr.read(4096) if process.stderr else b""
        if ending == "finished":
            ending = f"exited with code {process.returncode}"
        channel.read_file(str(results_path))  # what it wrote before it was stopped
        outcomes = channel.outcomes
    if startup_errors.strip() and not outcomes:
        first = startup_errors.decode("utf-8", errors="replace").strip().splitlines()[0][:300]
        raise SandboxError(f"the probe could not start: {first}")
    return outcomes, ending


def probe_submission(
    submission: Path,
    calls: Sequence[Call],
    modules: Sequence[str],
    limits: Limits,
    sandbox: bool | None = None,
) -> ProbeRun:
    """Run every call against the submission's `modules` (names of `NAME.py` files) in a fresh
    probe process (see `collect`)."""
    use_bwrap = bubblewrap_available() if sandbox is None else sandbox
    command_for: Command = bubblewrap_command if use_bwrap else plain_command
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch_name:
        scratch = Path(scratch_name)
        staged = scratch / "submission"
        unusable = stage_submission(submission, staged, modules)
        runner = stage_runner(scratch / "runner")
        make_readable(scratch)  # the student code runs as nobody

        def run_once(remaining: Sequence[Call]) -> tuple[list[Outcome], str]:
            return run_probe_once(command_for, runner, staged, remaining, limits, scratch)

        outcomes, restarts, notes = collect(calls, run_once, limits.submission_seconds)
    return ProbeRun(outcomes, isolation_summary(use_bwrap), restarts, tuple(notes), unusable)
