"""Manual grades (the written explanation), typed in one at a time or imported from a CSV.

Every grade is checked against the gradebook before any is written: the student has a result in
it, the check is one of its manual items, and the score is a finite number from 0 to the item's
points. A CSV (columns student,check_id,score[,comment]) is read as Excel writes it: UTF-8 with or
without a byte-order mark, comma, semicolon or tab separated; a bad row is named by its number as
a spreadsheet shows it (the header is row 1). One bad grade and nothing is written.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import math
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom import gradebook
from autograder.results.model import CheckOutcome

COLUMNS = ("student", "check_id", "score")
EXPECTED = "expected columns student,check_id,score[,comment]"
DELIMITERS = ",;\t"
SNIFF_CHARS = 8192

Roster = Mapping[str, Mapping[str, CheckOutcome]]  # student -> check id -> the check's outcome


class ManualGradeError(Exception):
    """A grade that cannot be recorded; one line naming the file and row, or the value."""


@dataclass(frozen=True)
class Entry:
    """One grade as given, not yet checked: from the command line, or a CSV's row (1 = header)."""

    student: str
    check_id: str
    score: str
    comment: str
    source: Path | None = None
    row: int = 0

    @property
    def where(self) -> str:
        """What a message about this grade starts with: "FILE: row N: ", or nothing."""
        return f"{self.source}: row {self.row}: " if self.source else ""

    @property
    def origin(self) -> str:
        return f"row {self.row}" if self.source else "the command line"


def record_manual_grades(db: Path, values: Sequence[str], import_csv: Path | None, comment: str = "") -> int:
    """Check every grade given (STUDENT CHECK SCORE and/or a CSV), then write them all in one
    transaction. Returns how many were recorded; raises ManualGradeError (nothing written) or
    gradebook.GradebookError. The CSV's rows are checked in order, so the first bad row is named."""
    typed: list[Entry] = []
    if values:
        if len(values) != 3:
            got = " ".join(repr(value) for value in values)
            raise ManualGradeError(f"STUDENT CHECK SCORE: got {len(values)} value(s): {got}")
        typed.append(Entry(values[0], values[1], values[2], comment))
    elif comment:
        raise ManualGradeError("--comment: goes with one grade given as STUDENT CHECK SCORE")
    if not typed and not import_csv:
        raise ManualGradeError("give STUDENT CHECK SCORE or --import CSV")
    with gradebook.open_existing(db) as connection:
        entries = itertools.chain(read_csv(import_csv) if import_csv else (), typed)
        rows = validated(entries, roster(connection), db)
        gradebook.set_manual_grades(connection, rows)
    return len(rows)


def roster(connection: sqlite3.Connection) -> dict[str, dict[str, CheckOutcome]]:
    """Each student in the gradebook with their result's checks."""
    results = gradebook.latest_results(connection)
    return {student: {o.check_id: o for o in r.outcomes} for student, r in results.items()}


def validated(entries: Iterable[Entry], students: Roster, db: Path) -> list[tuple[str, str, float, str]]:
    """(student, check id, score, comment) rows; the first bad entry raises ManualGradeError."""
    rows: list[tuple[str, str, float, str]] = []
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = (entry.student, entry.check_id)
        if key in seen:
            raise ManualGradeError(
                f"{entry.where}{entry.student!r} {entry.check_id!r}: given twice (also in {seen[key].origin})"
            )
        seen[key] = entry
        outcome = _manual_item(entry, students, db)
        try:
            score = parse_score(entry.score, outcome)
        except ManualGradeError as error:
            raise ManualGradeError(f"{entry.where}{error}") from None
        rows.append((entry.student, entry.check_id, score, entry.comment))
    return rows


def _manual_item(entry: Entry, students: Roster, db: Path) -> CheckOutcome:
    checks = students.get(entry.student)
    if checks is None:
        raise ManualGradeError(
            f"{entry.where}{entry.student!r}: no such student in {db}{did_you_mean(entry.student, students)}"
        )
    outcome = checks.get(entry.check_id)
    if outcome is None:
        raise ManualGradeError(
            f"{entry.where}{entry.check_id!r}: no such check{did_you_mean(entry.check_id, checks)}"
        )
    if not outcome.manual:
        manual = ", ".join(sorted(c for c, o in checks.items() if o.manual)) or "none"
        raise ManualGradeError(f"{entry.where}{entry.check_id}: not a manual item (those are: {manual})")
    return outcome


