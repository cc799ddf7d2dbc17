"""Grading one submission as a whole process (`autograder grade DIR --format json`), sandbox on.

    python benchmarks/grade_one.py [--repeats N]

Prints the median and the fastest wall time for the reference and for the material's answer,
beside the bare cost of starting Python with numpy (the floor any Python grader pays), with the
machine's load average (the machine may be shared: the fastest run is the least disturbed one).
Then where one `autograder grade` spends its time before grading: its imports, from
`python -X importtime` (the ten slowest modules by their own time).
"""

from __future__ import annotations

import argparse
import os
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


def import_times(command: list[str]) -> list[tuple[int, str]]:
    """(own microseconds, module) for every module the command imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], cwd=ROOT, capture_output=True, text=True
    )
    found = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own, _, name = line.removeprefix("import time:").split("|")
            if own.strip().isdigit():
                found.append((int(own), name.strip()))
    return found


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
    print("load average " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    for name, command in runs.items():
        times = [wall_time(command) for _ in range(args.repeats)]
        print(
            f"{name:36s} {statistics.median(times):6.3f} s median, {min(times):6.3f} s fastest "
            f"(of {args.repeats})"
        )
    imports = import_times(runs["grade material_answer"])
    total = sum(own for own, _ in imports) / 1e6
    slowest = ", ".join(f"{name} {own / 1000:.0f} ms" for own, name in sorted(imports, reverse=True)[:10])
    print(f"imports of one grade: {len(imports)} modules, {total:.3f} s in all; slowest: {slowest}")
    print("load average " + " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
