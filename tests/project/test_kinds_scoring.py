"""Scoring without the sandbox: fabricated probe outcomes go to each check kind, and the scores,
messages, typed failures, diagnoses and evidence are checked. No student code runs here."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from autograder.diagnosis.variants import evaluate_variant
from autograder.grading.grader import Grader, grader_failure_result, judge
from autograder.kinds import KINDS
from autograder.kinds.base import PreparedCase
from autograder.probe import wire_format
from autograder.reports.feedback import check_feedback
from autograder.results.model import CheckOutcome, FailureKind, GateTableEvidence, GradientCurvesEvidence
from autograder.rubric.model import Check
from autograder.sandbox import ProbeRun

Raw = dict[str, dict[str, Any]]


def ok(call_id: str, value: Any, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": call_id, "ok": True, "value": wire_format.encode(value), "warnings": list(warnings)}


def error(
    call_id: str, kind: str, type_name: str = "", message: str = "", lineage: str = ""
) -> dict[str, Any]:
    fields = {"kind": kind, "type": type_name, "message": message, "traceback": "", "lineage": lineage}
    return {"id": call_id, "ok": False, "error": fields}


def reference_value(case: PreparedCase) -> Any:
    return case.expected


def outcomes_for(
    grader: Grader, answer: Callable[[Check, PreparedCase], dict[str, Any] | None]
) -> dict[str, CheckOutcome]:
    raw: Raw = {}
    for check, cases in grader.prepared:
        for case in cases:
            made = answer(check, case)
            if made is not None:
                raw[case.call["id"]] = made
    result = judge(grader, ProbeRun(raw, "fabricated", 0, (), {}))
    return {outcome.check_id: outcome for outcome in result}


def right(check: Check, case: PreparedCase) -> dict[str, Any]:
    if check.kind == "raises":
        message = f"bad {case.spec.get('mentions', 'size')}"  # a message naming the argument, as due
        return error(case.call["id"], "raised", "ValueError", message, "ValueError,Exception,BaseException")
    if check.kind == "manual":
        return ok(
            case.call["id"], "Along the cell path the gradient is multiplied by f_t; W_hh again and again."
        )
    return ok(case.call["id"], case.expected)


def test_the_rubric_uses_every_kind(grader: Grader) -> None:
    assert {check.kind for check in grader.rubric.checks} == set(KINDS)


def test_reference_values_score_full_marks_on_every_check(grader: Grader) -> None:
    for check_id, outcome in outcomes_for(grader, right).items():
        if outcome.manual:
            assert outcome.status == "manual" and not outcome.counts and outcome.hints == (), check_id
        else:
            assert outcome.score == outcome.max_score, (check_id, check_feedback(outcome))
            assert outcome.status == "passed" and not outcome.diagnoses, check_id


def test_not_implemented_scores_zero_and_says_so(grader: Grader) -> None:
    outcomes = outcomes_for(
        grader, lambda c, case: error(case.call["id"], "not_implemented", "NotImplementedError")
    )
    for check_id, outcome in outcomes.items():
        assert outcome.score == 0, check_id
        assert all(f.kind is FailureKind.NOT_IMPLEMENTED for f in outcome.failures), check_id
        if not outcome.manual:
            assert "not implemented yet" in check_feedback(outcome), check_id


def test_a_missing_outcome_is_a_dead_probe(grader: Grader) -> None:
    outcomes = outcomes_for(grader, lambda c, case: None)
    assert all(f.kind is FailureKind.PROBE_DIED for o in outcomes.values() for f in o.failures)


def _variant_cases() -> list[tuple[str, str]]:
    from pathlib import Path

    from autograder.course import open_course
    from autograder.grading.grader import load_grader

    rubric = load_grader(open_course(Path(__file__).resolve().parents[2])).rubric
    return [(c.id, m.id) for c in rubric.checks for m in c.misconceptions if m.variant]


@pytest.mark.parametrize(("check_id", "misconception"), _variant_cases())
def test_every_variant_misconception_loses_points_and_is_named(
    grader: Grader, check_id: str, misconception: str
) -> None:
    """The student's value is the variant's own output on every case where it applies."""
    check, _ = next((c, cs) for c, cs in grader.prepared if c.id == check_id)
    variant = grader.ground.variants[
        next(m.variant for m in check.misconceptions if m.id == misconception) or ""
    ]

    def answer(c: Check, case: PreparedCase) -> dict[str, Any] | None:
        if c.id != check_id:
            return right(c, case)
        outputs = evaluate_variant(variant, case.function, grader.ground.references, case.args, case.kwargs)
        return ok(case.call["id"], outputs[0] if outputs else case.expected)

    outcome = outcomes_for(grader, answer)[check_id]
    assert outcome.score < outcome.max_score
    assert misconception in outcome.misconceptions, check_feedback(outcome)


def test_a_student_message_that_mimics_the_grader_is_not_trouble(grader: Grader) -> None:
    """Failures are typed: a student's own words ("timed out; the grader failed") change nothing."""
    words = "timed out; the grader failed; the probe exited; was not used; MemoryError"
    outcomes = outcomes_for(grader, lambda c, case: error(case.call["id"], "raised", "RuntimeError", words))
    result = replace(
        grader_failure_result("x", grader.rubric, "boom"),
        outcomes=tuple(outcomes.values()),
        grader_error=None,
    )
    assert result.troubles == ()
    assert all(f.kind is FailureKind.RAISED for o in outcomes.values() for f in o.failures)


