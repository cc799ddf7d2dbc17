"""Exports of a class's results: the CSV gradebook and per-student feedback files."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

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


def inert(text: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates: a student's folder named `=HYPERLINK(...)`
    or `+1+2` gets a leading apostrophe (the OWASP advice against CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(results: Mapping[str, SubmissionResult], path: Path) -> Path:
    """One row per student, one column per check (its score), then total and maximum."""
    check_ids: list[str] = []
    for result in results.values():
        check_ids += [o.check_id for o in result.outcomes if o.check_id not in check_ids]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *check_ids, "total", "max_score"])
        for student, result in results.items():
            scores = {o.check_id: (o.score if o.counts else "") for o in result.outcomes}
            writer.writerow(
                [inert(student), *(scores.get(c, "") for c in check_ids), result.score, result.max_score]
            )
    return path


def write_feedback_files(
    results: Mapping[str, SubmissionResult], folder: Path, *, plots: bool = False
) -> int:
    """<folder>/<student>/results.json, feedback.md and feedback.html (with the gradient plot if
    `plots`: it costs about 0.1 s a student)."""
    for student, result in results.items():
        target = folder / student
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(to_gradescope(result), indent=1), encoding="utf-8")
        (target / "feedback.md").write_text(render_markdown(result), encoding="utf-8")
        (target / "feedback.html").write_text(render_html(result, plots=plots), encoding="utf-8")
    return len(results)
