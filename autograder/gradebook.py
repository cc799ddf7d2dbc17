"""The embedded gradebook: one SQLite file that records each result the moment it is known.

Every result is one row, keyed by student and by the submission's content hash, written in its own
transaction (WAL journal): a run killed at any moment loses no finished result and leaves no
half-written row, and a re-run grades only what is new or changed. Manual grades live in their own
table and are applied whenever results are read, so totals include them from then on.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from autograder.results import CheckOutcome, SubmissionResult

ERROR_SUFFIX = ":grader-error"  # a key under which a failed grading waits to be retried

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    seconds REAL NOT NULL,
    graded_at REAL NOT NULL,
    result_json TEXT NOT NULL,
    PRIMARY KEY (student, content_hash)
);
CREATE TABLE IF NOT EXISTS manual_grades (
    student TEXT NOT NULL,
    check_id TEXT NOT NULL,
    score REAL NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (student, check_id)
);
"""


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
        yield connection


def result_to_json(result: SubmissionResult) -> str:
    return json.dumps(asdict(result))


def result_from_json(text: str) -> SubmissionResult:
    data = json.loads(text)
    outcomes = tuple(
        CheckOutcome(**{**o, "misconceptions": tuple(o["misconceptions"])}) for o in data.pop("outcomes")
    )
    return SubmissionResult(**{**data, "outcomes": outcomes, "notes": tuple(data["notes"])})


def known_hashes(connection: sqlite3.Connection) -> set[tuple[str, str]]:
    return {(row[0], row[1]) for row in connection.execute("SELECT student, content_hash FROM results")}


def record(connection: sqlite3.Connection, student: str, content_hash: str, result: SubmissionResult) -> None:
    """Store one result, atomically: the row is there whole, or not at all."""
    with connection:
        connection.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                student,
                content_hash,
                result.score,
                result.max_score,
                result.seconds,
                time.time(),
                result_to_json(result),
            ),
        )


def set_manual_grade(
    connection: sqlite3.Connection, student: str, check_id: str, score: float, comment: str = ""
) -> None:
    with connection:
        connection.execute(
            "INSERT OR REPLACE INTO manual_grades VALUES (?, ?, ?, ?)", (student, check_id, score, comment)
        )


def apply_manual_grades(result: SubmissionResult, grades: dict[str, tuple[float, str]]) -> SubmissionResult:
    outcomes = []
    for outcome in result.outcomes:
        if outcome.manual and outcome.check_id in grades:
            score, comment = grades[outcome.check_id]
            feedback = outcome.feedback + (f"\nGrader's comment: {comment}" if comment else "")
            outcome = replace(
                outcome,
                score=min(score, outcome.max_score),
                graded=True,
                feedback=feedback,
                status="passed" if score >= outcome.max_score else "failed",
            )
        outcomes.append(outcome)
    return replace(result, outcomes=tuple(outcomes))


def latest_results(
    connection: sqlite3.Connection, current: dict[str, str] | None = None
) -> dict[str, SubmissionResult]:
    """Each student's result (for the given content hashes, or the newest), manual grades applied."""
    manual: dict[str, dict[str, tuple[float, str]]] = {}
    for student, check_id, score, comment in connection.execute("SELECT * FROM manual_grades"):
        manual.setdefault(student, {})[check_id] = (score, comment)
    rows = connection.execute("SELECT student, content_hash, result_json FROM results ORDER BY graded_at")
    graded: dict[str, SubmissionResult] = {}
    failed: dict[str, SubmissionResult] = {}
    for student, content_hash, text in rows:
        key = content_hash.removesuffix(ERROR_SUFFIX)
        if current is None or current.get(student) == key:
            target = failed if content_hash.endswith(ERROR_SUFFIX) else graded
            target[student] = apply_manual_grades(result_from_json(text), manual.get(student, {}))
    latest = {**failed, **graded}  # a real result wins over a grader error for the same content
    return dict(sorted(latest.items()))


def graded_rows(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = connection.execute(
        "SELECT student, content_hash, score, graded_at FROM results ORDER BY student"
    )
    return [dict(zip(("student", "content_hash", "score", "graded_at"), row, strict=True)) for row in cursor]