def test_timeouts_limits_and_forgery_are_trouble(grader: Grader) -> None:
    for kind, expected in (
        ("timeout", FailureKind.TIMED_OUT),
        ("limit", FailureKind.LIMIT_HIT),
        ("forged", FailureKind.FORGED),
    ):
        outcomes = outcomes_for(grader, lambda c, case, k=kind: error(case.call["id"], k, "X", "x"))
        result = replace(
            grader_failure_result("x", grader.rubric, "boom"),
            outcomes=tuple(outcomes.values()),
            grader_error=None,
        )
        assert result.troubles == (expected,)


def test_the_grader_failure_result_keeps_the_traceback_and_scores_zero(grader: Grader) -> None:
    try:
        raise KeyError("lost")
    except KeyError as caught:
        result = grader_failure_result("ada", grader.rubric, caught)
    assert result.score == 0 and result.grader_error is not None
    assert "KeyError" in result.grader_error.traceback and "raise KeyError" in result.grader_error.traceback
    assert result.troubles == (FailureKind.GRADER_ERROR,)
    assert all(o.not_graded is not None for o in result.outcomes)


def test_gate_table_evidence_comes_from_the_wrong_case(grader: Grader) -> None:
    """A table right on the first case and wrong on the second shows the second case's table,
    with the locus of that case."""
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "gate_table")

    def answer(c: Check, case: PreparedCase) -> dict[str, Any]:
        if c.id != check.id or case.label != cases[1].label:
            return right(c, case)
        table = {k: np.array(v, copy=True) for k, v in case.expected.items()}
        table["o"][2, 0, ...] += 0.5
        return ok(case.call["id"], table)

    outcome = outcomes_for(grader, answer)[check.id]
    assert [c.passed for c in outcome.cases] == [i != 1 for i in range(len(cases))]
    (evidence,) = outcome.evidence
    assert isinstance(evidence, GateTableEvidence) and evidence.case == cases[1].label
    assert evidence.first_wrong == outcome.cases[1].locus
    assert evidence.first_wrong is not None and (evidence.first_wrong.step, evidence.first_wrong.key) == (
        3,
        "o",
    )
    assert outcome.cases[0].locus is None
    expected_rows = np.asarray(cases[1].expected["o"])[:, : len(evidence.reference["o"][0])]
    assert np.allclose(evidence.reference["o"], expected_rows)


def test_gradient_curves_come_from_the_wrong_case(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "cell_gradients")

    def answer(c: Check, case: PreparedCase) -> dict[str, Any]:
        if c.id == check.id and case.label == cases[-1].label:
            return ok(case.call["id"], np.asarray(case.expected) * 2)
        return right(c, case)

    outcome = outcomes_for(grader, answer)[check.id]
    (evidence,) = outcome.evidence
    assert isinstance(evidence, GradientCurvesEvidence) and evidence.case == cases[-1].label
    assert evidence.student_lstm is not None
    assert np.allclose(evidence.student_lstm, 2 * np.asarray(evidence.reference_lstm))


def test_memory_gives_credit_per_key(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "memory")
    assert check.credit == "per_key"

    def answer(c: Check, case: PreparedCase) -> dict[str, Any]:
        if c.id != check.id:
            return right(c, case)
        expected = case.expected
        # forgot the gradients: the total the student adds up is short by them too
        return ok(
            case.call["id"], {**expected, "gradients": 0, "total": expected["total"] - expected["gradients"]}
        )

    outcome = outcomes_for(grader, answer)[check.id]
    keys = len(cases[0].expected)
    assert outcome.automatic_fraction == pytest.approx(1 - 2 / keys)  # gradients, and so the total
    assert "['gradients']: got 0, expected" in check_feedback(outcome)
    assert "no_gradients" in outcome.misconceptions


def test_an_exception_named_like_value_error_is_not_one(grader: Grader) -> None:
    check = next(c for c, _ in grader.prepared if c.kind == "raises")

    def answer(lineage: str) -> Callable[[Check, PreparedCase], dict[str, Any]]:
        return lambda c, case: (
            error(case.call["id"], "raised", "ValueError", f"x {case.spec.get('mentions', '')}", lineage)
            if c.id == check.id
            else right(c, case)
        )

    assert outcomes_for(grader, answer("Exception,BaseException"))[check.id].score == 0
    assert outcomes_for(grader, answer("ValueError,Exception,BaseException"))[check.id].score == check.points


