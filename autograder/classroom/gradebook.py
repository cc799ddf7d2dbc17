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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.results.model import ManualGrade, SubmissionResult, with_manual_grades
from autograder.results.serialize import result_from_json, storable_json

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    seconds REAL NOT NULL,
    graded_at REAL NOT NULL,
    result_json TEXT NOT NULL,
    grader_error INTEGER NOT NULL DEFAULT 0, -- 1: the grader failed; the next run grades it again
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


class GradebookError(Exception):
    """A gradebook that is missing, is not a gradebook, or cannot be read or written: one line."""


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """Open the gradebook, creating it if need be (what `batch` does)."""
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        _prepare(connection)
        yield connection


@contextmanager
def open_existing(path: Path) -> Iterator[sqlite3.Connection]:
    """Open a gradebook that `batch` made, read/write; never create one. Any SQLite error, on
    opening or inside the block, becomes a one-line GradebookError naming the file."""
    if path.is_dir():
        raise GradebookError(f"{path}: a folder, not a gradebook file")
    if not path.is_file():
        raise GradebookError(f"{path}: no such gradebook (`autograder batch` creates one)")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as error:
        raise GradebookError(f"{path}: cannot open the gradebook: {error}") from error
    with closing(connection):
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "results" not in tables:
                raise GradebookError(f"{path}: not a gradebook (it has no results table)")
            _prepare(connection)
            yield connection
        except sqlite3.Error as error:
            raise GradebookError(f"{path}: {_sqlite_text(error)}") from error


def _sqlite_text(error: sqlite3.Error) -> str:
    text = str(error)
    return "not a gradebook (not an SQLite file)" if text == "file is not a database" else text


def _prepare(connection: sqlite3.Connection) -> None:
    # WAL with synchronous=NORMAL: a commit appends to the write-ahead log and returns without an
    # fsync (SQLite syncs at checkpoints). A committed result survives the batch being killed or
    # crashing at any moment (the log is in the OS's hands), and the file is never corrupted; only
    # an OS crash or a power loss may roll back the last commits (FULL would fsync each one, at
    # the cost of a disk flush per result). One transaction per result costs ~0.1 ms, so results
    # are not batched: each is committed before it is counted.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(SCHEMA)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(results)")}
    if "grader_error" not in columns:  # a gradebook from before grader errors had a column
        connection.execute("ALTER TABLE results ADD COLUMN grader_error INTEGER NOT NULL DEFAULT 0")


def known_hashes(connection: sqlite3.Connection) -> set[tuple[str, str]]:
    """What is graded already; a grader error is not (the next run tries it again)."""
    rows = connection.execute("SELECT student, content_hash FROM results WHERE grader_error = 0")
    return {(row[0], row[1]) for row in rows}


@dataclass(frozen=True)
class Row:
    """One result as the gradebook keeps it: the figures it is counted and queried by, and the
    result's JSON. A batch worker makes it where the result is, so the batch stores the JSON as it
    came, without reading it back into a result and writing it out again."""

    score: float
    max_score: float
    seconds: float
    grader_error: bool
    troubled: bool  # crashed, hung, hit a limit, ...: `SubmissionResult.troubles`
    document: str  # storable_json of the result

    @classmethod
    def of(cls, result: SubmissionResult) -> Row:
        return cls(
            result.score,
            result.max_score,
            result.seconds,
            result.grader_error is not None,
            bool(result.troubles),
            storable_json(result),
        )

    def to_text(self) -> str:
        """One line of the figures, then the document (how a worker sends it)."""
        figures = [self.score, self.max_score, self.seconds, self.grader_error, self.troubled]
        return json.dumps(figures) + "\n" + self.document

    @classmethod
    def from_text(cls, text: str) -> Row:
        """The inverse of `to_text`; ValueError if `text` is not one."""
        line, _, document = text.partition("\n")
        score, max_score, seconds, grader_error, troubled = json.loads(line)
        if not document.startswith("{") or not all(type(f) is bool for f in (grader_error, troubled)):
            raise ValueError("not a result row")
        return cls(float(score), float(max_score), float(seconds), grader_error, troubled, document)


