"""LMS export: the files parse as Canvas's and Moodle's importers read them.

Canvas: the rules of canvas-lms app/models/gradebook_importer.rb (the header's first cell holds
"Student", its second "ID", then "SIS User ID" and "SIS Login ID", and "Section" closes the
student columns; a row starting "Points Possible" sets the points; an assignment column is
"Name" or "Name (id)"). Moodle: grade/import/csv (a header of unique, non-empty names, one of
them a user field it maps from: ID number, email address or username; grades plain numbers)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.classroom import gradebook
from autograder.classroom.lms_export import LmsExportError, LmsStudent, read_mapping
from autograder.cli import main
from autograder.course import Course
from autograder.results.model import CaseOutcome, CheckOutcome, ManualGrade, SubmissionResult

STUDENTS = {"ada": (3, 3.5), "bob": (1, None), "=cmd": (2, 0.0)}  # id -> (cases passed of 3, manual grade)


def result(student: str, passed: int, manual: float | None) -> SubmissionResult:
    cases = tuple(CaseOutcome(str(i), 1.0 if i < passed else 0.0) for i in range(3))
    grade = ManualGrade(manual) if manual is not None else None
    return SubmissionResult(
        student,
        (
            CheckOutcome("a.sigmoid", "sigmoid", "a", 6.0, cases=cases),
            CheckOutcome("b.explanation", "explanation", "b", 4.0, manual=True, manual_grade=grade),
        ),
        "test",
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "gradebook.sqlite"
    with gradebook.connect(path) as connection:
        for student, (passed, manual) in STUDENTS.items():
            gradebook.record(connection, student, "h", result(student, passed, manual))
    return path


def totals() -> dict[str, float]:
    return {s: result(s, passed, manual).score for s, (passed, manual) in STUDENTS.items()}


def export(db: Path, course: Course, *args: str) -> int:
    return main(["--course", str(course.root), "lms-export", "--db", str(db), *args])


def canvas_rows(path: Path) -> tuple[list[str], list[str], list[list[str]]]:
    """Header, points row and student rows, checked as Canvas's importer checks them."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    assert re.match(r"SIS\s+User\s+ID", header[2]) and re.match(r"SIS\s+Login\s+ID", header[3])
    student_columns = 5  # Student, ID, then SIS User ID and SIS Login ID, then Section
    assert "Section" in header[student_columns - 1]
    assert "Points Possible" in rows[1][0]
    return header, rows[1], rows[2:]


def test_canvas_file_parses_as_its_importer_expects(db: Path, tmp_path: Path, course: Course) -> None:
    out = tmp_path / "canvas.csv"
    assert (
        export(
            db, course, "--lms", "canvas", "--out", str(out), "--assignment", "LSTM", "--assignment-id", "77"
        )
        == 0
    )
    header, points, students = canvas_rows(out)
    assert header[5:] == ["LSTM (77)"]  # "Name (id)": an existing assignment, by its id
    assert float(points[5]) == 10.0  # every check's points, the manual item's included
    scores = {row[3].lstrip("'"): float(row[5]) for row in students}  # matched on SIS Login ID
    assert scores == totals()
    assert next(row for row in students if row[3].endswith("=cmd"))[3] == "'=cmd"  # inert for spreadsheets


def test_canvas_file_uses_the_mapping(db: Path, tmp_path: Path, course: Course) -> None:
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "\ufeffstudent;name;canvas_id;sis_user_id;section\n"
        "ada;Lovelace, Ada;101;S1;A\nbob;Babbage, Charles;102;S2;A\n=cmd;Cmd, Eq;103;S3;B\n",
        encoding="utf-8",
    )
    out = tmp_path / "canvas.csv"
    assert export(db, course, "--lms", "canvas", "--out", str(out), "--map", str(mapping)) == 0
    header, _, students = canvas_rows(out)
    assert header[5] == "lstm-fundamentals"  # the rubric's assignment: a new assignment by name
    by_id = {row[1]: row for row in students}
    assert by_id["101"][:5] == ["Lovelace, Ada", "101", "S1", "", "A"]
    assert float(by_id["101"][5]) == totals()["ada"]


def test_moodle_file_parses_as_its_importer_expects(db: Path, tmp_path: Path, course: Course) -> None:
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "student,email,idnumber\nada,ada@x.org,1\nbob,bob@x.org,2\n=cmd,cmd@x.org,3\n", encoding="utf-8"
    )
    out = tmp_path / "moodle.csv"
    assert export(db, course, "--lms", "moodle", "--out", str(out), "--map", str(mapping)) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    header = [cell.strip() for cell in rows[0]]
    assert len(header) >= 2 and all(header) and len(set(header)) == len(header)
    assert header == ["ID number", "Email address", "lstm-fundamentals"]
    for row in rows[1:]:
        assert len(row) == len(header) and re.fullmatch(r"-?\d+(\.\d+)?", row[2])
    by_email = {row[1]: float(row[2]) for row in rows[1:]}
    assert by_email == {
        "ada@x.org": totals()["ada"],
        "bob@x.org": totals()["bob"],
        "cmd@x.org": totals()["=cmd"],
    }


def test_moodle_without_a_mapping_identifies_students_by_username(
    db: Path, tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "moodle.csv"
    assert export(db, course, "--lms", "moodle", "--out", str(out)) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["Username", "lstm-fundamentals"] and len(rows) == 4
    # bob's written answer is not graded yet: said, not silently exported as if complete
    assert "1 student(s) have a manual item not graded yet (such as bob)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("student,emial\nada,a@x\n", "unknown column 'emial' (did you mean 'email'?)"),
        ("name,email\nAda,a@x\n", "no column 'student'"),
        ("student,email\nada,a@x\nada,b@x\n", "row 3: 'ada' is given twice"),
        ("student,email\nada,a@x\n", "2 student(s) of the gradebook are not in it: '=cmd', 'bob'"),
        (
            "student,email,name\nada,a@x,A\nbob,,B\n=cmd,c@x,C\n",
            "'bob' has none of idnumber, email, username",
        ),
        ("", "empty"),
    ],
)
def test_a_bad_mapping_is_one_line_and_nothing_is_written(
    mapping: str, expected: str, db: Path, tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    path, out = tmp_path / "map.csv", tmp_path / "moodle.csv"
    path.write_text(mapping, encoding="utf-8")
    assert export(db, course, "--lms", "moodle", "--out", str(out), "--map", str(path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert not out.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("student,email;idnumber\t\"'\n\r=ab\ufeff\x00é"), max_size=80))
def test_any_mapping_file_is_read_or_refused_in_one_line(text: str, tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        mapping = read_mapping(path)
    except LmsExportError as error:
        assert "\n" not in str(error).strip()
    else:
        assert all(isinstance(who, LmsStudent) for who in mapping.values())
