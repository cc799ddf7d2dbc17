"""Warm mode of the probe (`runner.py --serve STAGING RESULTS [LIBRARY_DIR]`): one sandbox per
grading worker, one fresh forked child per submission. Runs inside the sandbox, like runner.py.

The control channel (stdin, one JSON line each) carries two requests: `{"learn": {HANDLE: CALL}}`
gives the runner plan entries once (the same inputs serve every submission of a class: sent,
parsed and held once per sandbox, and inherited by each child through fork), answered `{"learned":
N}`; `{"token", "calls": [HANDLE, ...], "rlimits", ...}` runs those entries in a fresh child,
answered `{"token", "ending", "seconds"}`: times the runner measured itself (fork to reaped child,
and the child's processor time; ending the child's leftovers and emptying /tmp; its own processor
time). `"fresh": true` beside `"learn"` first forgets every entry held.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource  # here, in the runner: not loaded again by every child
import select
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.probe import wire_format
from autograder.probe.progress import Progress
from autograder.probe.runner import (
    become_unprivileged,
    c_library,
    clear_keyrings,
    install_alarm,
    limit_private_tmp,
    preload,
    run_plan,
    silence_standard_streams,
)
from autograder.probe.strays import alone_in_namespace, reap_children


def apply_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


@dataclass(frozen=True)
class Inherited:
    """What the warm runner holds for its children, made once and inherited through fork: the
    control channel's descriptors (which a child closes), the plan's inputs decoded (by the id() of
    each entry's wire value), and the C library with its functions looked up."""

    control: list[int]
    decoded: dict[int, Any]
    libc: Any


def run_child(request: dict[str, Any], results_fd: int, inherited: Inherited) -> None:
    """In the forked child: shed the control channel, limit, drop privileges, run the plan."""
    try:
        os.setsid()
        for fd in inherited.control:
            os.close(fd)
        silence_standard_streams()
        apply_limits(request["rlimits"])
        os.environ.clear()
        os.environ.update(HOME="/tmp", LANG="C.UTF-8")
        own_ipc_namespace(inherited.libc)
        become_unprivileged()
        clear_keyrings(inherited.libc)
        reuse_decoded_inputs(inherited.decoded)
        run_plan(request["folder"], request["calls"], os.fdopen(results_fd, "w", encoding="utf-8"))
    finally:
        os._exit(0)


def watch_child(
    pid: int, results_path: str, startup: float, quiet: float, call_ids: Sequence[str]
) -> tuple[str, float]:
    """Wait for the child; kill it when no new outcome comes for too long (blank or forged lines
    written by the student's code are not progress), past a hard stop, or once it floods the result
    channel with junk. The channel is read as it grows, through a buffer cleared after each read
    (`progress.Progress`: nothing the child wrote stays in this process, which later children
    inherit); the wait between two reads ends the moment the child does (a pidfd).
    Returns how the child ended and the processor time it used."""
    started, channel = time.monotonic(), Progress(results_path, call_ids)
    deadline, hard_stop = started + startup, started + startup + quiet * max(1, len(call_ids))
    with child_exit(pid) as exited:
        while True:
            done, status, usage = reap_until(pid)
            if done:
                channel.read()  # what it wrote last
                if channel.flooded:
                    return wire_format.OUTPUT_LIMIT_PASSED, usage.ru_utime + usage.ru_stime
                return (
                    f"exited with code {os.waitstatus_to_exitcode(status)}",
                    usage.ru_utime + usage.ru_stime,
                )
            now = time.monotonic()
            if channel.read():
                deadline = now + quiet
            ending = wire_format.OUTPUT_LIMIT_PASSED if channel.flooded else None
            if ending is None and (now > deadline or now > hard_stop):
                ending = wire_format.TIME_LIMIT_PASSED
            if ending is not None:
                os.kill(pid, signal.SIGKILL)
                usage = os.wait4(pid, 0)[2]
                return ending, usage.ru_utime + usage.ru_stime
            exited(POLL_SECONDS)


POLL_SECONDS = 0.01  # between two reads of a running child's result channel


def reap_until(pid: int) -> tuple[int, int, Any]:
    """`os.wait4(pid, os.WNOHANG)`, reaping on the way every other ended child: the runner is the
    sandbox's init, so the processes a child orphans become its own, and it reaps them as an init
    does (a zombie holds a slot of the unprivileged user's process limit)."""
    while True:
        done, status, usage = os.wait4(-1, os.WNOHANG)
        if done in (0, pid):
            return done, status, usage


@contextlib.contextmanager
def child_exit(pid: int) -> Iterator[Callable[[float], object]]:
    """A wait of at most N seconds that ends early when the child exits (a pidfd; a plain sleep
    where the kernel has none)."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        yield time.sleep
        return
    try:
        yield lambda seconds: select.select([pidfd], [], [], seconds)
    finally:
        os.close(pidfd)


def end_unprivileged_processes() -> None:
    """Kill every process a submission left in this sandbox (stragglers, daemons), then reap them.
    The runner is the sandbox's pid namespace's init and root: its kill(-1) reaches every other
    process of the namespace, which nothing a student's process does (SIGSTOP, SIGKILL to a helper)
    can stop, and as their init it reaps them. Nothing to do when no process is left (signal 0
    sends nothing: it asks the kernel whether kill(-1) would find anyone)."""
    deadline = time.monotonic() + CLEANUP_SECONDS
    while True:
        reap_children()  # what has ended: the child's orphans, then what the kill below reached
        if alone_in_namespace():
            return
        if os.getpid() != 1:  # not the namespace's init: kill(-1) would reach beyond the sandbox
            raise RuntimeError("the warm runner is not its sandbox's init: it cannot end leftovers")
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes a submission left were still there after {CLEANUP_SECONDS:g} s")
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        time.sleep(0.001)


CLEANUP_SECONDS = 5.0  # for the kernel to end what SIGKILL reached (a process in a system call)


def wipe(folder: str) -> None:
    """Empty `folder` without recursion (a student may leave a tree thousands of levels deep)."""
    stack = [folder]
    emptied: list[str] = []
    while stack:
        current = stack.pop()
        emptied.append(current)
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue
    for path in reversed(emptied[1:]):
        with contextlib.suppress(OSError):
            os.rmdir(path)


CLONE_NEWIPC = 0x08000000


def own_ipc_namespace(libc: Any) -> None:
    """A fresh System V IPC and POSIX message-queue namespace for this child (needs CAP_SYS_ADMIN,
    which the warm runner holds and the child loses when it becomes nobody)."""
    import ctypes

    if libc.unshare(CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWIPC) failed")


def serve() -> None:
    """Warm mode (`runner.py --serve STAGING RESULTS [LIBRARY_DIR]`): one request line at a time on
    stdin (see the module's docstring); a fresh forked child runs each submission; its answer line
    on stdout once the child is done and everything it left (processes, files in /tmp) is gone."""
    staging, results_root = sys.argv[2], sys.argv[3]
    control_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    control_in_fd = os.dup(0)
    control_in = os.fdopen(control_in_fd, "rb")
    silence_standard_streams()
    install_alarm()
    sys.dont_write_bytecode = True
    limit_private_tmp()
    preload()
    known: dict[str, dict[str, Any]] = {}  # plan entries by handle, parsed once
    inherited = Inherited([control_out.fileno(), control_in_fd], {}, c_library())
    for line in control_in:
        request = json.loads(line)
        if "learn" in request:
            if request.get("fresh"):
                known.clear()
                inherited.decoded.clear()
            known.update(request["learn"])
            inherited.decoded.update(decode_inputs(request["learn"].values()))
            gc.collect()
            gc.freeze()  # what a child inherits is never traversed by the child's collections
            answer: dict[str, Any] = {"learned": len(known)}
        else:
            request["calls"] = [known[handle] for handle in request["calls"]]
            answer = run_submission(request, staging, results_root, inherited)
        control_out.write(json.dumps(answer) + "\n")
        control_out.flush()
    os._exit(0)  # the input closed: leave at once, without tearing the interpreter down


def decode_inputs(calls: Iterable[dict[str, Any]]) -> dict[int, Any]:
    """Each call's wire-encoded inputs (args, kwargs) decoded, by the id() of the wire value: done
    once per sandbox, where each child would otherwise decode them again. A value that does not
    decode is left for the child to decode, and fail on, itself."""
    found = {}
    for call in calls:
        for value in (call.get("args"), call.get("kwargs")):
            if value is not None:
                with contextlib.suppress(ValueError):
                    found[id(value)] = wire_format.decode(value)
    return found


def reuse_decoded_inputs(decoded: dict[int, Any]) -> None:
    """In the child, before any student code: decoding one of the plan's own input values (found by
    identity: the runner keeps them alive) gives a fresh deep copy of what the runner decoded once,
    so each call still gets inputs of its own. Anything else decodes as before. Only this child's
    `wire_format.decode` changes, and nothing the grader reads is decoded in this process."""
    plain = wire_format.decode

    def decode(value: Any) -> Any:
        if id(value) in decoded:
            return wire_format.copy_decoded(decoded[id(value)])
        return plain(value)

    wire_format.decode = decode


def run_submission(
    request: dict[str, Any], staging: str, results_root: str, inherited: Inherited
) -> dict[str, Any]:
    """One submission in a fresh child; then its leftovers ended and /tmp emptied."""
    token = str(request["token"])
    request["folder"] = os.path.join(staging, token)
    results_path = os.path.join(results_root, f"{token}.jsonl")
    results_fd = os.open(results_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    forked, runner_cpu = time.monotonic(), time.process_time()
    pid = os.fork()
    if pid == 0:
        run_child(request, results_fd, inherited)
    os.close(results_fd)
    startup, quiet = float(request["startup_seconds"]), float(request["quiet_seconds"])
    ending, child_cpu = watch_child(pid, results_path, startup, quiet, [c["id"] for c in request["calls"]])
    reaped = time.monotonic()
    end_unprivileged_processes()
    for folder in ("/tmp", "/dev/shm"):
        if os.path.isdir(folder):
            wipe(folder)
    seconds = {
        "child": reaped - forked,
        "child_cpu": child_cpu,
        "cleanup": time.monotonic() - reaped,
        "runner_cpu": time.process_time() - runner_cpu,
    }
    return {"token": token, "ending": ending, "seconds": seconds}
