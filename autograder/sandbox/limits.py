"""The resource limits of a probe process, and how they are applied to it."""

from __future__ import annotations

import contextlib
import os
import resource
from dataclasses import dataclass

SANDBOX_UID = "65534"  # nobody: the user student code runs as when the grader is root


@dataclass(frozen=True)
class Limits:
    """Resource limits of one probe process and everything it starts."""

    # The watchdog, from the rubric's policy.time_limits: the longest silence between two outcomes
    # (each call has its own alarm too), and the time allowed before the first.
    quiet_seconds: float
    startup_seconds: float
    # All the probes of one submission (restarts after crashes and hangs included): past it, the
    # calls left are not run. One probe may still finish its own watchdog's time.
    submission_seconds: float
    memory_bytes: int = 2 * 1024**3  # address space
    file_bytes: int = 64 * 1024**2  # largest file it may write, and the size of its private /tmp
    open_files: int = 256
    extra_processes: int = 64  # processes it may start beyond those its user already runs


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
