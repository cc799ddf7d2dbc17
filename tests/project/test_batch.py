"""Class-level grading: resumable parallel batches, exports, manual grades, zip input, Dask."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from conftest import PROJECT, copy_course

from autograder.api import grade
from autograder.classroom import batch, gradebook
from autograder.cli import main
from autograder.course import Course
from autograder.grading import grader as grading

SAMPLES = PROJECT / "examples" / "submissions"
CLASS = (
    "full_marks_reference",
    "material_answer",
    "mistake_no_seq_len",
    "zero_untouched_stubs",
    "crash_gate_table_raises",
)


def make_class(folder: Path, names: tuple[str, ...] = CLASS, copies: int = 1) -> Path:
    for copy in range(copies):
        for name in names:
            shutil.copytree(SAMPLES / name, folder / (name if copies == 1 else f"{name}_{copy:03d}"))
    return folder


def rows(db: Path) -> list[tuple[str, str, float]]:
    with sqlite3.connect(db) as connection:
        return list(
            connection.execute("SELECT student, content_hash, graded_at FROM results ORDER BY student")
        )


def committed_rows(db: Path) -> int:
    """How many results the gradebook has committed; 0 while the file or its table does not exist
    yet (read-only: never creates either, never sees a half-written row)."""
    if not db.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.Error:  # no such table yet, or a file still being created
        return 0


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_poll_waits_for_a_committed_row(tmp_path: Path) -> None:
    """A gradebook file exists before its table does: polling reads 0 then, not an error."""
    db = tmp_path / "gradebook.sqlite"
    db.write_bytes(b"")
    assert committed_rows(db) == 0
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")  # a database, no table yet
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        rows(db)  # what the SIGKILL test used to poll with: it failed on a loaded machine
    assert committed_rows(db) == 0
    with gradebook.connect(db) as connection:
        assert committed_rows(db) == 0
        gradebook.record(connection, "ada", "hash", grading.grader_failure_result("ada", None, "x"))
        assert committed_rows(db) == 1


def test_batch_grades_exports_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    submissions, out = make_class(tmp_path / "class"), tmp_path / "out"
    assert (
        main(
            [
                "--course",
                str(PROJECT),
                "batch",
                str(submissions),
                "--out",
                str(out),
                "--no-progress",
                "--jobs",
                "2",
            ]
        )
        == 0
    )
    assert "5 graded" in capsys.readouterr().out
    with (out / "grades.csv").open(newline="") as source:
        table = list(csv.DictReader(source))
    assert sorted(row["student"] for row in table) == sorted(CLASS)
    totals = {row["student"]: float(row["total"]) for row in table}
    assert totals["full_marks_reference"] == float(table[0]["max_score"]) > totals["material_answer"] > 0
    for student in CLASS:
        feedback = out / "feedback" / student
        assert json.loads((feedback / "results.json").read_text())["score"] == totals[student]
        assert (feedback / "feedback.md").read_text().startswith("# Feedback")
        assert "<html" in (feedback / "feedback.html").read_text()
    report = (out / "class_report.html").read_text()
    assert "data:image/png;base64," in report and "no_seq_len" in report
    markdown = (out / "class_report.md").read_text()
    # material_answer and mistake_no_seq_len both leave the sequence length out: counted per submission
    assert "| no_seq_len | 1 |" in markdown and "| no_gradients | 1 |" in markdown


def test_a_rerun_grades_only_what_changed(tmp_path: Path) -> None:
    submissions, out = make_class(tmp_path / "class"), tmp_path / "out"
    assert (
        main(["--course", str(PROJECT), "batch", str(submissions), "--out", str(out), "--no-progress"]) == 0
    )
    first = {student: graded_at for student, _, graded_at in rows(out / "gradebook.sqlite")}
    (submissions / "zero_untouched_stubs" / "lstm_budget.py").write_text(
        (SAMPLES / "full_marks_reference" / "lstm_budget.py").read_text()
    )
    assert (
        main(["--course", str(PROJECT), "batch", str(submissions), "--out", str(out), "--no-progress"]) == 0
    )
    second = rows(out / "gradebook.sqlite")
    assert len(second) == len(CLASS) + 1  # the changed submission has a second row, for its new content
    regraded = {student for student, _, graded_at in second if graded_at != first.get(student)}
    assert regraded == {"zero_untouched_stubs"}
    with (out / "grades.csv").open(newline="") as source:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(source)}
    assert totals["zero_untouched_stubs"] > 0  # the export uses the current content's result


def test_sigkill_mid_run_loses_nothing_and_grades_nothing_twice(tmp_path: Path) -> None:
    submissions = make_class(tmp_path / "class", ("full_marks_reference", "material_answer"), copies=12)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "autograder",
        "batch",
        str(submissions),
        "--out",
        str(out),
        "--no-progress",
        "--jobs",
        "2",
    ]
    (tmp_path / "tmp").mkdir()  # a killed batch leaves its temporary folders: here, pytest removes them
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
    )
    db = out / "gradebook.sqlite"
    # A loaded machine may take minutes to start: wait for committed rows, not for the file.
    started = wait_until(lambda: committed_rows(db) >= 4 or process.poll() is not None, 600)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert started, "the batch committed no 4 results in 10 minutes"
    # Its workers die with it (test_batch_isolation.py checks that), and they never write the gradebook.
    before = {student: graded_at for student, _, graded_at in rows(db)}
    assert 4 <= len(before) < 24, "the kill should land mid-run"
    assert (
        main(["--course", str(PROJECT), "batch", str(submissions), "--out", str(out), "--no-progress"]) == 0
    )
    after = rows(db)
    assert sorted(student for student, _, _ in after) == sorted(p.name for p in submissions.iterdir())
    assert all(before[student] == graded_at for student, _, graded_at in after if student in before)


def test_zip_input_is_extracted_safely(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in ("full_marks_reference", "material_answer"):
            for file in (SAMPLES / name).iterdir():
                bundle.write(file, f"class/{name}/{file.name}")
        bundle.writestr("../escaped.py", "print('out of the folder')")
        link = zipfile.ZipInfo("class/material_answer/link.py")
        link.external_attr = 0o120777 << 16
        bundle.writestr(link, "/etc/passwd")
    with batch.opened(archive) as intake:
        found = batch.discover(intake.folder)
        assert [s.student for s in found] == ["full_marks_reference", "material_answer"]
        assert not (intake.folder / "material_answer" / "link.py").exists()
    assert not (tmp_path / "escaped.py").exists()
    not_a_zip = tmp_path / "notes.txt"
    not_a_zip.write_text("hello")
    assert (
        main(
            ["--course", str(PROJECT), "batch", str(not_a_zip), "--out", str(tmp_path / "o"), "--no-progress"]
        )
        == 3
    )


def test_manual_grades_count_from_then_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    submissions, out = (
        make_class(tmp_path / "class", ("full_marks_reference", "material_answer")),
        tmp_path / "out",
    )
    assert (
        main(["--course", str(PROJECT), "batch", str(submissions), "--out", str(out), "--no-progress"]) == 0
    )
    db = out / "gradebook.sqlite"
    assert main(["manual-grade", "--db", str(db), "full_marks_reference", "b.explanation", "4"]) == 0
    grades = tmp_path / "manual.csv"
    grades.write_text(
        "student,check_id,score,comment\nmaterial_answer,b.explanation,1.5,says added not multiplied\n"
    )
    assert main(["manual-grade", "--db", str(db), "--import", str(grades)]) == 0
    assert main(["manual-grade", "--db", str(db), "material_answer", "a.sigmoid", "2"]) == 2
    assert "not a manual item" in capsys.readouterr().err
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    with (out / "grades.csv").open(newline="") as source:
        table = {row["student"]: row for row in csv.DictReader(source)}
    assert (
        float(table["full_marks_reference"]["total"])
        == 40.0
        == float(table["full_marks_reference"]["max_score"])
    )
    assert float(table["material_answer"]["b.explanation"]) == 1.5
    feedback = json.loads((out / "feedback" / "material_answer" / "results.json").read_text())
    explanation = next(t for t in feedback["tests"] if t["number"] == "b.explanation")
    assert explanation["score"] == 1.5 and "says added not multiplied" in explanation["output"]


def test_any_executor_works(tmp_path: Path, course: Course) -> None:
    """Threads share one warm sandbox per process: they must take turns, and score as a cold probe does."""
    found = batch.discover(make_class(tmp_path / "class", copies=2))
    with ThreadPoolExecutor(max_workers=4) as pool:
        summary = batch.run_batch(found, tmp_path / "gb.sqlite", course=course, executor=pool)
    assert summary.graded == len(found)
    with gradebook.connect(tmp_path / "gb.sqlite") as connection:
        scores = {s: r.score for s, r in gradebook.latest_results(connection).items()}
    cold = {r.submission: r.score for r in grade([SAMPLES / name for name in CLASS], course=course)}
    assert scores == {s.student: cold[s.student.rsplit("_", 1)[0]] for s in found}


def local_score(grader: grading.Grader, sample: str) -> float:
    """The sample's score graded here, in this process: what every other way of grading must give."""
    return grading.grade_submission(SAMPLES / sample, grader).score


