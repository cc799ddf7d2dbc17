"""The instructor commands refuse bad input before writing anything: one line on stderr, exit 2,
never a traceback and never a silent no-op (manual-grade, its CSV import, export, release, nbgrader,
batch --jobs)."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import closing, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder.cli import main

SAMPLES = PROJECT / "examples" / "submissions"
STUDENTS = ("full_marks_reference", "material_answer")
MANUAL = "b.explanation"  # 4 points
HEADER = "student,check_id,score,comment\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gradebook of two graded students, no manual grade yet."""
    folder = tmp_path_factory.mktemp("class")
    for name in STUDENTS:
        shutil.copytree(SAMPLES / name, folder / "class" / name)
    argv = ["--course", str(PROJECT), "batch", str(folder / "class"), "--out", str(folder / "out")]
    assert main([*argv, "--no-progress", "--jobs", "1"]) == 0
    return folder / "out" / "gradebook.sqlite"


def copy_gradebook(source: Path, target: Path) -> Path:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def db(pristine: Path, tmp_path: Path) -> Path:
    return copy_gradebook(pristine, tmp_path / "gradebook.sqlite")


def manual_rows(path: Path) -> list[tuple[str, str, float, str]]:
    with closing(sqlite3.connect(path)) as connection:
        return sorted(connection.execute("SELECT student, check_id, score, comment FROM manual_grades"))


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run a command that must be refused; returns its one error line."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: "), captured.err
    assert "recorded" not in captured.out and "wrote" not in captured.out
    return lines[0]


def grade(db: Path, *values: str) -> list[str]:
    return ["manual-grade", "--db", str(db), *values]


def test_a_mistyped_student_is_refused_naming_the_close_match(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, grade(db, "material_answr", MANUAL, "3"))
    assert "'material_answr': no such student" in line and "did you mean 'material_answer'?" in line
    assert manual_rows(db) == []


def test_an_unknown_check_is_refused_naming_the_close_match(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, grade(db, "material_answer", "b.explanaton", "3"))
    assert "'b.explanaton': no such check (did you mean 'b.explanation'?)" in line
    assert "not a manual item" in refused(capsys, grade(db, "material_answer", "a.sigmoid", "1"))
    assert manual_rows(db) == []


@pytest.mark.parametrize("score", ["nan", "-5", "inf", "-inf", "1e400", "4.01", "three", ""])
def test_a_score_must_be_finite_and_within_the_points(
    db: Path, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    end_of_options = ["--"] if score == "-inf" else []  # argparse takes "-inf" for an option
    line = refused(capsys, grade(db, *end_of_options, "material_answer", MANUAL, score))
    assert f"score {score!r}:" in line
    assert manual_rows(db) == []


@pytest.mark.parametrize(("score", "stored"), [("0", 0.0), ("4", 4.0), ("3,5", 3.5), (" 2.5 ", 2.5)])
def test_a_score_from_0_to_the_points_is_recorded(
    db: Path, capsys: pytest.CaptureFixture[str], score: str, stored: float
) -> None:
    assert main(grade(db, "material_answer", MANUAL, score, "--comment", "ok")) == 0
    assert "recorded 1 manual grade(s)" in capsys.readouterr().out
    assert manual_rows(db) == [("material_answer", MANUAL, stored, "ok")]


@pytest.mark.parametrize(
    "argv",
    [
        ["material_answer", MANUAL],
        ["material_answer", MANUAL, "3", "4"],
        ["--comment", "good"],
        [],
    ],
)
def test_an_incomplete_command_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    refused(capsys, grade(db, *argv))
    assert manual_rows(db) == []


@pytest.mark.parametrize("command", ["manual-grade", "export"])
def test_a_gradebook_that_does_not_exist_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    typo = tmp_path / "typo.sqlite"
    rest = ["material_answer", MANUAL, "3"] if command == "manual-grade" else ["--out", str(tmp_path / "o")]
    line = refused(capsys, [command, "--db", str(typo), *rest])
    assert f"{typo}: no such gradebook" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["text", "folder", "other sqlite"])
def test_a_file_that_is_not_a_gradebook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "grades.sqlite"
    if kind == "text":
        path.write_text("student,score\n")
    elif kind == "folder":
        path.mkdir()
    else:
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("CREATE TABLE other (x)")
    for argv in (grade(path, "material_answer", MANUAL, "3"), ["export", "--db", str(path), "--out", "o"]):
        assert str(path) in refused(capsys, argv)


def import_csv(db: Path, path: Path, data: bytes) -> list[str]:
    path.write_bytes(data)
    return grade(db, "--import", str(path))


