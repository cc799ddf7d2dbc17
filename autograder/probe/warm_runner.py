"""Warm mode of the probe (`runner.py --serve STAGING RESULTS [LIBRARY_DIR]`): one sandbox per
grading worker, one fresh forked child per submission. Runs inside the sandbox, like runner.py."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from typing import Any

from autograder.probe import wire_format
from autograder.probe.runner import (
    become_unprivileged,
    clear_keyrings,
    end_strays,
    install_alarm,
    limit_private_tmp,
    preload,
    run_plan,
    silence_standard_streams,
)


def apply_limits(limits: dict[str, int]) -> None:
    import resource

    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def run_child(request: dict[str, Any], results_fd: int, control: list[int]) -> None:
    """In the forked child: shed the control channel, limit, drop privileges, run the plan."""
    try:
        os.setsid()
        for fd in control:
            os.close(fd)
        silence_standard_streams()
        apply_limits(request["rlimits"])
        os.environ.clear()
        os.environ.update(HOME="/tmp", LANG="C.UTF-8")
        own_ipc_namespace()
        become_unprivileged()
        clear_keyrings()
        run_plan(request["folder"], request["calls"], os.fdopen(results_fd, "w", encoding="utf-8"))
    finally:
        os._exit(0)


def watch_child(pid: int, results_path: str, startup: float, quiet: float, calls: int) -> str:
    """Wait for the child; kill it when no new well-formed outcome comes for too long (blank or
    forged lines written by the student's code are not progress), past a hard stop, or once it
    floods the result channel with junk. The channel is read as it grows, each byte once."""
    started, channel = time.monotonic(), wire_format.ChannelReader()
    deadline, hard_stop = started + startup, started + startup + quiet * max(1, calls)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            channel.read_file(results_path)  # what it wrote last
            if channel.flooded:
                return wire_format.OUTPUT_LIMIT_PASSED
            return f"exited with code {os.waitstatus_to_exitcode(status)}"
        now = time.monotonic()
        if channel.read_file(results_path):
            deadline = now + quiet
        ending = wire_format.OUTPUT_LIMIT_PASSED if channel.flooded else None
        if ending is None and (now > deadline or now > hard_stop):
            ending = wire_format.TIME_LIMIT_PASSED
        if ending is not None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return ending
        time.sleep(0.002)


def end_unprivileged_processes() -> None:
    """Kill every process of the unprivileged user in this sandbox (stragglers, daemons), then reap."""
    helper = os.fork()
    if helper == 0:
        try:
            become_unprivileged()
            end_strays()  # as nobody: kill(-1) spares the helper itself, then waits until all are gone
        finally:
            os._exit(0)
    os.waitpid(helper, 0)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


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


def own_ipc_namespace() -> None:
    """A fresh System V IPC and POSIX message-queue namespace for this child (needs CAP_SYS_ADMIN,
    which the warm runner holds and the child loses when it becomes nobody)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWIPC) failed")


def serve() -> None:
    """Warm mode (`runner.py --serve STAGING RESULTS [LIBRARY_DIR]`): one request line per
    submission on stdin; a fresh forked child runs it; one answer line on stdout once the child is
    done and everything it left (processes, files in /tmp) is gone."""
    staging, results_root = sys.argv[2], sys.argv[3]
    control_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    control_in_fd = os.dup(0)
    control_in = os.fdopen(control_in_fd, "rb")
    silence_standard_streams()
    install_alarm()
    sys.dont_write_bytecode = True
    limit_private_tmp()
    preload()
    control = [control_out.fileno(), control_in_fd]
    for line in control_in:
        request = json.loads(line)
        token = str(request["token"])
        request["folder"] = os.path.join(staging, token)
        results_path = os.path.join(results_root, f"{token}.jsonl")
        results_fd = os.open(results_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        pid = os.fork()
        if pid == 0:
            run_child(request, results_fd, control)
        os.close(results_fd)
        startup, quiet = float(request["startup_seconds"]), float(request["quiet_seconds"])
        ending = watch_child(pid, results_path, startup, quiet, len(request["calls"]))
        end_unprivileged_processes()
        for folder in ("/tmp", "/dev/shm"):
            if os.path.isdir(folder):
                wipe(folder)
        control_out.write(json.dumps({"token": token, "ending": ending}) + "\n")
        control_out.flush()
