"""Ending what a student's call left running: every other process of the unprivileged user in
the probe's pid namespace, killed and waited for before the next call (runs inside the sandbox)."""

from __future__ import annotations

import contextlib
import os
import signal
import time

UNPRIVILEGED = 65534  # nobody


def end_strays() -> None:
    """Before the next check: end every other process of the unprivileged user (Linux's kill(-1)
    spares the caller) and wait until they are gone. Only as that user, inside the sandbox's own
    pid namespace, whose /proc lists nothing else. In the common case, one question to the kernel
    answers it: no other process at all."""
    if os.getuid() != UNPRIVILEGED:
        return
    reap_children()
    if alone_in_namespace():
        return
    deadline = time.monotonic() + 1.0
    while True:
        with contextlib.suppress(OSError):
            os.kill(-1, signal.SIGKILL)
        reap_children()
        if not other_live_processes() or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def reap_children() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def alone_in_namespace() -> bool:
    """Whether this pid namespace holds no process but its init and this one. Signal 0 sends
    nothing: Linux's kill(-1) goes through every process of the caller's pid namespace except its
    init and the caller, under the lock that creating a process takes, and fails with ESRCH only
    when it found none, whoever owns them (zombies included). A warm runner is its sandbox's init,
    so a child that started nothing is alone; so is a cold probe beside bubblewrap's init."""
    try:
        os.kill(-1, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def other_live_processes() -> list[int]:
    """Processes of this user, other than this one, that are not yet zombies (SIGKILL is delivered
    asynchronously: a killed process may run a moment longer). The namespace's init and this
    process's parent (the sandbox's, or the warm runner: root, never a stray) are not read."""
    found = []
    trusted = {os.getpid(), os.getppid(), 1}
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in trusted:
            with contextlib.suppress(OSError):
                status = open(f"/proc/{name}/status").read()
                uid = status.split("Uid:")[1].split()[0]
                state = status.split("State:")[1].split()[0]
                if int(uid) == UNPRIVILEGED and state not in ("Z", "X"):
                    found.append(int(name))
    return found
