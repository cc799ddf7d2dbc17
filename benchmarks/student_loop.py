"""The student loop: public pytest on a complete solution, as a whole process, beside a trivial run.

    python benchmarks/student_loop.py [--repeats N]

Prints the median wall time of each and their difference (what the exercise's tests add).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall_time(command: list[str], cwd: Path) -> float:
    # A student's environment has numpy and pytest only: no plugins from the grader's extras.
    environment = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as scratch:
        trivial = Path(scratch) / "test_trivial.py"
        trivial.write_text("def test_nothing():\n    assert True\n")
        runs = {
            "public tests on the reference": (
                [*pytest, str(ROOT / "tests" / "public"), "--submission", str(ROOT / "solutions")],
                ROOT,
            ),
            "trivial pytest run (one empty test)": ([*pytest, str(trivial)], Path(scratch)),
        }
        medians = {
            name: statistics.median(wall_time(command, cwd) for _ in range(args.repeats))
            for name, (command, cwd) in runs.items()
        }
    for name, seconds in medians.items():
        print(f"{name:40s} {seconds:6.3f} s  (median of {args.repeats})")
    public, trivial_time = medians.values()
    print(f"{'added by the exercise tests':40s} {public - trivial_time:6.3f} s")


if __name__ == "__main__":
    main()
