"""Grading throughput: `autograder batch` (sandbox on) against nbgrader's `autograde`, same answers.

    python benchmarks/throughput.py [--n 1000] [--nbgrader-n 10] [--jobs 2]

Makes N varied submissions by cycling through the bundled samples (correct, wrong in each
catalogued way, crashing, syntax errors; the hanging one is left out, as one hang in a class costs
the same fixed seconds in any grader), grades them with `autograder batch` as a whole command, then
has nbgrader autograde the same answers as notebooks in a temporary course (a smaller N), and prints
submissions per second for both and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "submissions"
LEFT_OUT = {"hang_lstm_step_loops_forever"}


def make_submissions(target: Path, count: int) -> list[str]:
    samples = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir() and p.name not in LEFT_OUT)
    names = []
    for index in range(count):
        sample = samples[index % len(samples)]
        name = f"student{index:05d}_{sample}"
        shutil.copytree(SAMPLES / sample, target / name)
        with (target / name / "lstm_budget.py").open("a") as module:
            module.write(f"\n# student {index}\n")  # every submission has its own content hash
        names.append(name)
    return names


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, *, may_fail: bool = False
) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0 and not may_fail:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, result.stdout + result.stderr


def nbgrader_seconds(submissions: Path, names: list[str], scratch: Path, *, plain: bool) -> tuple[float, int]:
    """Seconds for `nbgrader autograde` over the notebooks, and how many it could not grade:
    with our course's config (scores from the sandbox), or `plain` (nbgrader's own Execute, which
    runs the student's cells and the test cells in one kernel)."""
    sys.path.insert(0, str(ROOT))
    from autograder.course import open_course
    from autograder.grading.grader import load_grader
    from autograder.platforms.notebooks import ASSIGNMENT, filled_notebook

    rubric = load_grader(open_course(ROOT)).rubric
    parts = [(part.id, part.module) for part in rubric.parts]

    course = scratch / ("plain-course" if plain else "course")
    run([sys.executable, "-m", "autograder", "nbgrader", str(course)], ROOT)
    if plain:
        config = course / "nbgrader_config.py"
        sandboxed = "autograder.platforms.nbgrader_sandbox.SandboxedGrade"
        config.write_text(config.read_text().replace(sandboxed, "nbgrader.preprocessors.Execute"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course, env)
    release = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for name in names:
        target = course / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(filled_notebook(release, submissions / name, parts)))
    autograde = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--create", "--force"]
    # A submission that kills its kernel makes nbgrader exit non-zero; the others are still graded.
    seconds, log = run(autograde, course, env, may_fail=True)
    return seconds, log.count("There was an error processing assignment")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="submissions for autograder batch")
    parser.add_argument("--nbgrader-n", type=int, default=10, help="submissions for nbgrader autograde")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="throughput-") as scratch_name:
        scratch = Path(scratch_name)
        submissions = scratch / "class"
        submissions.mkdir()
        names = make_submissions(submissions, args.n)
        ours, _ = run(
            [
                sys.executable,
                "-m",
                "autograder",
                "batch",
                str(submissions),
                "--out",
                str(scratch / "out"),
                "--no-progress",
                "--jobs",
                str(args.jobs),
            ],
            ROOT,
        )
        isolation = json.loads((scratch / "out" / "feedback" / names[0] / "results.json").read_text())
        few = names[: args.nbgrader_n]
        theirs, nbgrader_failures = nbgrader_seconds(submissions, few, scratch, plain=True)
        sandboxed, sandboxed_failures = nbgrader_seconds(submissions, few, scratch, plain=False)
    ours_rate, theirs_rate = args.n / ours, args.nbgrader_n / theirs
    print(
        f"autograder batch  : {args.n:5d} submissions in {ours:7.2f} s = {ours_rate:7.2f}/s "
        f"(isolation: {isolation['extra_data']['isolation']}; grading, gradebook, CSV, feedback, report)"
    )
    print(
        f"nbgrader autograde: {args.nbgrader_n:5d} submissions in {theirs:7.2f} s = {theirs_rate:7.2f}/s "
        f"({theirs / args.nbgrader_n:.2f} s per submission; {nbgrader_failures} it could not grade)"
    )
    print(
        f"nbgrader sandboxed: {args.nbgrader_n:5d} submissions in {sandboxed:7.2f} s = "
        f"{args.nbgrader_n / sandboxed:7.2f}/s ({sandboxed / args.nbgrader_n:.2f} s per submission; "
        f"{sandboxed_failures} it could not grade; our nbgrader_config.py: scores from the sandbox)"
    )
    print(f"ratio             : {ours_rate / theirs_rate:.1f}x nbgrader's per-submission rate")


if __name__ == "__main__":
    main()
