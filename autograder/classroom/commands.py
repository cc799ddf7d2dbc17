"""The instructor's class-level commands: batch grading with progress, manual grades, exports."""

from __future__ import annotations

import csv
import sqlite3
import sys
from concurrent.futures import Executor
from pathlib import Path

from autograder.classroom import batch as batching
from autograder.classroom import export, gradebook
from autograder.course import Course
from autograder.reports import class_report
from autograder.results.model import SubmissionResult


def progress_reporter(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    """A rich progress bar (done, rate, ETA, trouble so far) on stderr; a no-op when disabled."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f}/s"),
        TimeRemainingColumn(),
        TextColumn("trouble: {task.fields[trouble]}"),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )
    task = progress.add_task("grading", total=total, rate=0.0, trouble=0)

    def hook(done: int, todo: int, summary: batching.BatchSummary) -> None:
        progress.update(task, completed=done, total=todo, rate=summary.rate, trouble=len(summary.troubled))

    return progress, hook


def export_all(
    db: Path, out: Path, *, plots: bool = False, current: dict[str, str] | None = None
) -> dict[str, SubmissionResult]:
    with gradebook.connect(db) as connection:
        results = gradebook.latest_results(connection, current)
    out.mkdir(parents=True, exist_ok=True)
    export.write_csv(results, out / "grades.csv")
    export.write_feedback_files(results, out / "feedback", plots=plots)
    summary = class_report.summarize(results)
    (out / "class_report.md").write_text(class_report.render_markdown_report(summary), encoding="utf-8")
    (out / "class_report.html").write_text(class_report.render_html_report(summary), encoding="utf-8")
    return results


def dask_executor(address: str) -> Executor:
    from dask.distributed import Client

    client = Client(address)  # type: ignore[no-untyped-call]
    return client.get_executor()  # type: ignore[no-untyped-call,no-any-return]


def grade_class(
    submissions: Path,
    *,
    out: Path,
    db: Path | None = None,
    jobs: int | None = None,
    dask_scheduler: str | None = None,
    course: Course,
    sandbox: bool | None = None,
    progress: bool = True,
    plots: bool = False,
    executor: Executor | None = None,
) -> int:
    if not submissions.exists():
        print(f"autograder: {submissions}: no such file or folder", file=sys.stderr)
        return 3
    out.mkdir(parents=True, exist_ok=True)
    db = db or out / "gradebook.sqlite"
    try:
        modules = tuple(p.stem for p in sorted(course.solutions.glob("*.py")))
        with batching.opened(submissions, modules) as folder:
            found = batching.discover(folder, batching.grading_fingerprint(course))
            executor = executor or (dask_executor(dask_scheduler) if dask_scheduler else None)
            bar, hook = progress_reporter(len(found), progress and sys.stderr.isatty())
            with bar:
                summary = batching.run_batch(
                    found, db, course=course, executor=executor, jobs=jobs, sandbox=sandbox, on_progress=hook
                )
            current = {s.student: s.content_hash for s in found}
    except batching.BatchInputError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 3
    results = export_all(db, out, plots=plots, current=current)
    errors = {s: r.grader_error for s, r in results.items() if r.grader_error is not None}
    if errors:
        log = out / "grader_errors.log"
        log.write_text(
            "".join(f"== {s}: {e.message}\n{e.traceback}\n" for s, e in errors.items()), encoding="utf-8"
        )
        print(
            f"autograder: the grader failed on {len(errors)} submission(s); tracebacks in {log}",
            file=sys.stderr,
        )
    print(
        f"{len(found)} submissions: {summary.graded} graded ({summary.rate:.1f}/s), "
        f"{summary.skipped} already in the gradebook, {len(summary.troubled)} crashed, hung or hit a limit, "
        f"{len(summary.grader_errors)} grader errors"
    )
    print(
        f"gradebook {db}; grades {out / 'grades.csv'}; report {out / 'class_report.html'}; "
        f"feedback {out / 'feedback'} ({len(results)} students)"
    )
    return 0


def manual_grades(db: Path, entry: list[str], import_csv: Path | None, comment: str) -> int:
    rows: list[tuple[str, str, float, str]] = []
    try:
        if import_csv:
            with import_csv.open(newline="", encoding="utf-8") as source:
                for row in csv.DictReader(source):
                    rows.append(
                        (row["student"], row["check_id"], float(row["score"]), row.get("comment") or "")
                    )
        if entry:
            if len(entry) != 3:
                raise ValueError("expected STUDENT CHECK SCORE")
            rows.append((entry[0], entry[1], float(entry[2]), comment))
    except (KeyError, ValueError) as error:
        where = f"{import_csv}: " if import_csv else ""
        print(
            f"autograder: {where}{error}: expected columns student,check_id,score[,comment]", file=sys.stderr
        )
        return 2
    if not rows:
        print("autograder: give STUDENT CHECK SCORE or --import CSV", file=sys.stderr)
        return 2
    with gradebook.connect(db) as connection:
        manual_checks = _manual_checks(connection)
        for student, check_id, score, note in rows:
            if manual_checks and check_id not in manual_checks:
                print(
                    f"autograder: {check_id} is not a manual item (those are {sorted(manual_checks)})",
                    file=sys.stderr,
                )
                return 2
            gradebook.set_manual_grade(connection, student, check_id, score, note)
    print(f"recorded {len(rows)} manual grade(s) in {db}")
    return 0


def _manual_checks(connection: sqlite3.Connection) -> set[str]:
    results = gradebook.latest_results(connection)
    return {o.check_id for r in results.values() for o in r.outcomes if o.manual}
