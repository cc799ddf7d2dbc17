"""Exports of a class's results: the CSV gradebook and per-student feedback files."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from autograder.classroom.csv_cells import inert
from autograder.reports.feedback import result_feedback
from autograder.reports.gradescope import to_gradescope
from autograder.reports.html import render_html
from autograder.reports.markdown import render_markdown
from autograder.results.model import SubmissionResult


def output_folder(path: Path) -> Path:
    """`path` as a folder to write into (made if need be); a file there is a one-line
    NotADirectoryError, not a traceback from deep inside an export."""
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path}: exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


GradesRow = tuple[str, float, float, dict[str, float | str]]  # student, total, maximum, check -> score


def grades_row(student: str, result: SubmissionResult) -> GradesRow:
    """A student's row of grades.csv: each check's score ("" for a manual item not graded yet)."""
    scores: dict[str, float | str] = {o.check_id: (o.score if o.counts else "") for o in result.outcomes}
    return student, result.score, result.max_score, scores


class GradesTable:
    """grades.csv written as results are read, one at a time: each row goes to a temporary file at
    once (so the class's results are never all in memory), and the file is written at the end,
    when every check's column is known: one row per student, one column per check (its score, in
    the order the checks first appear), then total and maximum."""

    def __init__(self) -> None:
        self.check_ids: dict[str, None] = {}  # an ordered set
        self._rows = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")
        self._spool = csv.writer(self._rows)

    def add(self, student: str, result: SubmissionResult) -> None:
        self.add_row(grades_row(student, result))

    def add_row(self, row: GradesRow) -> None:
        student, total, max_score, scores = row
        for check_id in scores:
            self.check_ids.setdefault(check_id)
        # The checks known so far: any later column is one this result does not have (left empty).
        self._spool.writerow([total, max_score, student, *(scores.get(c, "") for c in self.check_ids)])

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._rows.seek(0)
        columns = len(self.check_ids)
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["student", *self.check_ids, "total", "max_score"])
            for total, max_score, student, *scores in csv.reader(self._rows):
                writer.writerow([inert(student), *scores, *[""] * (columns - len(scores)), total, max_score])
        return path

    def close(self) -> None:
        self._rows.close()


def write_csv(results: Mapping[str, SubmissionResult], path: Path) -> Path:
    """One row per student, one column per check (its score), then total and maximum."""
    table = GradesTable()
    try:
        for student, result in results.items():
            table.add(student, result)
        return table.write(path)
    finally:
        table.close()


def write_feedback_files(
    results: Mapping[str, SubmissionResult] | Iterable[tuple[str, SubmissionResult]],
    folder: Path,
    *,
    plots: bool = False,
) -> int:
    """<folder>/<student>/results.json, feedback.md and feedback.html (with the gradient plot if
    `plots`: it costs about 0.1 s a student), for a mapping or a stream of (student, result)."""
    own_folder(folder)
    count = 0
    for student, result in results.items() if isinstance(results, Mapping) else results:
        target = own_folder(folder / student)
        feedback = result_feedback(result)  # the sentences, made once for the three renderings
        write_own(target / "results.json", json.dumps(to_gradescope(result, feedback), indent=1))
        write_own(target / "feedback.md", render_markdown(result, feedback))
        write_own(target / "feedback.html", render_html(result, plots=plots, feedback=feedback))
        count += 1
    return count


def own_folder(path: Path) -> Path:
    """`path` as a real folder of the output: a symbolic link found there (planted by a student
    when the output sits in the class folder) is removed, never written through."""
    if path.is_symlink():
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_own(path: Path, text: str) -> None:
    """Write a file of the output without following a link at its place."""
    if path.is_symlink():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
