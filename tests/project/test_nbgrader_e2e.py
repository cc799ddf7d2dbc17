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
# Every bundled sample, the hostile ones (crash, hang, exit, garbage) included.
STUDENTS = tuple(sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
TAMPERED = "tampered_test_cell"
# Untouched stubs plus a few lines in part (a)'s code cell, as a hostile student would write them.
# In nbgrader's kernel each would decide scores; graded in the sandbox, each must earn nothing.
ATTACKS = {
    "replace_the_checking_function": (
        "import autograder.platforms.notebook_checks as _checks\n"
        "_checks.run_check = lambda check_id, namespace: 100.0\n"
    ),
    "rebind_to_the_reference": (
        "import os, sys, importlib.util\n"
        "_spec = importlib.util.spec_from_file_location('r', os.environ.get('AUTOGRADER_COURSE', '.')"
        " + '/solutions/lstm_gates.py')\n"
        "_ref = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_ref)\n"
        "sigmoid, lstm_step, gate_table = _ref.sigmoid, _ref.lstm_step, _ref.gate_table\n"
    ),
    "patch_numpy_comparisons": (
        "import numpy\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.array_equal = lambda *a, **k: True\n"
    ),
    "patch_builtins_and_modules": (
        "import builtins, sys\n"
        "builtins.isinstance = lambda *a: True\n"
        "sys.modules['autograder'] = type(sys)('autograder')\n"
    ),
    "write_what_grading_reads": (
        "import glob, os\n"
        "_course = os.path.abspath('../../..')  # nbgrader runs the kernel in autograded/STUDENT/ASSIGNMENT\n"
        "for _path in glob.glob(_course + '/gradebook.db') + glob.glob(_course + '/*/*/*/*.ipynb'):\n"
        "    try:\n"
        "        open(_path, 'a').write('x')\n"
        "    except OSError:\n"
        "        pass\n"
    ),
}


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
    for student, code in ATTACKS.items():
        attack: dict[str, Any] = filled_notebook(release, SAMPLES / "zero_untouched_stubs", parts)
        for cell in attack["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "a_code":
                cell["source"] = "".join(cell["source"]) + "\n" + code
        target = notebook_path(course, "submitted", student)
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(attack))
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


def test_no_attack_on_the_grading_earns_a_point(nb_course: Path) -> None:
    scores = gradebook_scores(nb_course)
    assert {student: scores[student] for student in ATTACKS} == dict.fromkeys(ATTACKS, 0.0)


def test_no_kernel_runs_student_code_during_autograde(nb_course: Path) -> None:
    """The test cells' outputs come from the sandbox: the feedback text and the score as value."""
    autograded = json.loads(notebook_path(nb_course, "autograded", "material_answer").read_text())
    checks = [
        c for c in autograded["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "a_sigmoid"
    ]
    (cell,) = checks
    kinds = [output["output_type"] for output in cell["outputs"]]
    assert kinds == ["stream", "execute_result"]
    assert "sigmoid" in "".join(cell["outputs"][0]["text"])


def executed(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook run top to bottom in a real kernel, as a student presses Run All (errors kept)."""
    import nbclient
    import nbformat

    node = nbformat.reads(json.dumps(notebook), as_version=4)
    nbclient.NotebookClient(node, timeout=300, kernel_name="python3", allow_errors=True).execute()
    return json.loads(json.dumps(node))


def check_cells(notebook: dict[str, Any]) -> dict[str, str]:
    """Each check cell that runs public checks, with all it printed or raised."""
    found = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if (
            cell["cell_type"] == "code"
            and "run_public_checks(" in source
            and "def run_public_checks" not in source
        ):
            texts = ["".join(o.get("text", "")) + o.get("evalue", "") for o in cell.get("outputs", [])]
            found[cell["metadata"]["nbgrader"]["grade_id"]] = "\n".join(texts)
    return found


def test_the_release_notebook_teaches_before_grading(nb_course: Path, grader: Grader) -> None:
    """Stubs: every check cell fails saying what is not implemented; the solved notebook passes
    every public check. Numpy only: the cells never import the autograder."""
    release = json.loads((nb_course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    visible = json.dumps([c["source"] for c in release["cells"] if "run_public_checks" in str(c["source"])])
    assert "import autograder" not in visible and "from autograder" not in visible
    stubs = check_cells(executed(release))
    functions = [
        c for c in grader.rubric.checks if c.target and c.kind not in ("concepts", "manual", "raises")
    ]
    assert len(stubs) == len(functions) > 0
    assert all("not implemented yet" in text and "public check(s) failed" in text for text in stubs.values())
    parts = [(part.id, part.module) for part in grader.rubric.parts]
    solved = check_cells(executed(filled_notebook(release, SAMPLES / "full_marks_reference", parts)))
    assert set(solved) == set(stubs)
    assert all(" 0 failed" in text and "Error" not in text for text in solved.values()), solved
