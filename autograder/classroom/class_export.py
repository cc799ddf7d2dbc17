"""A class's exports from its gradebook (grades.csv, feedback/, the class report) in one pass over
it: each result is read, written out and tallied, then dropped, so a class of any size takes the
same memory. A large class is cut into runs of students, in order, exported by a pool of processes
(reading, rendering and writing are most of an export's time); their tallies are put back together
in the same order, so every file is what one process would have written."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.classroom import class_view, export, gradebook
from autograder.results.model import GraderError, SubmissionResult

ALONE_BELOW = 400  # students: fewer are exported in this process (a pool costs more than it saves)
RUNS_PER_PROCESS = 4  # runs of students per process: a slow run does not hold up the others


@dataclass(frozen=True)
class Exported:
    """What an export wrote: how many students, and the grader's failures (their tracebacks are
    for the instructor's log)."""

    students: int
    grader_errors: dict[str, GraderError]


@dataclass
class RunExport:
    """What exporting one run of students leaves to put together: its rows of grades.csv, its
    tally for the class report, its grader errors."""

    rows: list[export.GradesRow] = field(default_factory=list)
    tally: class_view.ClassTally = field(default_factory=class_view.ClassTally)
    grader_errors: dict[str, GraderError] = field(default_factory=dict)
    students: int = 0

    def add(self, student: str, result: SubmissionResult) -> None:
        self.rows.append(export.grades_row(student, result))
        self.tally.add(student, result)
        if result.grader_error is not None:
            self.grader_errors[student] = result.grader_error


def export_run(
    db: Path, chosen: gradebook.Chosen, manual: gradebook.ManualGrades, feedback: Path, plots: bool
) -> RunExport:
    """Export one run of students (in a process of the pool): their feedback files, and the rest."""
    run = RunExport()

    def tallied(results: Iterator[tuple[str, SubmissionResult]]) -> Iterator[tuple[str, SubmissionResult]]:
        for student, result in results:
            run.add(student, result)
            yield student, result

    with gradebook.reading(db) as connection:
        results = tallied(gradebook.results_chosen(connection, chosen, manual))
        run.students = export.write_feedback_files(results, feedback, plots=plots)
    return run


def export_class(
    db: Path,
    out: Path,
    *,
    plots: bool = False,
    current: dict[str, str] | None = None,
    jobs: int | None = None,
) -> Exported:
    """Write grades.csv, feedback/ and the class report from an existing gradebook (never creates
    one: gradebook.GradebookError); an output that cannot be written raises OSError. `jobs`:
    processes (default: one per core)."""
    # Open all along: the last to close the gradebook is this read-write connection, which leaves
    # no -wal or -shm file behind (the pool's read-only ones cannot remove them).
    with gradebook.open_existing(db) as connection:
        chosen, manual = gradebook.latest_choice(connection, current)
        return _export(db, out, chosen, manual, plots=plots, current=current, jobs=jobs)


def _export(
    db: Path,
    out: Path,
    chosen: gradebook.Chosen,
    manual: gradebook.ManualGrades,
    *,
    plots: bool,
    current: dict[str, str] | None,
    jobs: int | None,
) -> Exported:
    export.output_folder(out)
    export.own_folder(out / "feedback")
    processes = min(jobs or os.cpu_count() or 1, max(len(chosen) // ALONE_BELOW, 1))
    runs: Iterator[RunExport] | list[RunExport]
    if processes == 1:
        runs = [export_run(db, chosen, manual, out / "feedback", plots)]
    else:
        runs = _in_parallel(db, chosen, manual, out / "feedback", plots, processes)
    table, tally = export.GradesTable(), class_view.ClassTally()
    errors: dict[str, GraderError] = {}
    students = 0
    try:
        for run in runs:  # in the students' order: the files are what one pass would write
            for row in run.rows:
                table.add_row(row)
            tally.merge(run.tally)
            errors.update(run.grader_errors)
            students += run.students
        table.write(out / "grades.csv")
    finally:
        table.close()
    class_view.write_class_report(tally, out, current)
    return Exported(students, errors)


def _in_parallel(
    db: Path,
    chosen: gradebook.Chosen,
    manual: gradebook.ManualGrades,
    feedback: Path,
    plots: bool,
    processes: int,
) -> Iterator[RunExport]:
    """The runs exported by a pool whose processes die with this one, yielded in order."""
    from autograder.classroom.batch import worker_start

    size = -(-len(chosen) // (processes * RUNS_PER_PROCESS))
    with ProcessPoolExecutor(processes, initializer=worker_start, initargs=(os.getpid(),)) as pool:
        futures = deque(
            pool.submit(export_run, db, chosen[start : start + size], manual, feedback, plots)
            for start in range(0, len(chosen), size)
        )
        try:
            while futures:  # each run let go of once merged: the class is never held whole
                yield futures.popleft().result()
        finally:
            for future in futures:
                future.cancel()