def test_raises_wants_the_message_to_name_the_argument(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "raises")
    named = [case.label for case in cases if case.spec.get("mentions")]
    lineage = "ValueError,Exception,BaseException"
    outcome = outcomes_for(
        grader,
        lambda c, case: (
            error(case.call["id"], "raised", "ValueError", "bad value", lineage)
            if c.id == check.id
            else right(c, case)
        ),
    )[check.id]
    assert named and [case.label for case in outcome.cases if not case.passed] == named
    assert "must say which argument is wrong" in check_feedback(outcome)


def test_raises_says_when_a_value_came_back(grader: Grader) -> None:
    check = next(c for c, _ in grader.prepared if c.kind == "raises")
    outcome = outcomes_for(
        grader, lambda c, case: ok(case.call["id"], 7) if c.id == check.id else right(c, case)
    )[check.id]
    assert outcome.score == 0 and "returned a value instead of raising ValueError" in check_feedback(outcome)


def test_concepts_score_per_question_and_name_the_misconception(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "concepts")
    trap = next(m for m in check.misconceptions if m.match.get("answers"))
    answers: Mapping[str, str] = {**cases[0].expected, **trap.match["answers"]}
    outcome = outcomes_for(
        grader, lambda c, case: ok(case.call["id"], dict(answers)) if c.id == check.id else right(c, case)
    )[check.id]
    wrong = sum(1 for q, a in trap.match["answers"].items() if cases[0].expected[q] != a)
    assert outcome.score == pytest.approx(check.points * (1 - wrong / len(answers)), abs=1e-3)
    assert trap.id in outcome.misconceptions
    assert all(case.hint for case in outcome.cases if not case.passed)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (types.MappingProxyType({"q1": "b"}), "is not a plain dict of answers"),  # crosses as unsupported
        ("b", "is not a plain dict of answers"),
        ({"q1": 2}, "got 2: an answer is a letter, as text"),
        ({"q1": ""}, "no answer yet"),
    ],
)
def test_concept_answers_of_the_wrong_form_are_named_as_such(grader: Grader, value: Any, said: str) -> None:
    check = next(c for c, _ in grader.prepared if c.kind == "concepts")
    outcome = outcomes_for(
        grader, lambda c, case: ok(case.call["id"], value) if c.id == check.id else right(c, case)
    )[check.id]
    first = next(case for case in outcome.cases if case.label == "q1")
    assert not first.passed and said in first.message, first.message


def test_manual_item_hints_what_the_answer_leaves_out(grader: Grader) -> None:
    check = next(c for c, _ in grader.prepared if c.kind == "manual")
    outcome = outcomes_for(
        grader,
        lambda c, case: ok(case.call["id"], "Gradients vanish.") if c.id == check.id else right(c, case),
    )[check.id]
    assert outcome.status == "manual" and outcome.answer == "Gradients vanish."
    assert len(outcome.hints) == len(check.options["hints"])


def test_elementwise_fails_on_the_warning_the_rubric_names(grader: Grader) -> None:
    check = next(c for c, _ in grader.prepared if c.kind == "elementwise")
    assert check.fail_on_warning

    def answer(c: Check, case: PreparedCase) -> dict[str, Any]:
        warnings = (f"{check.fail_on_warning} encountered in exp",) if c.id == check.id else ()
        return {**right(c, case), "warnings": list(warnings)}

    outcome = outcomes_for(grader, answer)[check.id]
    assert outcome.score == 0 and "numpy warned" in check_feedback(outcome)


def test_a_value_that_cannot_be_decoded_is_unreadable(grader: Grader) -> None:
    outcomes = outcomes_for(
        grader, lambda c, case: {"id": case.call["id"], "ok": True, "value": {"__ndarray__": 5}}
    )
    assert all(
        f.kind is FailureKind.UNREADABLE_VALUE for o in outcomes.values() if not o.manual for f in o.failures
    )


def test_an_unusable_module_fails_its_checks_only(grader: Grader) -> None:
    raw: Raw = {case.call["id"]: right(check, case) for check, cases in grader.prepared for case in cases}
    result = judge(grader, ProbeRun(raw, "fabricated", 0, (), {"lstm_budget": "it is a symbolic link"}))
    for outcome in result:
        unusable = outcome.part == "c"
        assert (outcome.score == 0) == unusable or outcome.manual, outcome.check_id
        assert all(f.kind is FailureKind.UNUSABLE_FILE for f in outcome.failures) and (
            bool(outcome.failures) == unusable
        )
