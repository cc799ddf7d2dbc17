"""Real nbgrader, real kernel: generate_assignment, autograde, generate_feedback in a temporary
course; the gradebook's scores equal `autograder grade`'s on the same answers, and a submission
that edits a read-only test cell gains nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

from autograder.api import grade
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader
from autograder.platforms.notebooks import ASSIGNMENT, filled_notebook

SAMPLES = PROJECT / "examples" / "submissions"
STUDENTS = (
    "full_marks_reference",
    "zero_untouched_stubs",
    "material_answer",
    "mistake_swapped_gates",
    "mistake_no_seq_len",
)
TAMPERED = "tampered_test_cell"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def notebook_path(course: Path, folder: str, student: str) -> Path:
    return course / folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def nb_course(tmp_path_factory: pytest.TempPathFactory, grader: Grader) -> Path:
    course = tmp_path_factory.mktemp("course")
    parts = [(part.id, part.module) for part in grader.rubric.parts]
    assert main(["--course", str(PROJECT), "nbgrader", str(course)]) == 0
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for student in STUDENTS:
        target = notebook_path(course, "submitted", student)
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(filled_notebook(release, SAMPLES / student, parts)))
    tampered: dict[str, Any] = filled_notebook(release, SAMPLES / "zero_untouched_stubs", parts)
    for cell in tampered["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "a_sigmoid":
            cell["source"] = "2.0  # full marks, please\n"
    target = notebook_path(course, "submitted", TAMPERED)
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(tampered))
    nbgrader(course, "autograde", ASSIGNMENT, "--create", "--force")
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    return course


def gradebook_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student_id: float(s.code_score) for s in gradebook.assignment_submissions(ASSIGNMENT)}


def test_gradebook_scores_equal_autograder_grade(nb_course: Path, course: Course) -> None:
    ours = {r.submission: r.score for r in grade([SAMPLES / s for s in STUDENTS], course=course)}
    theirs = gradebook_scores(nb_course)
    assert {s: theirs[s] for s in STUDENTS} == ours
    assert ours["full_marks_reference"] > ours["material_answer"] > ours["zero_untouched_stubs"] == 0


def test_autograder_grades_the_same_notebooks_alike(nb_course: Path, course: Course) -> None:
    notebooks = [notebook_path(nb_course, "submitted", s) for s in STUDENTS]
    by_notebook = [result.score for result in grade(notebooks, course=course)]
    assert by_notebook == [gradebook_scores(nb_course)[s] for s in STUDENTS]


def test_feedback_was_generated_for_every_student(nb_course: Path) -> None:
    for student in (*STUDENTS, TAMPERED):
        feedback = nb_course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert feedback.is_file() and feedback.stat().st_size > 1000


def test_a_tampered_test_cell_is_overwritten_and_earns_nothing(nb_course: Path) -> None:
    assert gradebook_scores(nb_course)[TAMPERED] == 0
    autograded = json.loads(notebook_path(nb_course, "autograded", TAMPERED).read_text())
    cell = next(
        c for c in autograded["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "a_sigmoid"
    )
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    assert "run_check('a.sigmoid', globals())" in source