def test_a_local_dask_cluster_grades_the_same(tmp_path: Path, course: Course, grader: grading.Grader) -> None:
    from dask.distributed import Client, LocalCluster

    found = batch.discover(make_class(tmp_path / "class", ("full_marks_reference", "material_answer")))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            summary = batch.run_batch(
                found, tmp_path / "dask.sqlite", course=course, executor=client.get_executor()
            )
    assert summary.graded == 2 and summary.grader_errors == []
    with gradebook.connect(tmp_path / "dask.sqlite") as connection:
        scores = {s: r.score for s, r in gradebook.latest_results(connection).items()}
    assert scores == {name: local_score(grader, name) for name in ("full_marks_reference", "material_answer")}


def test_gradescope_bundle_runs_where_gradescope_would(tmp_path: Path, grader: grading.Grader) -> None:
    bundle = tmp_path / "autograder.zip"
    assert main(["--course", str(PROJECT), "gradescope", str(bundle)]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "source/rubric.yaml", "source/solutions/lstm_gates.py"} <= set(
            names
        )
        archive.extractall(root)
    shutil.copytree(SAMPLES / "material_answer", root / "submission")
    script = root / "run_autograder"
    environment = {"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["bash", str(script)], env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    assert document["score"] == local_score(grader, "material_answer")
    assert len(document["tests"]) == len(grader.rubric.checks)


def test_a_grader_error_is_reported_and_retried_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, course: Course
) -> None:
    found = batch.discover(make_class(tmp_path / "class", ("material_answer",)))
    db = tmp_path / "gb.sqlite"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(grading, "grade_submission", broken)
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = batch.run_batch(found, db, course=course, executor=pool)
    assert first.grader_errors == ["material_answer"]
    with gradebook.connect(db) as connection:
        (result,) = gradebook.latest_results(connection).values()
    assert result.score == 0 and result.grader_error is not None
    assert "disk on fire" in result.grader_error.message
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = batch.run_batch(found, db, course=course, executor=pool)
    assert second.graded == 1 and second.skipped == 0 and second.grader_errors == []
    with gradebook.connect(db) as connection:
        (result,) = gradebook.latest_results(connection, {s.student: s.content_hash for s in found}).values()
    assert 0 < result.score < result.max_score


def test_changing_the_rubric_the_reference_or_the_figures_regrades(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    before = batch.grading_fingerprint(course)
    assert batch.grading_fingerprint(course) == before
    for path in (course.rubric_path, course.solutions / "lstm_budget.py", course.figures_path):
        path.write_text(path.read_text() + "\n")
        assert batch.grading_fingerprint(course) != before, path.name
        before = batch.grading_fingerprint(course)
