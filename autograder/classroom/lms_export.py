"""Grades as the LMS imports them: Canvas's gradebook import CSV and Moodle's grade import CSV.

Canvas (Instructor Guide, "How do I import grades in the Gradebook?", and what its importer,
canvas-lms app/models/gradebook_importer.rb, reads): the header is `Student, ID, SIS User ID,
SIS Login ID, Section`, then one column per assignment, titled `Name` (a new assignment) or
`Name (id)` (an existing one); a second row starting `Points Possible` gives each assignment's
points; each student row is matched by Canvas user ID, then SIS User ID, then SIS Login ID, then
name. An empty cell or `-` is no grade.

Moodle (MoodleDocs, "Grade import", CSV import; grade/import/csv/classes/load_data.php): a header
row of unique column names, one row per student; at import the instructor maps one column to the
user field that identifies students (`ID number` -> useridnumber, `Email address` -> useremail,
`Username` -> username) and each grade column to a grade item (or a new one). Grades are plain
numbers with a decimal point; an empty cell or `-` is no grade.

The gradebook's student ids are submission folder names; when those are not the LMS's, a mapping
file says who is who: a CSV with a `student` column and any of `name`, `canvas_id`,
`sis_user_id`, `sis_login_id`, `section` (Canvas) and `idnumber`, `email`, `username` (Moodle).
Without one, the id is taken as the SIS login (Canvas) and the username (Moodle).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from autograder.classroom.csv_cells import inert
from autograder.results.model import SubmissionResult

PLATFORMS = ("canvas", "moodle")
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_IDENTITY_COLUMNS = {"idnumber": "ID number", "email": "Email address", "username": "Username"}


class LmsExportError(ValueError):
    """A mapping file or a choice the export cannot use: one line."""


@dataclass(frozen=True)
class LmsStudent:
    """Who a gradebook student is in the LMS (empty: not given)."""

    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    idnumber: str = ""
    email: str = ""
    username: str = ""


MAPPING_COLUMNS = ("student", *(f.name for f in fields(LmsStudent)))


@dataclass(frozen=True)
class LmsGrades:
    """What goes to the LMS: one total per student, out of the assignment's points."""

    assignment: str
    points: float
    scores: Mapping[str, float]  # gradebook student -> total (manual grades included once entered)
    ungraded: tuple[str, ...]  # students with a manual item not graded yet (their totals lack it)


def lms_grades(results: Mapping[str, SubmissionResult], assignment: str) -> LmsGrades:
    points = max((sum(o.max_score for o in r.outcomes) for r in results.values()), default=0.0)
    ungraded = tuple(s for s, r in results.items() if any(not o.counts for o in r.outcomes))
    return LmsGrades(assignment, points, {s: r.score for s, r in results.items()}, ungraded)


def score_text(score: float) -> str:
    """A grade as both importers read it: a plain number with a decimal point, at most 2 places."""
    return f"{round(score, 2):.2f}".rstrip("0").rstrip(".")


def canvas_csv(grades: LmsGrades, identities: Mapping[str, LmsStudent], assignment_id: str = "") -> str:
    title = f"{grades.assignment} ({assignment_id})" if assignment_id else grades.assignment
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CANVAS_STUDENT_COLUMNS, title])
    writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", score_text(grades.points)])
    for student, score in grades.scores.items():
        who = identities[student]
        cells = (who.name or student, who.canvas_id, who.sis_user_id, who.sis_login_id, who.section)
        writer.writerow([*(inert(cell) for cell in cells), score_text(score)])
    return out.getvalue()


def moodle_csv(grades: LmsGrades, identities: Mapping[str, LmsStudent]) -> str:
    given = [f for f in MOODLE_IDENTITY_COLUMNS if any(getattr(identities[s], f) for s in grades.scores)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(MOODLE_IDENTITY_COLUMNS[f] for f in given), grades.assignment])
    for student, score in grades.scores.items():
        who = identities[student]
        writer.writerow([*(inert(getattr(who, f)) for f in given), score_text(score)])
    return out.getvalue()


def identities_for(
    students: Sequence[str], platform: str, mapping: Mapping[str, LmsStudent] | None, source: Path | None
) -> dict[str, LmsStudent]:
    """Each student's LMS identity: from the mapping (every student must be in it, with what the
    platform matches on), or the id itself."""
    if mapping is None:
        if platform == "canvas":
            return {student: LmsStudent(sis_login_id=student) for student in students}
        return {student: LmsStudent(username=student) for student in students}
    missing = [student for student in students if student not in mapping]
    if missing:
        shown = ", ".join(repr(s) for s in missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise LmsExportError(f"{source}: {len(missing)} student(s) of the gradebook are not in it: {shown}")
    keys = (
        ("canvas_id", "sis_user_id", "sis_login_id", "name")
        if platform == "canvas"
        else tuple(MOODLE_IDENTITY_COLUMNS)
    )
    for student in students:
        if not any(getattr(mapping[student], key) for key in keys):
            raise LmsExportError(
                f"{source}: {student!r} has none of {', '.join(keys)}, which {platform} matches on"
            )
    return {student: mapping[student] for student in students}


def read_mapping(path: Path) -> dict[str, LmsStudent]:
    """The mapping file (UTF-8 CSV, with or without a byte-order mark; comma, semicolon or tab)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise LmsExportError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise LmsExportError(f"{path}: not UTF-8 text (byte at offset {error.start})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise LmsExportError(
            f"{path}: empty (expected a header: student and {', '.join(MAPPING_COLUMNS[1:])})"
        )
    delimiter = max(",;\t", key=lines[0].count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(rows)]
    _check_header(path, header)
    mapping: dict[str, LmsStudent] = {}
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise LmsExportError(f"{path}: row {number}: {len(row)} fields, but the header has {len(header)}")
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        student = values.pop("student")
        if not student:
            raise LmsExportError(f"{path}: row {number}: no student")
        if student in mapping:
            raise LmsExportError(f"{path}: row {number}: {student!r} is given twice")
        mapping[student] = LmsStudent(**values)
    return mapping


def _check_header(path: Path, header: list[str]) -> None:
    for name in header:
        if name not in MAPPING_COLUMNS:
            close = difflib.get_close_matches(name, MAPPING_COLUMNS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(MAPPING_COLUMNS)}"
            raise LmsExportError(f"{path}: row 1: unknown column {name!r} ({hint})")
    if "student" not in header:
        raise LmsExportError(f"{path}: row 1: no column 'student' (the gradebook's student id)")
    if len(set(header)) != len(header):
        raise LmsExportError(f"{path}: row 1: a column is named twice")