def test_excel_csv_with_bom_and_semicolons_is_imported(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "\ufeffStudent;check_id;score;comment\r\n"
        'full_marks_reference;b.explanation;3,5;"clear; names the forget gate"\r\n'
        ";;;\r\n"
        'material_answer;b.explanation;1.5;"says ""added"", not multiplied"\r\n'
    )
    assert main(import_csv(db, tmp_path / "grades.csv", text.encode("utf-8"))) == 0
    assert "recorded 2 manual grade(s)" in capsys.readouterr().out
    assert manual_rows(db) == [
        ("full_marks_reference", MANUAL, 3.5, "clear; names the forget gate"),
        ("material_answer", MANUAL, 1.5, 'says "added", not multiplied'),
    ]


def test_tab_separated_csv_is_imported(db: Path, tmp_path: Path) -> None:
    text = "student\tcheck_id\tscore\nmaterial_answer\tb.explanation\t2\n"
    assert main(import_csv(db, tmp_path / "grades.tsv", text.encode())) == 0
    assert manual_rows(db) == [("material_answer", MANUAL, 2.0, "")]


GOOD_ROW = "full_marks_reference,b.explanation,4,fine\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("material_answr,b.explanation,2,x\n", "row 3: 'material_answr': no such student"),
        ("material_answer,b.explanaton,2,x\n", "row 3: 'b.explanaton': no such check"),
        ("material_answer,a.sigmoid,2,x\n", "row 3: a.sigmoid: not a manual item"),
        ("material_answer,b.explanation,nan,x\n", "row 3: score 'nan': not a finite number"),
        ("material_answer,b.explanation,-5,x\n", "row 3: score '-5': outside 0 to 4"),
        ("material_answer,b.explanation\n", "row 3: no score"),
        ("material_answer,,2\n", "row 3: no check_id"),
        ("material_answer,b.explanation,2,x,y\n", "row 3: 5 fields, but the header has 4"),
        (GOOD_ROW, "row 3: 'full_marks_reference' 'b.explanation': given twice (also in row 2)"),
    ],
)
def test_a_bad_csv_row_is_named_and_nothing_is_written(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, message: str
) -> None:
    path = tmp_path / "grades.csv"
    line = refused(capsys, import_csv(db, path, (HEADER + GOOD_ROW + rows).encode()))
    assert line.startswith(f"autograder: {path}: {message}"), line
    assert manual_rows(db) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"student,check_id\nmaterial_answer,b.explanation\n", "row 1: no column 'score'"),
        (b"", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (HEADER.encode(), "no grades in it"),
        ((HEADER + "material_answer,b.explanation,2,tr\xe9s bien\n").encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_a_bad_csv_file_is_named_in_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    path = tmp_path / "grades.csv"
    assert refused(capsys, import_csv(db, path, data)).startswith(f"autograder: {path}: {message}")
    assert manual_rows(db) == []


def test_the_first_bad_row_is_named_whatever_is_wrong_with_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "material_answr,b.explanation,2\nmaterial_answer,b.explanation\n"
    line = refused(capsys, import_csv(db, tmp_path / "grades.csv", (HEADER + rows).encode()))
    assert "row 2: 'material_answr': no such student" in line


def test_a_missing_csv_is_one_line(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "cannot read it" in refused(capsys, grade(db, "--import", str(tmp_path / "nope.csv")))


def csv_bytes(rows: list[tuple[str, str, str, str]], delimiter: str, bom: bool) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["student", "check_id", "score", "comment"])
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10)
GOOD = st.tuples(st.sampled_from(STUDENTS), st.just(MANUAL), st.sampled_from(("0", "4", "3,5", " 1 ")), CELL)
ANY = st.tuples(
    st.sampled_from(STUDENTS) | CELL,
    st.sampled_from((MANUAL, "a.sigmoid")) | CELL,
    st.sampled_from(("0", "4", "2.5", "3,5", "nan", "-1", "inf", "1e400", "")) | CELL,
    CELL,
)
ROWS = st.lists(GOOD | ANY, max_size=3, unique_by=lambda row: (row[0].strip(), row[1].strip()))
VALID = [("material_answer", MANUAL, "3,5", " a comment; with, separators\n")]
CSV_FILES = st.one_of(
    st.builds(lambda r, d, b: (csv_bytes(r, d, b), r), ROWS, st.sampled_from(",;\t"), st.booleans()),
    st.tuples(st.text(max_size=200).map(lambda t: (HEADER + t).encode("utf-8", "surrogatepass")), st.none()),
    st.tuples(st.binary(max_size=200), st.none()),
)


def expected_rows(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, float, str]]:
    kept = [tuple(cell.strip() for cell in row) for row in rows if any(cell.strip() for cell in row)]
    return sorted((s, c, float(score.replace(",", ".")), note) for s, c, score, note in kept)


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(generated=(csv_bytes(VALID, ";", True), VALID))
@given(CSV_FILES)
def test_any_csv_is_imported_whole_or_refused_in_one_line(
    pristine: Path, generated: tuple[bytes, list[tuple[str, str, str, str]] | None]
) -> None:
    data, rows = generated
    with tempfile.TemporaryDirectory() as folder:
        db = copy_gradebook(pristine, Path(folder) / "gradebook.sqlite")
        path = Path(folder) / "grades.csv"
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(import_csv(db, path, data))
        stored = manual_rows(db)
    if code == 0:
        assert err.getvalue() == ""
        recorded = re.fullmatch(r"recorded (\d+) manual grade\(s\) in .*\n", out.getvalue())
        assert recorded and int(recorded[1]) == len(stored) > 0
        assert all(s in STUDENTS and c == MANUAL and 0 <= score <= 4 for s, c, score, _ in stored)
        if rows is not None:
            assert stored == expected_rows(rows)
    else:
        assert code == 2 and stored == [] and out.getvalue() == ""
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"autograder: {path}: "), err.getvalue()


