"""Grading throughput: `autograder batch` (sandbox on) against nbgrader's `autograde`, same answers.

    python benchmarks/throughput.py [--n 1000] [--nbgrader-n 10] [--jobs 2]
                                    [--breakdown-n 200] [--dask-n 1000]
    python benchmarks/throughput.py --n 10000      # the scale run

Makes N varied submissions by cycling through the bundled samples (correct, wrong in each
catalogued way, crashing, syntax errors; the hanging one is left out, as one hang in a class costs
the same fixed seconds in any grader), grades them with `autograder batch` as a whole command
(sampling every process's memory as it runs, and counting the processor time of all of them), then
has nbgrader autograde the same answers as notebooks in a temporary course (a smaller N), and prints
submissions per second for both and the ratio. Then the same first DASK_N submissions on a local
Dask cluster of two workers (`--dask-scheduler`), compared score by score with the local run; then
the breakdown of one submission's processor time by stage (`breakdown.py`) beside the floor, the
student's own calls alone in one warm process (`floor.py`). Every figure comes with the machine's
load average at the time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from breakdown import print_breakdown, stage_times
from scale import run_sampled, scores

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


def nbgrader_seconds(
    submissions: Path, names: list[str], scratch: Path, *, plain: bool
) -> tuple[float, float, int]:
    """Seconds for `nbgrader autograde` over the notebooks (wall, and the processor time of its
    processes: nbgrader and the kernels it reaps), and how many it could not grade:
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, log = run(autograde, course, env, may_fail=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    core = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, core, log.count("There was an error processing assignment")


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def batch_command(submissions: Path, out: Path, jobs: int, *more: str) -> list[str]:
    command = [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out)]
    return [*command, "--no-progress", "--jobs", str(jobs), *more]


def dask_run(submissions: Path, names: list[str], scratch: Path, jobs: int) -> tuple[float, Path]:
    """The first submissions again, graded on a local Dask cluster of `jobs` worker processes."""
    from dask.distributed import LocalCluster

    subset = scratch / "dask-class"
    subset.mkdir()
    for name in names:
        shutil.copytree(submissions / name, subset / name)
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        more = ("--dask-scheduler", str(cluster.scheduler_address))
        seconds, _ = run(batch_command(subset, scratch / "dask-out", jobs, *more), ROOT)
    finally:
        cluster.close()
    return seconds, scratch / "dask-out" / "grades.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="submissions for autograder batch")
    parser.add_argument("--nbgrader-n", type=int, default=10, help="submissions for nbgrader autograde")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--breakdown-n", type=int, default=200, help="submissions replayed stage by stage")
    parser.add_argument("--dask-n", type=int, default=1000, help="submissions graded again on Dask (0: none)")
    args = parser.parse_args()
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory(prefix="throughput-") as scratch_name:
        scratch = Path(scratch_name)
        submissions = scratch / "class"
        submissions.mkdir()
        names = make_submissions(submissions, args.n)
        started = load()
        ours, core, sampler, said = run_sampled(batch_command(submissions, scratch / "out", args.jobs), ROOT)
        rate = re.search(r"graded \(([0-9.]+)/s\)", said)
        grading = args.n / float(rate[1]) if rate and float(rate[1]) > 0 else float("nan")
        after_batch = load()
        isolation = json.loads((scratch / "out" / "feedback" / names[0] / "results.json").read_text())
        dask = None
        if args.dask_n > 0:
            few_names = names[: args.dask_n]
            dask_seconds, dask_grades = dask_run(submissions, few_names, scratch, args.jobs)
            local = scores(scratch / "out" / "grades.csv")
            theirs_scores = scores(dask_grades)
            same = sum(theirs_scores.get(name) == local[name] for name in few_names)
            dask = (len(few_names), dask_seconds, same, load())
        few = names[: args.nbgrader_n]
        theirs, theirs_core, nbgrader_failures = nbgrader_seconds(submissions, few, scratch, plain=True)
        sandboxed, _, sandboxed_failures = nbgrader_seconds(submissions, few, scratch, plain=False)
        nbgrader_load = load()
        replayed = [submissions / name for name in names[: args.breakdown_n]]
        stages = stage_times(ROOT, replayed, scratch / "breakdown") if replayed else None
        breakdown_load = load()
    ours_rate, theirs_rate = args.n / ours, args.nbgrader_n / theirs
    print(
        f"autograder batch  : {args.n:5d} submissions in {ours:7.2f} s = {ours_rate:7.2f}/s "
        f"(isolation: {isolation['extra_data']['isolation']}; grading, gradebook, CSV, feedback, report; "
        f"{args.jobs} workers; {started} before, {after_batch} after)"
    )
    print(
        f"  of which grading {grading:.2f} s (the batch's own count), then the exports (CSV, feedback "
        f"files, class report) and start-up {ours - grading:.2f} s"
    )
    print(
        f"  processor time of all its processes: {core:.1f} s = {core / args.n * 1000:.2f} ms per submission"
    )
    print(
        f"  the batch parent's own processor time (start-up, recording, progress, exports' merging; "
        f"sampled, its last half second missed): {sampler.parent:.1f} s = "
        f"{sampler.parent / args.n * 1000:.2f} ms per submission"
    )
    print("  memory (resident) sampled every 0.5 s across the run:")
    print("\n".join(sampler.lines()))
    if dask is not None:
        count, seconds, same, dask_load = dask
        print(
            f"autograder batch on a local Dask cluster of {args.jobs} workers: {count} submissions in "
            f"{seconds:.2f} s = {count / seconds:.2f}/s; the same scores as the local run for {same} of "
            f"{count} students, check by check ({dask_load})"
        )
    print(
        f"nbgrader autograde: {args.nbgrader_n:5d} submissions in {theirs:7.2f} s = {theirs_rate:7.2f}/s "
        f"({theirs / args.nbgrader_n:.2f} s per submission, {theirs_core / args.nbgrader_n * 1000:.0f} ms "
        f"of processor time; {nbgrader_failures} it could not grade)"
    )
    print(
        f"nbgrader sandboxed: {args.nbgrader_n:5d} submissions in {sandboxed:7.2f} s = "
        f"{args.nbgrader_n / sandboxed:7.2f}/s ({sandboxed / args.nbgrader_n:.2f} s per submission; "
        f"{sandboxed_failures} it could not grade; our nbgrader_config.py: scores from the sandbox; "
        f"{nbgrader_load})"
    )
    print(
        f"ratio             : {ours_rate / theirs_rate:.1f}x nbgrader's per-submission rate; "
        f"{theirs_core / args.nbgrader_n / (core / args.n):.1f}x less processor time per submission "
        "(the ratio a shared machine's load disturbs least)"
    )
    if stages is not None:
        print_breakdown(stages, len(replayed), core / args.n)
        print(f"  ({breakdown_load})")


if __name__ == "__main__":
    main()
