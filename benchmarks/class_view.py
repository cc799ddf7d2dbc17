"""What the class view costs: `autograder batch` with it (this checkout) and without it (the code
before it, `--base`, by default where this branch left main), on the same class, in the same run,
alternating; then the separate commands on that class: `similarity` and `answer-groups`.

    python benchmarks/class_view.py [--n 1000] [--rounds 2] [--jobs 2] [--base COMMIT]

The class is the throughput benchmark's (the bundled samples cycled). The code before the class
view is taken from git (`git archive`), course files included, and run from its own folder; both
runs are whole commands (grading, gradebook, CSV, feedback, report). The class view's target:
batch within 20 % of the code before it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, make_submissions


def base_checkout(commit: str, target: Path) -> Path:
    """The tree at `commit`, unpacked into `target` (the autograder package and the course)."""
    archive = target.with_suffix(".tar")
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), commit], check=True)
    with tarfile.open(archive) as bundle:
        bundle.extractall(target, filter="data")
    return target


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


# The class report alone, in a process of its own, on the same gradebook: the best of 3 runs.
REPORT_TIMING = """
import sys, time
from pathlib import Path
from autograder.classroom import gradebook
{report}
with gradebook.open_existing(Path(sys.argv[1])) as connection:
    results = gradebook.latest_results(connection)
out = Path(sys.argv[2])
out.mkdir(exist_ok=True)
seconds = []
for _ in range(3):
    start = time.perf_counter()
    report(results, out)
    seconds.append(time.perf_counter() - start)
print(min(seconds))
"""
OUR_REPORT = "from autograder.classroom.class_view import write_class_report as report"
REPORT_BEFORE = """from autograder.reports import class_report as c
def report(results, out):
    summary = c.summarize(results)
    (out / "class_report.md").write_text(c.render_markdown_report(summary))
    (out / "class_report.html").write_text(c.render_html_report(summary))
"""


def report_seconds(code: Path, db: Path, out: Path, report: str) -> float:
    command = [sys.executable, "-c", REPORT_TIMING.format(report=report), str(db), str(out)]
    done = subprocess.run(command, cwd=code, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def batch_command(course: Path, submissions: Path, out: Path, jobs: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "autograder",
        "--course",
        str(course),
        "batch",
        str(submissions),
        "--out",
        str(out),
        "--no-progress",
        "--jobs",
        str(jobs),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="submissions in the class")
    parser.add_argument("--rounds", type=int, default=2, help="batch runs of each, alternating")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--base", default="", help="the commit without the class view (default: merge-base with main)"
    )
    args = parser.parse_args()
    base = (
        args.base
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    with tempfile.TemporaryDirectory(prefix="class-view-") as scratch_name:
        scratch = Path(scratch_name)
        submissions = scratch / "class"
        submissions.mkdir()
        make_submissions(submissions, args.n)
        before = base_checkout(base, scratch / "before")
        ours: list[float] = []
        theirs: list[float] = []
        for index in range(args.rounds):
            theirs.append(
                timed(batch_command(before, submissions, scratch / f"before-{index}", args.jobs), before)
            )
            ours.append(timed(batch_command(ROOT, submissions, scratch / f"ours-{index}", args.jobs), ROOT))
            print(f"round {index + 1}: before {theirs[-1]:.1f} s, class view {ours[-1]:.1f} s", flush=True)
        out = scratch / f"ours-{args.rounds - 1}"
        for folder, with_it in ((out, True), (scratch / "before-0", False)):  # each ran its own code
            shown = "## Item analysis" in (folder / "class_report.md").read_text(encoding="utf-8")
            assert shown == with_it, f"{folder}: the class view is {'missing' if with_it else 'there'}"
        db = out / "gradebook.sqlite"
        report_ours = report_seconds(ROOT, db, scratch / "report-ours", OUR_REPORT)
        report_before = report_seconds(before, db, scratch / "report-before", REPORT_BEFORE)
        autograder = [sys.executable, "-m", "autograder", "--course", str(ROOT)]
        similarity = timed(
            [*autograder, "similarity", str(submissions), "--out", str(out), "--jobs", str(args.jobs)], ROOT
        )
        groups = timed([*autograder, "answer-groups", "--db", str(out / "gradebook.sqlite")], ROOT)
        report = (out / "class_report.html").stat().st_size
    mine, peer = statistics.median(ours), statistics.median(theirs)
    runs = ", ".join(f"{s:.1f}" for s in ours)
    print(f"batch, class view   : {args.n} submissions, runs {runs} s (median {mine:.1f} s)")
    runs = ", ".join(f"{s:.1f}" for s in theirs)
    print(f"batch, before {base[:7]}: {args.n} submissions, runs {runs} s (median {peer:.1f} s)")
    print(f"ratio               : {mine / peer:.2f} (target: at most 1.20)")
    print(
        f"class report alone  : {report_ours:.2f} s with the class view, {report_before:.2f} s before "
        f"(same gradebook; class_report.html {report / 1024:.0f} KiB)"
    )
    print(f"similarity          : {similarity:.1f} s, {args.jobs} jobs (a separate command)")
    print(f"answer-groups       : {groups:.1f} s (a separate command)")


if __name__ == "__main__":
    main()
