"""Public checks for part (b), gradients through time."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from public_support import as_array, assert_close, attempt, logistic, random_params

INPUT, HIDDEN, STEPS = 3, 4, 6
QUESTIONS = ("q1", "q2", "q3", "q4", "q5", "q6")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_cell_path_gradient_last_row_is_ones(grads: ModuleType, rng: np.random.Generator) -> None:
    f = rng.uniform(0.2, 0.95, size=(STEPS, HIDDEN))
    got = as_array(attempt(grads.cell_path_gradient, f), "cell_path_gradient(f)")
    if got.shape != (STEPS + 1, HIDDEN):
        pytest.fail(
            f"cell_path_gradient(f) for f of shape {f.shape}: got shape {got.shape}, expected "
            f"{(STEPS + 1, HIDDEN)} (one row for each k = 0..T)",
            pytrace=False,
        )
    assert_close(got[STEPS], np.ones(HIDDEN), "row T of cell_path_gradient", "dC_T/dC_T is 1.")


def test_cell_path_gradient_multiplies_the_later_gates(grads: ModuleType, rng: np.random.Generator) -> None:
    f = rng.uniform(0.2, 0.95, size=(STEPS, HIDDEN))
    got = as_array(attempt(grads.cell_path_gradient, f), "cell_path_gradient(f)")
    assert_close(got.shape, (STEPS + 1, HIDDEN), "shape of cell_path_gradient(f)")
    for k in range(STEPS - 1, -1, -1):
        assert_close(
            got[k],
            f[k] * got[k + 1],
            f"row {k} of cell_path_gradient",
            f"dC_T/dC_{k} = f_{k + 1} * dC_T/dC_{k + 1}: multiply by the gates of the LATER steps "
            f"k+1..T (rows k..T-1 of f), not the earlier ones.",
        )


def test_cell_path_gradient_halves_at_every_step(grads: ModuleType) -> None:
    got = as_array(attempt(grads.cell_path_gradient, np.full((10, 2), 0.5)), "cell_path_gradient")
    assert_close(
        got[:, 0],
        0.5 ** np.arange(10, -1, -1),
        "cell_path_gradient with every f = 0.5",
        "Ten forget gates of 0.5 shrink the cell-path gradient to 0.5**10.",
    )


def _fd_lstm_cell_gradients(
    gates: ModuleType,
    xs: np.ndarray,
    params: dict[str, np.ndarray],
    d_c: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
) -> np.ndarray:
    """dL/dC_k by central differences, restarting your own gate_table from a nudged C_k."""
    table = attempt(gates.gate_table, xs, params, h0, c0)
    cells = np.vstack([c0, np.asarray(table["c"])])
    outputs = np.vstack([np.ones_like(h0), np.asarray(table["o"])])
    eps, estimate = 1e-6, np.zeros((len(xs) + 1, len(d_c)))
    for k in range(len(xs) + 1):
        for j in range(len(d_c)):
            losses = []
            for sign in (1.0, -1.0):
                c_k = cells[k].copy()
                c_k[j] += sign * eps
                h_k = h0 if k == 0 else outputs[k] * np.tanh(c_k)
                end = (
                    c_k
                    if k == len(xs)
                    else np.asarray(attempt(gates.gate_table, xs[k:], params, h_k, c_k)["c"])[-1]
                )
                losses.append(float(np.sum(d_c * end)))
            estimate[k, j] = (losses[0] - losses[1]) / (2 * eps)
    return estimate


def test_lstm_cell_gradients_with_no_recurrent_weights_follow_the_cell_path(
    grads: ModuleType, rng: np.random.Generator
) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    for gate in "fico":
        params[f"W_{gate}"][:, :HIDDEN] = 0.0  # h_{t-1} moves no gate: only the cell path is left
    params["W_f"][:] = 0.0
    xs, d_c = rng.normal(size=(STEPS, INPUT)), rng.normal(size=HIDDEN)
    got = as_array(
        attempt(grads.lstm_cell_gradients, xs, params, d_c), "lstm_cell_gradients(xs, params, dC_T)"
    )
    forget = logistic(params["b_f"])
    expected = np.stack([d_c * forget ** (STEPS - k) for k in range(STEPS + 1)])
    assert_close(
        got,
        expected,
        "lstm_cell_gradients with no recurrent weights and a constant forget gate",
        "With no weights on h_{t-1}, only the cell path is left: dL/dC_k = dC_T * f_{k+1} * ... * f_T.",
    )


def test_lstm_cell_gradients_agree_with_finite_differences(
    grads: ModuleType, gates: ModuleType, rng: np.random.Generator
) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs, d_c = rng.normal(size=(STEPS, INPUT)), rng.normal(size=HIDDEN)
    h0, c0 = rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    got = as_array(attempt(grads.lstm_cell_gradients, xs, params, d_c, h0, c0), "lstm_cell_gradients")
    estimate = _fd_lstm_cell_gradients(gates, xs, params, d_c, h0, c0)
    assert_close(got[STEPS], d_c, "row T of lstm_cell_gradients", "dL/dC_T is dC_T itself.")
    assert_close(
        got,
        estimate,
        "lstm_cell_gradients vs finite differences of your own gate_table",
        "Row k is the TOTAL derivative: C_k moves C_{k+1} through f_{k+1}, and also "
        "h_k = o_k * tanh(C_k), which feeds every gate of step k+1. (If your gate_table is "
        "wrong, fix part (a) first: this estimate is made with it.)",
    )


def _rnn_final_state(
    xs: np.ndarray, W_hh: np.ndarray, W_xh: np.ndarray, b_h: np.ndarray, h: np.ndarray
) -> np.ndarray:
    for x_t in xs:
        h = np.tanh(W_hh @ h + W_xh @ x_t + b_h)
    return h


def test_rnn_hidden_gradients_agree_with_finite_differences(
    grads: ModuleType, rng: np.random.Generator
) -> None:
    W_hh, W_xh = rng.normal(0, 0.7, size=(HIDDEN, HIDDEN)), rng.normal(size=(HIDDEN, INPUT))
    b_h, xs, d_h = rng.normal(size=HIDDEN), rng.normal(size=(STEPS, INPUT)), rng.normal(size=HIDDEN)
    got = as_array(attempt(grads.rnn_hidden_gradients, xs, W_hh, W_xh, b_h, d_h), "rnn_hidden_gradients")
    states = [np.zeros(HIDDEN)]
    for t in range(STEPS):
        states.append(_rnn_final_state(xs[t : t + 1], W_hh, W_xh, b_h, states[-1]))
    eps, estimate = 1e-6, np.zeros((STEPS + 1, HIDDEN))
    for k in range(STEPS + 1):
        for j in range(HIDDEN):
            nudge = np.zeros(HIDDEN)
            nudge[j] = eps
            up = _rnn_final_state(xs[k:], W_hh, W_xh, b_h, states[k] + nudge)
            down = _rnn_final_state(xs[k:], W_hh, W_xh, b_h, states[k] - nudge)
            estimate[k, j] = np.sum(d_h * (up - down)) / (2 * eps)
    assert_close(
        got,
        estimate,
        "rnn_hidden_gradients vs finite differences",
        "dL/dh_{t-1} = W_hh^T (dL/dh_t * (1 - h_t**2)): each step multiplies by the tanh "
        "derivative and by the same W_hh, transposed.",
    )


def test_concept_answers_are_all_given(grads: ModuleType) -> None:
    answers = getattr(grads, "CONCEPT_ANSWERS", None)
    if not isinstance(answers, dict):
        pytest.fail("CONCEPT_ANSWERS must be a dict from question id to a letter", pytrace=False)
    unanswered = [q for q in QUESTIONS if str(answers.get(q, "")).strip() == ""]
    if unanswered:
        pytest.fail(
            f"CONCEPT_ANSWERS: {unanswered} not answered yet (not implemented yet): "
            "give one letter per question.",
            pytrace=False,
        )
    invalid = {
        q: answers[q] for q in QUESTIONS if str(answers[q]).strip().lower() not in ("a", "b", "c", "d")
    }
    if invalid:
        pytest.fail(f"CONCEPT_ANSWERS: each answer must be one of a, b, c, d; got {invalid}", pytrace=False)


def test_explanation_is_written(grads: ModuleType) -> None:
    text = getattr(grads, "EXPLANATION", "")
    if not isinstance(text, str) or not text.strip():
        pytest.fail(
            "EXPLANATION is not written yet (not implemented yet): answer in three to five "
            "sentences. It is graded by hand.",
            pytrace=False,
        )
    if len(text.split()) < 25:
        pytest.fail(
            f"EXPLANATION has {len(text.split())} words: three to five sentences are asked for.",
            pytrace=False,
        )
