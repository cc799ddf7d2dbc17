"""Grading one submission as a whole process (`autograder grade DIR --format json`), sandbox on.

    python benchmarks/grade_one.py [--repeats N]

Prints the median wall time for the reference and for the material's answer, beside the bare cost
of starting Python with numpy (the floor any Python grader pays).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    samples = ROOT / "examples" / "submissions"
    grade = [sys.executable, "-m", "autograder", "grade", "--format", "json"]
    runs = {
        "grade full_marks_reference": [*grade, str(samples / "full_marks_reference")],
        "grade material_answer": [*grade, str(samples / "material_answer")],
        "python -c 'import numpy' (floor)": [sys.executable, "-c", "import numpy"],
    }
    for name, command in runs.items():
        median = statistics.median(wall_time(command) for _ in range(args.repeats))
        print(f"{name:36s} {median:6.3f} s  (median of {args.repeats})")


if __name__ == "__main__":
    main()
