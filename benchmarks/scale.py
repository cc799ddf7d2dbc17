"""What a batch run costs besides its wall time: memory per worker across the run, and processor time.

`Sampler` walks the batch's process tree every half second and keeps, for the batch itself, each
pool worker and each worker's warm sandbox (its runner process), the resident memory seen; the
children forked per submission share their runner's pages and are not counted again. Processor time
is that of every process of the run: those reaped up the tree (`RUSAGE_CHILDREN` of this process),
and each sandbox's runner, read from /proc while it runs.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Process:
    parent: int
    command: list[str]
    resident: int  # bytes
    processor: float  # seconds: its own and its reaped children's
    own: float  # seconds: its own alone


def process_table() -> dict[int, Process]:
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            command = Path(f"/proc/{name}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = [int(value) for value in fields[11:15]]  # utime, stime, cutime, cstime
        resident = int(fields[21]) * PAGE
        table[int(name)] = Process(
            int(fields[1]), command, resident, sum(ticks) / TICK, sum(ticks[:2]) / TICK
        )
    return table


def below(table: dict[int, Process], root: int) -> list[int]:
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, process in table.items() if process.parent == parent]
        found += children
        frontier += children
    return found


def is_runner(table: dict[int, Process], pid: int) -> bool:
    """A warm sandbox's runner (`runner.py --serve` started by bubblewrap), not a child it forked."""
    parent = table.get(table[pid].parent)
    return (
        "--serve" in table[pid].command
        and Path(table[pid].command[0]).name != "bwrap"
        and parent is not None
        and Path(parent.command[0]).name == "bwrap"
    )


@dataclass
class Sampler:
    """Resident memory of the batch, its workers and their sandboxes' runners, sampled as it runs;
    and each runner's processor time (with the children it forked and reaped), which no process of
    the batch reaps in turn: bubblewrap's own init does."""

    root: int
    interval: float = 0.5
    seen: dict[str, list[int]] = field(default_factory=dict)  # label -> bytes, one per sample
    runners: dict[int, float] = field(default_factory=dict)  # pid -> processor seconds, last seen
    parent: float = 0.0  # the batch's own processor seconds (not its workers'), last seen
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        table = process_table()
        if self.root not in table:
            return
        self.seen.setdefault("batch (the parent)", []).append(table[self.root].resident)
        self.parent = table[self.root].own
        workers = [pid for pid, process in table.items() if process.parent == self.root]
        for number, worker in enumerate(sorted(workers), 1):
            self.seen.setdefault(f"worker {number} (pid {worker})", []).append(table[worker].resident)
            for runner in [pid for pid in below(table, worker) if is_runner(table, pid)]:
                label = f"worker {number}'s warm sandbox (runner pid {runner})"
                self.seen.setdefault(label, []).append(table[runner].resident)
                self.runners[runner] = table[runner].processor

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def lines(self) -> list[str]:
        mb = 1024 * 1024
        out = []
        for label, values in self.seen.items():
            if len(values) < 10:
                continue
            first, warm, last = values[0] / mb, values[len(values) // 10] / mb, values[-1] / mb
            out.append(
                f"  {label:50s} first {first:6.1f}, a tenth in {warm:6.1f}, max {max(values) / mb:6.1f}, "
                f"last {last:6.1f} MB ({len(values)} samples; last - a tenth in {last - warm:+.1f} MB)"
            )
        return out


def run_sampled(command: Sequence[str], cwd: Path) -> tuple[float, float, Sampler, str]:
    """Run `command`; its wall seconds, the processor seconds of all its processes, the memory
        samples and its output. The processor time is that of every process reaped up to this one, and
    of each warm sandbox's runner as last sampled (sandboxes are killed once the grading is done:
    what a runner did in its last half second may be missed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with Sampler(process.pid) as sampler:
        output, _ = process.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    core = reaped + sum(sampler.runners.values())
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return wall, core, sampler, output


def scores(grades_csv: Path) -> dict[str, list[str]]:
    """Each student's row of grades.csv (every check's score, the total)."""
    import csv

    with grades_csv.open(newline="", encoding="utf-8") as source:
        return {row[0]: row[1:] for row in list(csv.reader(source))[1:]}
