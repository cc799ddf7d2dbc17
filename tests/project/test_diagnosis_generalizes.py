"""Diagnosis that generalizes (no sandbox: a student is a Python function whose values are fed to
the kinds, sweeps included). Every single change of the equations is named as itself; a match on
one case by coincidence is never named; a count's formula is recovered and read term by term."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.diagnosis import cell_gradient_edits, count_formulas, gradient_edits, lstm_equations
from autograder.diagnosis.formula import Polynomial, interpolate
from autograder.diagnosis.variants import evaluate_variant
from autograder.grading.grader import Grader
from autograder.kinds import KINDS
from autograder.kinds.base import PreparedCase, Probe, StudentValue
from autograder.reports.feedback import check_feedback
from autograder.results.model import CheckOutcome

Student = Callable[..., Any]


def check_and_cases(grader: Grader, check_id: str) -> tuple[Any, tuple[PreparedCase, ...]]:
    return next((check, cases) for check, cases in grader.prepared if check.id == check_id)


def outcome_of(grader: Grader, check_id: str, student: Student) -> CheckOutcome:
    """The check's outcome for a student whose function is `student` (called on each case and
    each sweep point; an exception is that value's failure)."""
    check, cases = check_and_cases(grader, check_id)
    values = [StudentValue(value=student(*case.args, **case.kwargs)) for case in cases]
    probes = []
    for sweep in grader.diagnostics.get(check_id, ()):
        found = []
        for point in sweep.spec["points"]:
            try:
                found.append(["ok", student(**point)])
            except Exception:
                found.append(["error", "raised"])
        probes.append(Probe(sweep, StudentValue(value=found)))
    return KINDS[check.kind].evaluate(check, cases, values, grader.ground, probes)


def reference(grader: Grader, check_id: str) -> Student:
    check, _ = check_and_cases(grader, check_id)
    return grader.ground.references.function(check.module, check.target)


# --- never the wrong name: a coincidence on one case ----------------------------------------------


def coincidence(grader: Grader, check_id: str, variant: str, function: str) -> Student:
    """Right on every case but the first, where it gives what `variant` gives."""
    _, cases = check_and_cases(grader, check_id)
    right = reference(grader, check_id)
    first = cases[0]
    wrong = evaluate_variant(
        grader.ground.variants[variant], function, grader.ground.references, first.args, first.kwargs
    )[0]

    def student(*args: Any, **kwargs: Any) -> Any:
        same = len(args) == len(first.args) and all(
            np.array_equal(np.asarray(a), np.asarray(b)) if isinstance(a, np.ndarray) else a is b
            for a, b in zip(args, first.args, strict=True)
        )
        return wrong if same and kwargs == first.kwargs else right(*args, **kwargs)

    return student


@pytest.mark.parametrize(
    ("check_id", "variant", "function"),
    [
        ("a.gate_table", "swapped_gates", "gate_table"),
        ("a.lstm_step", "x_h_order", "lstm_step"),
        ("b.cell_path_gradient", "cumprod_wrong_direction", "cell_path_gradient"),
        ("b.lstm_cell_gradients", "cell_path_only", "lstm_cell_gradients"),
    ],
)
def test_a_match_on_one_array_case_is_not_named(
    grader: Grader, check_id: str, variant: str, function: str
) -> None:
    outcome = outcome_of(grader, check_id, coincidence(grader, check_id, variant, function))
    assert not outcome.cases[0].passed and all(case.passed for case in outcome.cases[1:])
    assert outcome.diagnoses == (), outcome.diagnoses
    assert outcome.cases[0].locus is not None  # localised instead: where it first leaves the reference


def test_a_count_that_equals_a_known_mistake_on_one_case_is_not_named(grader: Grader) -> None:
    """The red team's case: an upper bidirectional layer that reads H inputs, whose count on one
    case equals the forgot-the-biases formula. Here, a count right everywhere but on one case,
    where it is exactly the forgot-biases figure."""
    right = reference(grader, "c.num_parameters.stacks")
    _, cases = check_and_cases(grader, "c.num_parameters.stacks")
    target = dict(cases[2].kwargs)  # the bidirectional case
    forgot = evaluate_variant(
        grader.ground.variants["forgot_biases"], "num_parameters", grader.ground.references, (), target
    )[0]

    def student(**kwargs: Any) -> Any:
        return forgot if kwargs == target else right(**kwargs)

    outcome = outcome_of(grader, "c.num_parameters.stacks", student)
    assert outcome.cases[2].fraction == 0.0
    assert "forgot_biases" not in outcome.misconceptions


