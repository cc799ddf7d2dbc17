"""`autograder grade`: formats, exit codes, clear errors; and the sample folders stay in sync."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.authoring import examples
from autograder.cli import main
from autograder.course import Course

SAMPLES = PROJECT / "examples" / "submissions"


def grade(*arguments: str) -> int:
    return main(["--course", str(PROJECT), "grade", *arguments])


def test_json_for_one_submission_is_one_gradescope_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert grade(str(SAMPLES / "material_answer"), "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert {"score", "max_score", "tests"} <= set(document)
    for test in document["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert document["score"] == sum(t["score"] for t in document["tests"])


def test_json_for_several_submissions_is_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    folders = [str(SAMPLES / "full_marks_reference"), str(SAMPLES / "zero_untouched_stubs")]
    assert grade(*folders, "--format", "json") == 0
    documents = json.loads(capsys.readouterr().out)
    assert [d["score"] == d["max_score"] for d in documents] == [True, False]


@pytest.mark.parametrize("output_format", ["markdown", "html", "text"])
def test_renderings_can_be_written_to_a_file(tmp_path: Path, output_format: str) -> None:
    target = tmp_path / "feedback"
    assert (
        grade(str(SAMPLES / "mistake_state_not_carried"), "--format", output_format, "--output", str(target))
        == 0
    )
    text = target.read_text()
    assert "state_not_carried" in text


def test_a_missing_submission_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert grade(str(tmp_path / "nowhere")) == 3
    assert capsys.readouterr().err.strip() == f"autograder: {tmp_path / 'nowhere'}: no such file or folder"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "grade" in result.stdout


def test_derived_samples_are_in_sync(course: Course) -> None:
    assert examples.sample_differences(course) == [], "run `autograder examples`"


def test_an_empty_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        grade("")
    assert exit_info.value.code == 2
    assert "an empty submission path" in capsys.readouterr().err


def test_a_file_where_a_folder_is_expected(capsys: pytest.CaptureFixture[str]) -> None:
    readme = PROJECT / "README.md"
    assert grade(str(readme)) == 3
    assert capsys.readouterr().err.strip().startswith(f"autograder: {readme}: expected a folder")


def test_unusable_files_are_graded_failures_that_say_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "lstm_gates.py").write_bytes(b'x = "\xff\xfe"\n')
    (folder / "lstm_budget.py").symlink_to(PROJECT / "solutions" / "lstm_budget.py")
    (folder / "lstm_gradients.py").write_text("#" * 2_000_000)
    assert grade(str(folder), "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["score"] == 0
    outputs = {test["number"]: test["output"] for test in document["tests"]}
    assert "it is not UTF-8 text" in outputs["a.sigmoid"]
    assert "it is a symbolic link" in outputs["c.weight_shapes"]
    assert "larger than" in outputs["b.cell_path_gradient"]


def test_an_empty_folder_scores_zero_with_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert grade(str(tmp_path), "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["score"] == 0 and "missing files" in document["output"]
    assert all(
        "missing from the submission" in t["output"]
        for t in document["tests"]
        if t["number"] != "b.explanation"
    )


def test_a_bad_submission_among_good_ones_stops_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({"cells": ["a cell that is a string"], "metadata": [], "nbformat": 4}))
    good = [str(SAMPLES / "material_answer"), str(SAMPLES / "full_marks_reference")]
    assert grade(good[0], str(bad), good[1], "--format", "json") == 0
    documents = json.loads(capsys.readouterr().out)
    assert [d["extra_data"]["submission"] for d in documents] == [
        "material_answer",
        "bad",
        "full_marks_reference",
    ]
    assert documents[1]["score"] == 0 and "unusable file" in documents[1]["extra_data"]["troubles"]
    assert documents[2]["score"] == documents[2]["max_score"]


def test_a_missing_path_among_good_ones_is_one_line_after_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert grade(str(SAMPLES / "material_answer"), str(missing), "--format", "json") == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["extra_data"]["submission"] == "material_answer"
    assert captured.err.strip().splitlines()[-1] == f"autograder: {missing}: no such file or folder"


def test_without_bubblewrap_the_grader_says_so_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "none")  # bubblewrap_available() is then False
    folders = [str(SAMPLES / "material_answer"), str(SAMPLES / "full_marks_reference")]
    assert grade(*folders, "--summary") == 0
    err = capsys.readouterr().err
    assert err.count("bubblewrap is not installed") == 1 and "apt-get install bubblewrap" in err


def test_a_notebook_name_on_a_pipe_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    assert grade(str(fifo)) == 3
    assert "not a regular file" in capsys.readouterr().err
