"""Run a function on many tasks, each in a process forked from this one, a few at a time, each
with a wall-clock limit and a memory limit: a mutant that hangs, blows up or kills its process
costs one task, never the run. Forking shares what the parent already loaded (numpy, pytest, the
reference outcomes), so a task starts in milliseconds."""

from __future__ import annotations

import os
import pickle
import resource
import selectors
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

MEMORY_LIMIT = 4 * 1024**3  # bytes of address space per task


@dataclass(frozen=True)
class Failed:
    """A task that gave no result: it timed out, or its process died."""

    reason: str


@dataclass
class _Running(Generic[T]):
    index: int
    pid: int
    fd: int
    deadline: float
    data: bytearray


def _child(work: Callable[[T], R], task: T, fd: int, quiet: bool) -> None:
    """In the forked process: run, send the pickled answer, leave without running any cleanup."""
    code = 0
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if quiet:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
        answer: object = work(task)
    except BaseException as error:  # the task's own failure is its answer
        answer = Failed(f"{type(error).__name__}: {error}")
    try:
        payload = pickle.dumps(answer)
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
    except BaseException:
        code = 1
    os._exit(code)


def run_forked(
    work: Callable[[T], R],
    tasks: Sequence[T],
    *,
    jobs: int,
    seconds: float,
    quiet: bool = False,
) -> list[R | Failed]:
    """`work(task)` for every task, in forked processes (`jobs` at once, each stopped after
    `seconds`); results in the order of `tasks`. `quiet` sends the tasks' output to /dev/null."""
    results: list[object] = [None] * len(tasks)
    running: dict[int, _Running[T]] = {}
    selector = selectors.DefaultSelector()
    todo = iter(range(len(tasks)))
    exhausted = False
    while running or not exhausted:
        while not exhausted and len(running) < jobs:
            index = next(todo, None)
            if index is None:
                exhausted = True
                break
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                _child(work, tasks[index], write, quiet)
            os.close(write)
            running[read] = _Running(index, pid, read, time.monotonic() + seconds, bytearray())
            selector.register(read, selectors.EVENT_READ)
        if not running:
            break
        timeout = max(0.0, min(r.deadline for r in running.values()) - time.monotonic())
        for key, _ in selector.select(timeout):
            task = running[int(key.fd)]
            chunk = os.read(task.fd, 1 << 16)
            if chunk:
                task.data.extend(chunk)
                continue
            results[task.index] = _finish(task, selector, running, timed_out=False)
        now = time.monotonic()
        for task in [t for t in running.values() if t.deadline <= now]:
            results[task.index] = _finish(task, selector, running, timed_out=True, seconds=seconds)
    return [cast("R | Failed", r) if r is not None else Failed("no result") for r in results]


def _finish(
    task: _Running[T],
    selector: selectors.BaseSelector,
    running: dict[int, _Running[T]],
    *,
    timed_out: bool,
    seconds: float = 0.0,
) -> object:
    selector.unregister(task.fd)
    os.close(task.fd)
    del running[task.fd]
    if timed_out:
        os.kill(task.pid, signal.SIGKILL)
    _, status = os.waitpid(task.pid, 0)
    if timed_out:
        return Failed(f"timed out after {seconds:g} s")
    if not task.data:
        if os.WIFSIGNALED(status):
            return Failed(f"the process died (signal {os.WTERMSIG(status)})")
        return Failed(f"the process exited with status {os.WEXITSTATUS(status)} and no result")
    return pickle.loads(bytes(task.data))