def record(
    connection: sqlite3.Connection, student: str, content_hash: str, result: SubmissionResult | Row
) -> None:
    """Store one result, atomically: the row is there whole, or not at all."""
    row = result if isinstance(result, Row) else Row.of(result)
    with connection:
        connection.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                student,
                content_hash,
                row.score,
                row.max_score,
                row.seconds,
                time.time(),
                row.document,
                int(row.grader_error),
            ),
        )


def set_manual_grade(
    connection: sqlite3.Connection, student: str, check_id: str, score: float, comment: str = ""
) -> None:
    with connection:
        connection.execute(
            "INSERT OR REPLACE INTO manual_grades VALUES (?, ?, ?, ?)", (student, check_id, score, comment)
        )


def set_manual_grades(connection: sqlite3.Connection, grades: Iterable[tuple[str, str, float, str]]) -> None:
    """Store (student, check id, score, comment) rows in one transaction: all of them, or none."""
    with connection:
        connection.executemany("INSERT OR REPLACE INTO manual_grades VALUES (?, ?, ?, ?)", grades)


def latest_results(
    connection: sqlite3.Connection, current: dict[str, str] | None = None
) -> dict[str, SubmissionResult]:
    """Each student's result (for the given content hashes, or the newest), manual grades beside it."""
    return dict(each_latest_result(connection, current))


Chosen = list[tuple[str, int]]  # (student, the rowid of the result to read), by student
ManualGrades = dict[str, dict[str, ManualGrade]]  # student -> check id -> grade


def each_latest_result(
    connection: sqlite3.Connection, current: Mapping[str, str] | None = None
) -> Iterator[tuple[str, SubmissionResult]]:
    """`latest_results` one student at a time, in the same order (by student), read from one
    snapshot of the gradebook: only one result is in memory at once, however large the class."""
    began = not connection.in_transaction
    if began:  # one read transaction: a batch writing meanwhile is not seen half-way
        connection.execute("BEGIN")
    try:
        chosen, manual = latest_choice(connection, current)
        yield from results_chosen(connection, chosen, manual)
    finally:
        if began:
            connection.rollback()


def latest_choice(
    connection: sqlite3.Connection, current: Mapping[str, str] | None = None
) -> tuple[Chosen, ManualGrades]:
    """Which row is each student's result (for the given content hashes, or the newest), by
    student; and the manual grades. Small: no result is read."""
    manual: ManualGrades = {}
    for student, check_id, score, comment in connection.execute("SELECT * FROM manual_grades"):
        manual.setdefault(student, {})[check_id] = ManualGrade(score, comment)
    latest: dict[str, int] = {}
    for rowid, student, content_hash in connection.execute(
        "SELECT rowid, student, content_hash FROM results ORDER BY graded_at"
    ):
        if current is None or current.get(student) == content_hash:
            latest[student] = rowid
    return [(student, latest[student]) for student in sorted(latest)], manual


def results_chosen(
    connection: sqlite3.Connection, chosen: Chosen, manual: ManualGrades
) -> Iterator[tuple[str, SubmissionResult]]:
    """The chosen rows' results, one at a time, manual grades beside them."""
    for student, rowid in chosen:
        found = connection.execute(
            "SELECT result_json FROM results WHERE rowid = ? AND student = ?", (rowid, student)
        ).fetchone()
        if found is None:
            raise GradebookError(f"{student}'s result changed while it was read: run the command again")
        yield student, with_manual_grades(result_from_json(found[0]), manual.get(student, {}))


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a gradebook known to exist (a process of a parallel export)."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)) as connection:
        yield connection


def graded_rows(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = connection.execute(
        "SELECT student, content_hash, score, graded_at FROM results ORDER BY student"
    )
    return [dict(zip(("student", "content_hash", "score", "graded_at"), row, strict=True)) for row in cursor]
