"""Adding a reference-backed check to part (c), with one diagnosed mistake, takes four hand-edited
files: the solution, rubric.yaml, the public test and the variant. Everything else (the stub, the
README's contract table) is generated. Shown on a copy of the course, graded end to end."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_course

from autograder.cli import main
from autograder.course import Course
from autograder.diagnosis.variants import VARIANTS, Variant
from autograder.grading.grader import Grader, grade_or_fail, load_grader
from autograder.grading.reference import References
from autograder.reports.feedback import check_feedback
from autograder.results.model import CheckOutcome, SubmissionResult

CHECK_ID = "c.gate_parameters"

# 1. the solution: the new function, between solution markers
SOLUTION = '''

def gate_parameters(input_size: int, hidden_size: int) -> int:
    """The parameters of one gate: its weights over [h_{t-1}, x_t] and its bias."""
    ### BEGIN SOLUTION
    return hidden_size * (hidden_size + input_size) + hidden_size
    ### END SOLUTION
'''

# 2. rubric.yaml: the name in the part's contract, and the check
CHECK = """      - id: c.gate_parameters
        name: "gate_parameters: one gate's weights and bias"
        function: gate_parameters
        kind: call
        points: 2
        visibility: public
        compare: exact
        cases:
          - {label: "I=100, H=64", args: {input_size: 100, hidden_size: 64}}
          - {label: "I=7, H=3", args: {input_size: 7, hidden_size: 3}}
        misconceptions:
          - id: gate_without_bias
            variant: gate_without_bias
            feedback: >-
              A gate is W z_t + b: besides its H x (H + I) weights it has H biases.
"""

# 3. the public test
PUBLIC_TEST = """

def test_gate_parameters_counts_weights_and_bias(budget: ModuleType) -> None:
    expect_equal(
        attempt(budget.gate_parameters, 3, 5), 5 * (5 + 3) + 5, "gate_parameters(3, 5)", "Count the bias too."
    )
"""


# 4. the variant (in autograder/diagnosis/variants.py: a function and its entry in VARIANTS)
def gate_without_bias(ref: References, input_size: int, hidden_size: int) -> Any:
    return ref.budget.gate_parameters(input_size, hidden_size) - hidden_size


NEW_VARIANT = Variant(("gate_parameters",), lambda function: gate_without_bias)


def fingerprints(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def add_the_check(course: Course) -> None:
    """The three course files an author edits by hand."""
    append(course.solutions / "lstm_budget.py", SOLUTION)
    rubric = course.rubric_path.read_text(encoding="utf-8")
    rubric = rubric.replace(
        "names: [weight_shapes, num_parameters, training_memory]",
        "names: [weight_shapes, num_parameters, training_memory, gate_parameters]",
    )
    anchor = "      - id: c.num_parameters.worked\n"
    assert rubric.count(anchor) == 1
    course.rubric_path.write_text(rubric.replace(anchor, CHECK + anchor), encoding="utf-8")
    append(course.public_tests / "test_lstm_budget.py", PUBLIC_TEST)


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in after.keys() | before.keys() if before.get(name) != after.get(name)}


@dataclass(frozen=True)
class Extended:
    course: Course
    hand_edited: set[str]
    generated: set[str]
    grader: Grader


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Extended]:
    course = copy_course(tmp_path_factory.mktemp("extended") / "course")
    before = fingerprints(course.root)
    add_the_check(course)
    edited = fingerprints(course.root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(VARIANTS, "gate_without_bias", NEW_VARIANT)  # as if added to variants.py
        assert main(["--course", str(course.root), "stubs"]) == 0
        generated = changed(edited, fingerprints(course.root))
        yield Extended(course, changed(before, edited), generated, load_grader(course))


def outcome(result: SubmissionResult) -> CheckOutcome:
    return next(o for o in result.outcomes if o.check_id == CHECK_ID)


def with_mistake(course: Course, target: Path) -> Path:
    shutil.copytree(course.solutions, target, ignore=shutil.ignore_patterns("*.json", "__pycache__"))
    source = (target / "lstm_budget.py").read_text(encoding="utf-8")
    right = "return hidden_size * (hidden_size + input_size) + hidden_size"
    (target / "lstm_budget.py").write_text(
        source.replace(right, "return hidden_size * (hidden_size + input_size)"), encoding="utf-8"
    )
    return target


def test_three_course_files_are_edited_and_the_rest_is_generated(extended: Extended) -> None:
    course = extended.course
    assert extended.hand_edited == {
        "solutions/lstm_budget.py",
        "rubric.yaml",
        "tests/public/test_lstm_budget.py",
    }
    assert extended.generated == {"exercises/lstm_budget.py", "README.md"}
    assert "`gate_parameters`" in course.readme.read_text()
    assert "def gate_parameters" in (course.exercises / "lstm_budget.py").read_text()
    assert main(["--course", str(course.root), "stubs", "--check"]) == 0


def test_without_the_variant_the_rubric_says_what_is_missing(
    extended: Extended, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    course = extended.course
    monkeypatch.delitem(VARIANTS, "gate_without_bias")
    submission = str(course.solutions)
    assert main(["--course", str(course.root), "grade", submission]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "misconceptions[0].variant" in line and "gate_without_bias" in line, line


def test_the_new_check_grades_the_reference_the_stub_and_the_mistake(
    extended: Extended, tmp_path: Path
) -> None:
    course, grader = extended.course, extended.grader
    reference = grade_or_fail(course.solutions, grader)
    assert reference.score == reference.max_score == grader.rubric.total_points
    assert outcome(reference).status == "passed"

    stub = outcome(grade_or_fail(course.exercises, grader))
    assert stub.score == 0 and "not implemented yet" in check_feedback(stub)

    mistaken = grade_or_fail(with_mistake(course, tmp_path / "mistake"), grader)
    wrong = outcome(mistaken)
    assert wrong.score == 0 and wrong.misconceptions == ("gate_without_bias",)
    assert "A gate is W z_t + b" in check_feedback(wrong)
    assert mistaken.score == mistaken.max_score - wrong.max_score  # nothing else moved


def test_the_public_test_passes_on_the_reference_and_fails_on_the_mistake(
    extended: Extended, tmp_path: Path
) -> None:
    course = extended.course

    def failed(submission: Path) -> set[str]:
        report = tmp_path / f"{submission.name}.xml"
        subprocess.run(
            [
                *(sys.executable, "-m", "pytest", str(course.public_tests), "--submission", str(submission)),
                *(
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    f"--junitxml={report}",
                    "--rootdir",
                    str(course.public_tests),
                ),
            ],
            capture_output=True,
            timeout=300,
            check=False,
        )
        cases = list(ET.parse(report).getroot().iter("testcase"))
        assert any(c.get("name") == "test_gate_parameters_counts_weights_and_bias" for c in cases)
        return {str(c.get("name")) for c in cases if len(c)}

    assert failed(course.solutions) == set()
    assert failed(with_mistake(course, tmp_path / "mistake")) == {
        "test_gate_parameters_counts_weights_and_bias"
    }
