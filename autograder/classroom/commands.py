"""The instructor's class-level commands: batch grading with progress, exports (manual grades:
`manual_grades.py`)."""

from __future__ import annotations

import sys
from concurrent.futures import Executor
from pathlib import Path

from autograder.classroom import batch as batching
from autograder.classroom.class_export import Exported, export_class
from autograder.course import Course


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
    db: Path,
    out: Path,
    *,
    plots: bool = False,
    current: dict[str, str] | None = None,
    jobs: int | None = None,
) -> Exported:
    """Write grades.csv, feedback/ and the class report from an existing gradebook (never creates
    one: gradebook.GradebookError); an output that cannot be written raises OSError. See
    `class_export`: one pass, one result in memory at a time, in `jobs` processes."""
    return export_class(db, out, plots=plots, current=current, jobs=jobs)


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
    """Grade SUBMISSIONS into the gradebook, then export. 0 when done; 3 for SUBMISSIONS that is not
    a folder or a readable zip; 130 after Ctrl-C, with one line saying what the gradebook keeps.
    The output folder and the gradebook are never taken for a student, even inside SUBMISSIONS."""
    if not submissions.exists():
        print(f"autograder: {submissions}: no such file or folder", file=sys.stderr)
        return 3
    out.mkdir(parents=True, exist_ok=True)
    db = db or out / "gradebook.sqlite"
    try:
        modules = tuple(p.stem for p in sorted(course.solutions.glob("*.py")))
        with batching.opened(submissions, modules) as intake:
            exports = (out, db, out / "feedback")  # never students, even with OUT the class folder
            _print_notes(submissions, (*intake.notes, *_taken_by_exports(intake.folder, exports, modules)))
            found = batching.discover(
                intake.folder,
                batching.grading_fingerprint(course),
                modules=modules,
                exclude=exports,
                damaged=intake.damaged,
            )
            executor = executor or (dask_executor(dask_scheduler) if dask_scheduler else None)
            bar, hook = progress_reporter(len(found), progress and sys.stderr.isatty())
            with bar:
                summary = batching.run_batch(
                    found, db, course=course, executor=executor, jobs=jobs, sandbox=sandbox, on_progress=hook
                )
            current = {s.student: s.content_hash for s in found}
        exported = export_all(db, out, plots=plots, current=current, jobs=jobs)
    except batching.BatchInputError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        kept = batching.results_kept(db)
        print(
            f"autograder: interrupted; {kept} result(s) are kept in {db}: "
            "the same command again resumes, grading only the rest",
            file=sys.stderr,
        )
        return 130
    _print_summary(found, summary, exported, db, out)
    return 0


def _taken_by_exports(folder: Path, exports: tuple[Path, ...], modules: tuple[str, ...]) -> list[str]:
    """A student's folder that sits where the exports go is not graded: say so, never silently."""
    return [
        f"'{path.name}': holds exercise files but is where the exports go (--out): not graded; "
        "choose another --out"
        for path in exports
        if path.parent.resolve() == folder.resolve()
        and path.is_dir()
        and any((path / f"{module}.py").is_file() for module in modules)
    ]


def _print_notes(source: Path, notes: tuple[str, ...], shown: int = 10) -> None:
    """What the zip left out, one line each, at most `shown` lines and a count of the rest."""
    for note in notes[:shown]:
        print(f"autograder: {source}: {note}", file=sys.stderr)
    if len(notes) > shown:
        print(f"autograder: {source}: {len(notes) - shown} more entries not extracted", file=sys.stderr)


def _print_summary(
    found: list[batching.Submission],
    summary: batching.BatchSummary,
    exported: Exported,
    db: Path,
    out: Path,
) -> None:
    errors = exported.grader_errors
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
        f"feedback {out / 'feedback'} ({exported.students} students)"
    )