def reads_h_above_bidirectional(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> int:
    directions, biases = (2 if bidirectional else 1), (1 if convention == "keras" else 2)
    return sum(
        directions
        * 4
        * (hidden_size * (hidden_size + (input_size if layer == 0 else hidden_size)) + biases * hidden_size)
        for layer in range(num_layers)
    )


def test_the_upper_bidirectional_layer_reading_h_is_localised_not_misnamed(grader: Grader) -> None:
    outcome = outcome_of(grader, "c.num_parameters.stacks", reads_h_above_bidirectional)
    assert outcome.diagnoses == ()
    [finding] = outcome.findings
    assert "bidirectional layer above the first" in finding.subject
    assert "2H" in finding.truth and "2H" not in finding.student
    assert "reads H values" in " ".join(finding.differences)
    assert finding.student in check_feedback(outcome)


# --- formula recovery -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=9, max_size=9))
def test_interpolation_recovers_any_polynomial_of_degree_two_in_each_size(coefficients: list[int]) -> None:
    monomials = list(itertools.product(range(3), range(3)))
    truth = Polynomial(
        ("H", "I"), {m: Fraction(c) for m, c in zip(monomials, coefficients, strict=True) if c}
    )
    recovered = interpolate(("H", "I"), count_formulas.NODES, lambda point: truth(point))
    assert recovered == truth


def test_the_reference_count_has_no_finding(grader: Grader) -> None:
    truth = count_formulas.reference_values(reference(grader, "c.num_parameters.stacks"))
    assert count_formulas.count_findings(truth, truth) == ()


def test_three_gates_and_one_bias_are_read_from_the_formula(grader: Grader, ref_budget: Any) -> None:
    def three_gates(
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        convention: str = "keras",
    ) -> int:
        # the reference's structure, with 3 gates' weights and one bias vector per layer and direction
        full = ref_budget.num_parameters(input_size, hidden_size, num_layers, bidirectional, convention)
        biases = (
            (1 if convention == "keras" else 2) * 4 * hidden_size * (2 if bidirectional else 1) * num_layers
        )
        weights = full - biases
        return weights * 3 // 4 + hidden_size * (2 if bidirectional else 1) * num_layers

    outcome = outcome_of(grader, "c.num_parameters.worked", three_gates)
    assert outcome.diagnoses == ()
    first = outcome.findings[0]
    assert first.student == "3·H·(H+I) + H" and first.truth == "4·H·(H+I) + 4·H"
    assert first.differences == (
        "three gates’ weights instead of four",
        "one bias vector of H instead of four",
    )


def test_a_catalogued_count_mistake_is_named_only_when_its_formula_is_the_students(grader: Grader) -> None:
    for variant in ("forgot_biases", "forgot_four_gates", "stacked_input_size"):

        def student(variant: str = variant, **kwargs: Any) -> Any:
            outputs = evaluate_variant(
                grader.ground.variants[variant], "num_parameters", grader.ground.references, (), kwargs
            )
            return outputs[0] if outputs else reference(grader, "c.num_parameters.stacks")(**kwargs)

        outcome = outcome_of(grader, "c.num_parameters.stacks", student)
        assert variant in outcome.misconceptions, (variant, outcome.misconceptions)


def memory_with_activations(ref_budget: Any, activations: Callable[..., int]) -> Student:
    def student(**kwargs: Any) -> Any:
        memory = dict(ref_budget.training_memory(**kwargs))
        memory["activations"] = activations(kwargs.get("bytes_per_value", 4), **kwargs)
        memory["total"] = sum(v for k, v in memory.items() if k != "total")
        return memory

    return student


def test_memory_findings_say_which_term_differs(grader: Grader, ref_budget: Any) -> None:
    def six_h(b: int, input_size: int, hidden_size: int, batch_size: int, seq_len: int, **_: Any) -> int:
        return b * batch_size * seq_len * (input_size + 6 * hidden_size)

    outcome = outcome_of(grader, "c.training_memory", memory_with_activations(ref_budget, six_h))
    assert outcome.diagnoses == ()
    [finding] = outcome.findings
    assert finding.subject == "'activations'"
    assert finding.differences == ("6·B·T·bytes·H where it should be 7·B·T·bytes·H",)


def test_memory_findings_say_which_factor_is_missing(grader: Grader, ref_budget: Any) -> None:
    def no_batch(b: int, input_size: int, hidden_size: int, batch_size: int, seq_len: int, **_: Any) -> int:
        return b * seq_len * (input_size + 7 * hidden_size)

    outcome = outcome_of(grader, "c.training_memory", memory_with_activations(ref_budget, no_batch))
    [finding] = outcome.findings
    assert finding.differences == ("it does not grow with the batch size B",)
    assert "B" in finding.truth and "B" not in finding.student


# --- the generated catalogue: every single change is named as itself -----------------------------


def visible(outputs: list[Any], truths: list[Any]) -> bool:
    return any(not _close(o, t) for o, t in zip(outputs, truths, strict=True))


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping):
        return all(np.allclose(a[k], b[k], atol=1e-5, rtol=1e-4) for k in b)
    return bool(np.allclose(a, b, atol=1e-5, rtol=1e-4))


