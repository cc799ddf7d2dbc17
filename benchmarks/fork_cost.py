"""What a fresh child per submission costs: the warm runner's state forked, the reference's plan run
in the child, beside the same work done again in one process.

    python benchmarks/fork_cost.py [--repeats 15]

The parent is set up as the warm runner is (numpy and the preloaded modules imported, the plan's
inputs decoded once, `gc.freeze()`), without bubblewrap or the change of user: this measures the
fork and the copy-on-write it causes, not the sandbox's other steps. For an empty child, a child
that runs no call, one call, ten calls and the whole plan: the child's processor time and its minor
page faults (the kernel's count, `os.wait4`), the median of the repeats; then the whole plan run a
second time in this process (its modules imported again, as each child imports them). The gap per
fault is what a fresh process costs on this machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "submissions" / "full_marks_reference"


def child_cost(calls: list[dict[str, Any]], decoded: dict[int, Any], work: bool) -> tuple[float, int]:
    """Processor seconds and minor page faults of one forked child running `calls`."""
    from autograder.probe import runner, warm_runner

    pid = os.fork()
    if pid == 0:
        if work:
            warm_runner.reuse_decoded_inputs(decoded)
            with open(os.devnull, "w", encoding="utf-8") as out:
                runner.run_plan(str(REFERENCE), calls, out)
        os._exit(0)
    usage = os.wait4(pid, 0)[2]
    return usage.ru_utime + usage.ru_stime, usage.ru_minflt


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    sys.path.insert(0, str(ROOT))
    from autograder.course import open_course
    from autograder.grading.grader import load_grader
    from autograder.probe import runner, warm_runner

    plan = json.loads(json.dumps(load_grader(open_course(ROOT)).plan))  # as the runner receives it
    decoded = warm_runner.decode_inputs(plan)
    runner.preload()
    runner.install_alarm()
    gc.collect()
    gc.freeze()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figures = {}
    for label, calls, work in (
        ("empty child (fork, exit)", [], False),
        ("child, no call", [], True),
        ("child, 1 call", plan[:1], True),
        ("child, 10 calls", plan[:10], True),
        (f"child, the plan ({len(plan)} calls)", plan, True),
    ):
        runs = [child_cost(calls, decoded, work) for _ in range(repeats)]
        seconds, faults = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        figures[label] = (seconds, faults)
        print(f"{label:34s} {seconds * 1000:7.2f} ms processor time, {faults:6.0f} minor page faults")
    warm_runner.reuse_decoded_inputs(decoded)
    with open(os.devnull, "w", encoding="utf-8") as out:
        runner.run_plan(str(REFERENCE), plan, out)
        started = time.process_time()
        for _ in range(repeats):
            runner.run_plan(str(REFERENCE), plan, out)
        alone = (time.process_time() - started) / repeats
    print(f"{'the plan again, in this process':34s} {alone * 1000:7.2f} ms processor time")
    empty_seconds, empty_faults = figures["empty child (fork, exit)"]
    plan_seconds, plan_faults = figures[f"child, the plan ({len(plan)} calls)"]
    extra = plan_seconds - alone - empty_seconds
    per_fault = extra / max(1.0, plan_faults - empty_faults)
    print(
        f"the child's extra {extra * 1000:.2f} ms over the same work in one process and an empty child, "
        f"{plan_faults - empty_faults:.0f} more faults: {per_fault * 1e6:.1f} us per fault"
    )


if __name__ == "__main__":
    main()
