"""Exports of a class's results: the CSV gradebook and per-student feedback files."""

from __future__ import annotations

import csv
import json
import os
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
    own_folder(folder)
    for student, result in results.items():
        target = own_folder(folder / student)
        write_own(target / "results.json", json.dumps(to_gradescope(result), indent=1))
        write_own(target / "feedback.md", render_markdown(result))
        write_own(target / "feedback.html", render_html(result, plots=plots))
    return len(results)


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