def fail_with_full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "out/feedback/ada/feedback.html")


def test_export_that_cannot_be_written_is_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    assert f"{a_file}: exists and is not a folder" in refused(
        capsys, ["export", "--db", str(db), "--out", str(a_file)]
    )
    assert "Not a directory" in refused(capsys, ["export", "--db", str(db), "--out", str(a_file / "sub")])
    monkeypatch.setattr("autograder.classroom.export.write_feedback_files", fail_with_full_disk)
    line = refused(capsys, ["export", "--db", str(db), "--out", str(tmp_path / "out")])
    assert line == "autograder: out/feedback/ada/feedback.html: No space left on device"
    assert a_file.read_text() == "mine"


def test_release_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    course = ["--course", str(PROJECT), "release"]
    assert f"{a_file}: exists and is not a folder" in refused(capsys, [*course, str(a_file)])
    monkeypatch.setattr("autograder.authoring.release.shutil.copyfile", fail_with_full_disk)
    assert "No space left on device" in refused(capsys, [*course, str(tmp_path / "release")])


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_whole_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--course", str(PROJECT), "batch", str(tmp_path), "--out", str(tmp_path / "o"), "--jobs", jobs])
    assert exit_info.value.code == 2
    assert "argument --jobs" in capsys.readouterr().err.splitlines()[-1]
    assert not (tmp_path / "o").exists()


def test_nbgrader_keeps_an_edited_course_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nb"
    command = ["--course", str(PROJECT), "nbgrader", str(target)]
    config = target / "nbgrader_config.py"
    notebook = target / "source" / "lstm_fundamentals" / "lstm_fundamentals.ipynb"
    assert main(command) == 0 and "wrote" in capsys.readouterr().out
    written = config.read_text(), notebook.read_text()
    assert main(command) == 0 and "nothing changed" in capsys.readouterr().out
    config.write_text(written[0] + "c.Exchange.root = '/srv/exchange'\n")
    notebook.write_text('{"cells": []}\n')
    line = refused(capsys, command)
    assert str(config) in line and str(notebook) in line and "--force" in line
    assert config.read_text().endswith("'/srv/exchange'\n") and notebook.read_text() == '{"cells": []}\n'
    assert main([*command, "--force"]) == 0
    assert (config.read_text(), notebook.read_text()) == written
    capsys.readouterr()
    (tmp_path / "a_file").write_text("mine")
    assert "exists and is not a folder" in refused(capsys, [*command[:-1], str(tmp_path / "a_file")])


def test_student_names_that_look_like_formulas_stay_text_in_grades_csv(tmp_path: Path) -> None:
    from autograder.classroom.export import write_csv
    from autograder.results.model import SubmissionResult

    names = ['=HYPERLINK("evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "ada"]
    path = write_csv({name: SubmissionResult(name, (), "none") for name in names}, tmp_path / "grades.csv")
    with path.open(newline="", encoding="utf-8") as table:
        first_cells = [row[0] for row in csv.reader(table)][1:]
    assert first_cells == [f"'{name}" for name in names[:4]] + ["ada"]


def test_the_suggested_student_can_be_typed_as_shown() -> None:
    """A student id with a visible escape (`new\\nline`, from a folder name with a newline) is
    suggested in shell quotes as stored, not as a Python repr that doubles its backslash."""
    import shlex

    from autograder.classroom.manual_grades import shell_quoted

    for stored in ("new\\nline", "it's", "ada"):
        assert shlex.split(shell_quoted(stored)) == [stored]
