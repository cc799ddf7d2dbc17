"""Grade every bundled sample submission (sandbox on) and hold the results to the goldens.

`pytest --update-goldens` rewrites tests/project/goldens/ after a deliberate change of feedback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autograder.course import Course
from autograder.grading.grader import Grader, grade_or_fail
from autograder.reports.feedback import check_feedback
from autograder.reports.gradescope import to_gradescope
from autograder.results.model import SubmissionResult

GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture(scope="session")
def graded(grader: Grader, course: Course) -> dict[str, SubmissionResult]:
    folders = sorted(p for p in course.samples.iterdir() if p.is_dir())
    return {result.submission: result for result in (grade_or_fail(p, grader) for p in folders)}


def stable_view(result: SubmissionResult) -> dict[str, Any]:
    """The Gradescope document without what varies from run to run or machine to machine."""
    document = to_gradescope(result)
    for volatile in ("execution_time", "output"):
        document.pop(volatile)
    document["extra_data"].pop("isolation")
    return document


def test_goldens(graded: dict[str, SubmissionResult], request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-goldens"):
        GOLDENS.mkdir(exist_ok=True)
        for name, result in graded.items():
            (GOLDENS / f"{name}.json").write_text(
                json.dumps(stable_view(result), indent=1, sort_keys=True) + "\n"
            )
    golden_names = {path.stem for path in GOLDENS.glob("*.json")}
    assert golden_names == set(graded), (
        "a sample without a golden (or the reverse): run pytest --update-goldens"
    )
    for name, result in graded.items():
        expected = json.loads((GOLDENS / f"{name}.json").read_text())
        assert json.loads(json.dumps(stable_view(result), sort_keys=True)) == expected, name


def test_correct_solutions_score_full_marks(graded: dict[str, SubmissionResult]) -> None:
    for name in ("full_marks_reference", "full_marks_loops_float32"):
        result = graded[name]
        assert result.score == result.max_score > 0, [
            check_feedback(o) for o in result.outcomes if o.status == "failed"
        ]


def test_untouched_stubs_score_zero_saying_not_implemented(graded: dict[str, SubmissionResult]) -> None:
    result = graded["zero_untouched_stubs"]
    assert result.score == 0
    failed = [o for o in result.outcomes if o.status == "failed"]
    assert failed and all(
        "not implemented yet" in check_feedback(o) or "no answer yet" in check_feedback(o) for o in failed
    )


def test_manual_explanation_counts_in_neither_score(
    graded: dict[str, SubmissionResult], grader: Grader
) -> None:
    result = graded["full_marks_reference"]
    manual = [o for o in result.outcomes if o.manual]
    assert manual and all(not o.counts for o in manual)
    assert result.max_score == grader.rubric.total_points


def test_material_answer_scores_partially_and_names_its_mistakes(graded: dict[str, SubmissionResult]) -> None:
    result = graded["material_answer"]
    assert 0 < result.score < result.max_score
    named = {m for o in result.outcomes for m in o.misconceptions}
    assert {
        "rows_are_input_size",
        "no_gradients",
        "additive_means_no_multiplication",
    } <= named
    # its activations (no T, one byte, 2·(2H + I) per sequence) hold several mistakes at once:
    # none is named, the formula is read instead
    memory = next(o for o in result.outcomes if o.check_id == "c.training_memory")
    assert "'activations'" in {f.subject for f in memory.findings}
    part_a = [o for o in result.outcomes if o.part == "a"]
    assert all(o.status == "passed" for o in part_a), "the material's gate computation is right"
    counts = next(o for o in result.outcomes if o.check_id == "c.num_parameters.worked")
    assert "got 10752" in check_feedback(counts)
    # one weight matrix but four biases, and no layers, directions or convention: more than one
    # catalogued mistake, so none is named; the formula says each part
    assert counts.diagnoses == ()
    first = counts.findings[0]
    assert (first.student, first.truth) == ("H·(H+I) + 4·H", "4·H·(H+I) + 4·H")
    assert first.differences == ("one gate’s weights instead of four",)
    assert len(counts.findings) > 1


def test_every_catalogued_misconception_loses_points_and_is_named(
    graded: dict[str, SubmissionResult], grader: Grader
) -> None:
    rubric = grader.rubric
    catalogue = {m.id for check in rubric.checks for m in check.misconceptions}
    samples = {name.removeprefix("mistake_") for name in graded if name.startswith("mistake_")}
    assert catalogue - samples <= {"additive_means_no_multiplication"}, "a misconception with no sample"
    for misconception in samples & catalogue:
        result = graded[f"mistake_{misconception}"]
        naming = [o for o in result.outcomes if misconception in o.misconceptions]
        assert naming, f"mistake_{misconception}: no check names it"
        assert all(o.score < o.max_score for o in naming)
        checks_listing_it = {c.id for c in rubric.checks if misconception in {m.id for m in c.misconceptions}}
        assert {o.check_id for o in naming} <= checks_listing_it


def test_crashes_and_hangs_fail_only_what_they_break(graded: dict[str, SubmissionResult]) -> None:
    expectations = {
        "crash_gate_table_raises": ({"a.gate_table"}, "raised RuntimeError: boom"),
        "hang_lstm_step_loops_forever": ({"a.lstm_step", "a.gate_table"}, "timed out"),
        "exit_num_parameters_ends_the_process": (
            {
                "c.num_parameters.worked",
                "c.num_parameters.stacks",
                "c.training_memory",
                "c.invalid_arguments",
            },
            "exited with code 0 during",
        ),
        "syntax_error_lstm_gates": ({"a.sigmoid", "a.lstm_step", "a.gate_table"}, "SyntaxError"),
        # a dict subclass is read as the dict it holds (here empty), whatever its __eq__ says
        "garbage_weight_shapes_equals_anything": ({"c.weight_shapes"}, "missing keys"),
    }
    for name, (broken, message) in expectations.items():
        result = graded[name]
        failed = {o.check_id for o in result.outcomes if o.status == "failed"}
        assert failed == broken, name
        texts = [check_feedback(o) for o in result.outcomes if o.check_id in broken]
        assert all(message in text for text in texts), (name, texts)


def test_every_mistake_outside_the_catalogue_is_named_or_localised(
    graded: dict[str, SubmissionResult], grader: Grader
) -> None:
    """Each failed check of such a sample names a generated mistake, or gives the formula's terms,
    or the step or row where it leaves the reference; and names no catalogued mistake."""
    catalogue = {m.id for check in grader.rubric.checks for m in check.misconceptions}
    outside = [name for name in graded if name.startswith("mistake_") and name[8:] not in catalogue]
    assert len(outside) >= 5
    for name in outside:
        failed = [o for o in graded[name].outcomes if o.status == "failed"]
        assert failed, name
        for outcome in failed:
            assert not set(outcome.misconceptions) & catalogue, (name, outcome.misconceptions)
            localised = outcome.findings or any(case.locus for case in outcome.cases)
            assert outcome.diagnoses or localised, (name, outcome.check_id)
