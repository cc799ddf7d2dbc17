"""Public checks for part (a), the gate table. Run `pytest` after each function you write."""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest
from public_support import ATOL, RTOL, as_array, assert_close, attempt, logistic, random_params

KEYS = ("f", "i", "c_tilde", "c", "o", "h")
INPUT, HIDDEN, STEPS, BATCH = 5, 4, 6, 3


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(2024)


def check_keys(result: object, what: str, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    if not isinstance(result, dict):
        pytest.fail(f"{what} must return a dict with keys {KEYS}, got {type(result).__name__}", pytrace=False)
    missing = [key for key in KEYS if key not in result]
    if missing:
        pytest.fail(f"{what} returned keys {sorted(result)}; missing {missing}", pytrace=False)
    arrays = {key: as_array(result[key], f"{what}[{key!r}]") for key in KEYS}
    for key, value in arrays.items():
        if value.shape != shape:
            pytest.fail(f"{what}[{key!r}] has shape {value.shape}, expected {shape}", pytrace=False)
    return arrays


def test_sigmoid_matches_the_formula(gates: ModuleType) -> None:
    z = np.linspace(-8.0, 8.0, 33)
    assert_close(attempt(gates.sigmoid, z), logistic(z), "sigmoid(z)", "sigmoid(z) = 1 / (1 + exp(-z)).")
    assert_close(attempt(gates.sigmoid, np.zeros(3)), np.full(3, 0.5), "sigmoid(0)")


def test_sigmoid_survives_large_inputs(gates: ModuleType) -> None:
    z = np.array([-1e4, -800.0, -50.0, 50.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        got = as_array(
            attempt(
                gates.sigmoid,
                z,
                failure_hint="exp(-z) overflows for z = -1e4: compute with exp of a non-positive number "
                "only, e.g. exp(z) / (1 + exp(z)) when z < 0.",
            ),
            "sigmoid(z)",
        )
    assert_close(
        got, (z > 0).astype(float), "sigmoid at |z| >= 50", "It should be 0 or 1 to float precision."
    )


def test_lstm_step_shapes_and_ranges(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    x, h, c = rng.normal(size=INPUT), rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    step = check_keys(
        attempt(gates.lstm_step, x, h, c, params), "lstm_step(x_t, h_prev, c_prev, params)", (HIDDEN,)
    )
    for key in ("f", "i", "o"):
        if not np.all((step[key] > 0) & (step[key] < 1)):
            pytest.fail(f"gate {key!r} must lie in (0, 1): it is a sigmoid. Got {step[key]}", pytrace=False)
    if not np.all(np.abs(step["c_tilde"]) < 1):
        pytest.fail(f"c_tilde must lie in (-1, 1): it is a tanh. Got {step['c_tilde']}", pytrace=False)


@pytest.mark.parametrize(
    ("gate", "weight", "squash"),
    [("f", "f", logistic), ("i", "i", logistic), ("c_tilde", "c", np.tanh), ("o", "o", logistic)],
)
def test_each_gate_uses_its_own_weights_on_h_then_x(
    gates: ModuleType, rng: np.random.Generator, gate: str, weight: str, squash: object
) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    x, h, c = rng.normal(size=INPUT), rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    step = check_keys(attempt(gates.lstm_step, x, h, c, params), "lstm_step", (HIDDEN,))
    z = np.concatenate([h, x])
    expected = squash(params[f"W_{weight}"] @ z + params[f"b_{weight}"])  # type: ignore[operator]
    hint = f"{gate!r} = {'tanh' if gate == 'c_tilde' else 'sigmoid'}(W_{weight} z_t + b_{weight})"
    hint += " with z_t = [h_{t-1}, x_t]: the first H columns of W multiply h_{t-1}, the rest x_t."
    x_first = squash(params[f"W_{weight}"] @ np.concatenate([x, h]) + params[f"b_{weight}"])  # type: ignore[operator]
    if np.allclose(step[gate], x_first, atol=ATOL, rtol=RTOL):
        hint += " Yours matches [x_t, h_{t-1}]: the order of the concatenation is reversed."
    swapped = [
        other
        for other in "fico"
        if other != weight
        and np.allclose(
            step[gate], squash(params[f"W_{other}"] @ z + params[f"b_{other}"]), atol=ATOL, rtol=RTOL
        )  # type: ignore[operator]
    ]
    if swapped:
        hint += f" Yours matches the weights of gate {swapped[0]!r}: two gates are swapped."
    assert_close(step[gate], expected, f"lstm_step(...)[{gate!r}]", hint)


def test_lstm_step_state_equations(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    x, h, c = rng.normal(size=INPUT), rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    step = check_keys(attempt(gates.lstm_step, x, h, c, params), "lstm_step", (HIDDEN,))
    assert_close(
        step["c"],
        step["f"] * c + step["i"] * step["c_tilde"],
        "lstm_step(...)['c']",
        "C_t = f_t * C_{t-1} + i_t * c_tilde_t, element-wise, with your own gates.",
    )
    hint = "h_t = o_t * tanh(C_t)."
    if np.allclose(step["h"], step["o"] * step["c"], atol=ATOL, rtol=RTOL):
        hint += " Yours is o_t * C_t: the tanh on the cell state is missing."
    assert_close(step["h"], step["o"] * np.tanh(step["c"]), "lstm_step(...)['h']", hint)


def test_lstm_step_handles_a_batch(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs, hs, cs = (
        rng.normal(size=(BATCH, INPUT)),
        rng.normal(size=(BATCH, HIDDEN)),
        rng.normal(size=(BATCH, HIDDEN)),
    )
    batched = check_keys(
        attempt(gates.lstm_step, xs, hs, cs, params), "lstm_step on a batch", (BATCH, HIDDEN)
    )
    for row in range(BATCH):
        single = check_keys(
            attempt(gates.lstm_step, xs[row], hs[row], cs[row], params), "lstm_step", (HIDDEN,)
        )
        for key in KEYS:
            assert_close(
                batched[key][row],
                single[key],
                f"batch row {row} of lstm_step(...)[{key!r}]",
                "Each row of a batch is its own sequence: z_t @ W.T works for (H+I,) and (B, H+I).",
            )


def test_gate_table_carries_the_state(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs = rng.normal(size=(STEPS, INPUT))
    table = check_keys(attempt(gates.gate_table, xs, params), "gate_table(xs, params)", (STEPS, HIDDEN))
    h, c = np.zeros(HIDDEN), np.zeros(HIDDEN)
    for t in range(STEPS):
        step = check_keys(attempt(gates.lstm_step, xs[t], h, c, params), "lstm_step", (HIDDEN,))
        for key in KEYS:
            assert_close(
                table[key][t],
                step[key],
                f"gate_table row {t} (step {t + 1}), column {key!r}",
                "Row t-1 is step t, computed from h_{t-1} and C_{t-1} of the step before "
                "(zeros before step 1). This is the first place your table leaves that rule.",
            )
        h = step["h"]  # both states carry over to the next step
        c = step["c"]


def test_gate_table_uses_given_initial_state(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs, h0, c0 = rng.normal(size=(STEPS, INPUT)), rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    table = check_keys(
        attempt(gates.gate_table, xs, params, h0, c0), "gate_table(xs, params, h0, c0)", (STEPS, HIDDEN)
    )
    first = check_keys(attempt(gates.lstm_step, xs[0], h0, c0, params), "lstm_step", (HIDDEN,))
    for key in KEYS:
        assert_close(
            table[key][0],
            first[key],
            f"gate_table row 0 column {key!r} with h0, c0 given",
            "Step 1 starts from the h0 and c0 the caller gave.",
        )


def test_gate_table_on_a_batch_with_a_shared_initial_state(
    gates: ModuleType, rng: np.random.Generator
) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs, h0, c0 = rng.normal(size=(STEPS, BATCH, INPUT)), rng.normal(size=HIDDEN), rng.normal(size=HIDDEN)
    shape = (STEPS, BATCH, HIDDEN)
    table = check_keys(
        attempt(gates.gate_table, xs, params, h0, c0), "gate_table on (T, B, I) with h0 (H,)", shape
    )
    for row in range(BATCH):
        single = check_keys(
            attempt(gates.gate_table, xs[:, row], params, h0, c0), "gate_table", (STEPS, HIDDEN)
        )
        for key in KEYS:
            assert_close(
                table[key][:, row],
                single[key],
                f"sequence {row} of the batched table, column {key!r}",
                "A (H,) initial state is shared by every sequence of the batch.",
            )


def test_gate_table_accepts_float32(gates: ModuleType, rng: np.random.Generator) -> None:
    params = random_params(rng, INPUT, HIDDEN)
    xs = rng.normal(size=(STEPS, INPUT))
    exact = check_keys(attempt(gates.gate_table, xs, params), "gate_table", (STEPS, HIDDEN))
    params32 = {name: value.astype(np.float32) for name, value in params.items()}
    single = check_keys(
        attempt(gates.gate_table, xs.astype(np.float32), params32), "gate_table in float32", (STEPS, HIDDEN)
    )
    for key in KEYS:
        assert_close(single[key], exact[key], f"float32 gate_table column {key!r}")