def parse_score(text: str, outcome: CheckOutcome) -> float:
    """A finite number from 0 to the check's points; "3,5" (a decimal comma) is 3.5."""
    cleaned = text.strip()
    if re.fullmatch(r"[+-]?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        score = float(cleaned)
    except ValueError:
        raise ManualGradeError(f"score {text!r}: not a number") from None
    if not math.isfinite(score):
        raise ManualGradeError(f"score {text!r}: not a finite number")
    if not 0 <= score <= outcome.max_score:
        raise ManualGradeError(
            f"score {text!r}: outside 0 to {outcome.max_score:g}, the points of {outcome.check_id}"
        )
    return score


def shell_quoted(text: str) -> str:
    """`text` in single quotes, as a shell takes it back unchanged (not a Python repr, which would
    double the backslash of an id such as `new\\nline`)."""
    return "'" + text.replace("'", "'\\''") + "'"


def did_you_mean(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3)
    # As typed on a command line: the name itself, quoted for the shell, not a Python repr.
    return f" (did you mean {' or '.join(shell_quoted(c) for c in close)}?)" if close else ""


def read_csv(path: Path) -> Iterator[Entry]:
    """The CSV's grades one row at a time (blank rows skipped), unchecked against the gradebook;
    a malformed file or row raises ManualGradeError naming the file (and the row)."""
    text = _csv_text(path)
    delimiter = _delimiter(text)
    header: dict[str, int] = {}
    number = grades = 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if number == 1:
                header = _header(path, row)
            elif any(cell.strip() for cell in row):
                grades += 1
                yield _entry(path, number, header, row)
    except csv.Error as error:  # the row after the last one read whole
        raise ManualGradeError(f"{path}: row {number + 1}: {error}") from None
    if not header:
        raise ManualGradeError(f"{path}: empty ({EXPECTED})")
    if not grades:
        raise ManualGradeError(f"{path}: no grades in it, only the header")


def _csv_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManualGradeError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ManualGradeError(
            f"{path}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start}); "
            "save it as CSV UTF-8"
        ) from None


def _delimiter(text: str) -> str:
    """The separator csv.Sniffer finds (comma if it finds none), unless only another one gives
    the header its columns. Quoting is Excel's whatever the separator."""
    try:
        sniffed = str(csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=DELIMITERS).delimiter)
    except csv.Error:
        sniffed = ","
    first_line = text.splitlines()[0] if text.strip() else ""
    candidates: list[str] = [sniffed, *DELIMITERS]
    for delimiter in candidates:
        names = {cell.strip().lower() for cell in next(csv.reader([first_line], delimiter=delimiter), [])}
        if set(COLUMNS) <= names:
            return delimiter
    return sniffed


def _header(path: Path, row: list[str]) -> dict[str, int]:
    """Each column's index (names are trimmed, any case); "" is how many fields the header has."""
    names = [cell.strip().lower() for cell in row]
    for column in COLUMNS:
        if column not in names:
            raise ManualGradeError(f"{path}: row 1: no column {column!r} ({EXPECTED})")
    return {name: names.index(name) for name in (*COLUMNS, "comment") if name in names} | {"": len(names)}


def _entry(path: Path, number: int, header: Mapping[str, int], row: list[str]) -> Entry:
    where = f"{path}: row {number}: "
    width = header[""]
    if any(cell.strip() for cell in row[width:]):
        raise ManualGradeError(f"{where}{len(row)} fields, but the header has {width}")
    values = {name: row[index].strip() if index < len(row) else "" for name, index in header.items() if name}
    for column in COLUMNS:
        if not values[column]:
            raise ManualGradeError(f"{where}no {column} ({EXPECTED})")
    student, check_id, score = (values[column] for column in COLUMNS)
    return Entry(student, check_id, score, values.get("comment", ""), path, number)