@pytest.mark.parametrize("check_id", ["a.lstm_step", "a.gate_table"])
def test_every_single_change_of_the_gate_equations_is_named(grader: Grader, check_id: str) -> None:
    check, cases = check_and_cases(grader, check_id)
    kind = KINDS[check.kind]
    unnamed = []
    for edit in lstm_equations.single_edits():
        if edit.table_only and check_id == "a.lstm_step":
            continue
        outputs = [kind.outputs(edit.equations, case) for case in cases]  # type: ignore[attr-defined]
        if not visible(outputs, [case.expected for case in cases]):
            continue
        values = [StudentValue(value=o) for o in outputs]
        outcome = kind.evaluate(check, cases, values, grader.ground)
        if not outcome.diagnoses:
            unnamed.append(edit.id)
        elif not any(
            d.misconception == edit.id or d.misconception in {m.id for m in check.misconceptions}
            for d in outcome.diagnoses
        ):
            unnamed.append(f"{edit.id} named as {outcome.misconceptions}")
    assert unnamed == []


def test_every_generated_gradient_mistake_is_named(grader: Grader) -> None:
    for check_id, make in (
        ("b.lstm_cell_gradients", cell_gradient_edits.cell_gradient_candidates),
        ("b.rnn_hidden_gradients", gradient_edits.rnn_candidates),
        ("b.cell_path_gradient", gradient_edits.cell_path_candidates),
    ):
        check, cases = check_and_cases(grader, check_id)
        per_case = [{c.id: c for c in make(*case.args, **case.kwargs)} for case in cases]
        for candidate in per_case[0].values():
            if not all(candidate.id in found for found in per_case):
                continue
            outputs = [np.stack(list(found[candidate.id].rows())[::-1]) for found in per_case]
            if not visible(outputs, [case.expected for case in cases]):
                continue
            outcome = KINDS[check.kind].evaluate(
                check, cases, [StudentValue(value=o) for o in outputs], grader.ground
            )
            named = set(outcome.misconceptions)
            assert candidate.id in named or named & {m.id for m in check.misconceptions}, (
                check_id,
                candidate.id,
                named,
            )


def test_a_list_instead_of_an_array_is_not_a_mistake(grader: Grader) -> None:
    check, cases = check_and_cases(grader, "b.rnn_hidden_gradients")
    values = [StudentValue(value=np.asarray(case.expected).tolist()) for case in cases]
    outcome = KINDS[check.kind].evaluate(check, cases, values, grader.ground)
    assert outcome.automatic_fraction == 1.0


# --- the red team's cases: each a class of mistake, held here ---------------------------------------


def test_a_fixed_four_bytes_is_not_named_one_byte_per_value(grader: Grader, ref_budget: Any) -> None:
    def float32_baked_in(
        b: int, input_size: int, hidden_size: int, batch_size: int, seq_len: int, **_: Any
    ) -> int:
        return 4 * batch_size * seq_len * (input_size + 7 * hidden_size)

    outcome = outcome_of(grader, "c.training_memory", memory_with_activations(ref_budget, float32_baked_in))
    assert "one_byte_per_value" not in outcome.misconceptions
    [finding] = outcome.findings
    assert set(finding.differences) == {"a fixed factor 4", "it does not grow with bytes_per_value"}


def test_too_many_optimizer_buffers_are_counted_as_buffers(grader: Grader, ref_budget: Any) -> None:
    def adam_three(**kwargs: Any) -> Any:
        memory = dict(ref_budget.training_memory(**kwargs))
        if kwargs.get("optimizer") == "adam":
            memory["optimizer_state"] = memory["parameters"] * 3
            memory["total"] = sum(v for k, v in memory.items() if k != "total")
        return memory

    outcome = outcome_of(grader, "c.training_memory", adam_three)
    [finding] = outcome.findings
    assert finding.differences == ("it keeps 3 buffers the size of the parameters; adam keeps 2",)


@pytest.mark.parametrize(
    "check_id", ["b.lstm_cell_gradients", "b.rnn_hidden_gradients", "b.cell_path_gradient"]
)
def test_rows_in_reverse_order_are_named(grader: Grader, check_id: str) -> None:
    right = reference(grader, check_id)
    outcome = outcome_of(grader, check_id, lambda *args, **kwargs: np.asarray(right(*args, **kwargs))[::-1])
    assert outcome.misconceptions == ("rows_reversed",)


def test_a_wrong_last_row_says_so(grader: Grader) -> None:
    right = reference(grader, "b.lstm_cell_gradients")
    outcome = outcome_of(grader, "b.lstm_cell_gradients", lambda *a, **k: 2 * np.asarray(right(*a, **k)))
    assert all(case.locus is not None and case.locus.key == "last row" for case in outcome.cases)
    assert "already differs" in check_feedback(outcome)
