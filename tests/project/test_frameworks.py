"""The reference solution against torch and Keras: the frameworks are the ground truth."""

from __future__ import annotations

import itertools
from types import ModuleType

import numpy as np
import pytest
import torch

from autograder.frameworks import truth as framework_truth


def random_params(rng: np.random.Generator, input_size: int, hidden_size: int) -> dict[str, np.ndarray]:
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(0, 0.5, size=(hidden_size, hidden_size + input_size))
        params[f"b_{gate}"] = rng.normal(0, 0.5, size=hidden_size)
    return params


def torch_lstm(params: dict[str, np.ndarray], input_size: int, hidden_size: int) -> torch.nn.LSTM:
    lstm = torch.nn.LSTM(input_size, hidden_size, dtype=torch.float64)
    lstm.load_state_dict(framework_truth.torch_lstm_weights(params))
    return lstm


@pytest.mark.parametrize("batch", [None, 3])
def test_gate_table_matches_torch_lstm(ref_gates: ModuleType, batch: int | None) -> None:
    rng = np.random.default_rng(batch or 0)
    steps, input_size, hidden_size = 7, 5, 4
    params = random_params(rng, input_size, hidden_size)
    lead = (steps,) if batch is None else (steps, batch)
    xs = rng.normal(size=(*lead, input_size))
    h0, c0 = rng.normal(size=(*lead[1:], hidden_size)), rng.normal(size=(*lead[1:], hidden_size))
    table = ref_gates.gate_table(xs, params, h0, c0)
    lstm = torch_lstm(params, input_size, hidden_size)
    state = (torch.tensor(h0)[None], torch.tensor(c0)[None])
    with torch.no_grad():
        for t in range(1, steps + 1):
            output, (h_n, c_n) = lstm(torch.tensor(xs[:t]), state)
            np.testing.assert_allclose(table["h"][t - 1], h_n[0].numpy(), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(table["c"][t - 1], c_n[0].numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(table["h"], output.numpy(), rtol=1e-10, atol=1e-12)


def torch_cell_gradients(
    xs: np.ndarray, params: dict[str, np.ndarray], d_c: np.ndarray, h0: np.ndarray, c0: np.ndarray
) -> np.ndarray:
    """dL/dC_k by autograd over the cell written step by step (C_k feeds h_k: every path)."""
    p = {name: torch.tensor(value) for name, value in params.items()}
    h, c = torch.tensor(h0), torch.tensor(c0, requires_grad=True)
    cells = [c]
    for x_t in torch.tensor(xs):
        z = torch.cat([h, x_t])
        f = torch.sigmoid(p["W_f"] @ z + p["b_f"])
        i = torch.sigmoid(p["W_i"] @ z + p["b_i"])
        g = torch.tanh(p["W_c"] @ z + p["b_c"])
        o = torch.sigmoid(p["W_o"] @ z + p["b_o"])
        c = f * c + i * g
        c.retain_grad()
        h = o * torch.tanh(c)
        cells.append(c)
    (torch.tensor(d_c) * c).sum().backward()
    return np.stack([cell.grad.numpy() for cell in cells])  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", range(3))
def test_lstm_cell_gradients_match_autograd(ref_grads: ModuleType, seed: int) -> None:
    rng = np.random.default_rng(seed)
    steps, input_size, hidden_size = 9, 3, 5
    params = random_params(rng, input_size, hidden_size)
    xs, d_c = rng.normal(size=(steps, input_size)), rng.normal(size=hidden_size)
    h0, c0 = rng.normal(size=hidden_size), rng.normal(size=hidden_size)
    got = ref_grads.lstm_cell_gradients(xs, params, d_c, h0, c0)
    np.testing.assert_allclose(got, torch_cell_gradients(xs, params, d_c, h0, c0), rtol=1e-9, atol=1e-12)


def test_cell_path_alone_misses_the_h_path(ref_grads: ModuleType, ref_gates: ModuleType) -> None:
    """The total derivative differs from the cell-path product once h feeds the gates."""
    rng = np.random.default_rng(11)
    params = random_params(rng, 3, 4)
    xs, d_c = rng.normal(size=(6, 3)), rng.normal(size=4)
    total = ref_grads.lstm_cell_gradients(xs, params, d_c)
    f = np.asarray(ref_gates.gate_table(xs, params)["f"])
    cell_only = ref_grads.cell_path_gradient(f) * d_c
    np.testing.assert_allclose(total[-1], cell_only[-1])
    assert not np.allclose(total[:-1], cell_only[:-1], rtol=1e-3)


def test_rnn_hidden_gradients_match_autograd(ref_grads: ModuleType) -> None:
    rng = np.random.default_rng(5)
    steps, input_size, hidden_size = 8, 3, 4
    W_hh, W_xh = rng.normal(0, 0.8, (hidden_size, hidden_size)), rng.normal(size=(hidden_size, input_size))
    b_h, xs, d_h = (
        rng.normal(size=hidden_size),
        rng.normal(size=(steps, input_size)),
        rng.normal(size=hidden_size),
    )
    weights = [torch.tensor(a) for a in (W_hh, W_xh, b_h)]
    h = torch.zeros(hidden_size, dtype=torch.float64, requires_grad=True)
    states = [h]
    for x_t in torch.tensor(xs):
        h = torch.tanh(weights[0] @ h + weights[1] @ x_t + weights[2])
        h.retain_grad()
        states.append(h)
    (torch.tensor(d_h) * h).sum().backward()
    expected = np.stack([state.grad.numpy() for state in states])  # type: ignore[union-attr]
    got = ref_grads.rnn_hidden_gradients(xs, W_hh, W_xh, b_h, d_h)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


SIZES = [(100, 64), (1, 1), (7, 3), (32, 16)]
CONFIGS = list(itertools.product(SIZES, [1, 2, 3], [False, True]))


@pytest.mark.parametrize(("sizes", "layers", "bidirectional"), CONFIGS)
def test_num_parameters_matches_torch(
    ref_budget: ModuleType, sizes: tuple[int, int], layers: int, bidirectional: bool
) -> None:
    expected = framework_truth.torch_lstm_parameter_count(*sizes, layers, bidirectional)
    assert ref_budget.num_parameters(*sizes, layers, bidirectional, convention="pytorch") == expected


def test_num_parameters_matches_keras(ref_budget: ModuleType) -> None:
    for sizes, layers, bidirectional in CONFIGS:
        expected = framework_truth.keras_lstm_parameter_count(*sizes, layers, bidirectional)
        got = ref_budget.num_parameters(*sizes, layers, bidirectional, convention="keras")
        assert got == expected, (sizes, layers, bidirectional)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_memory_matches_torch_optim(ref_budget: ModuleType, optimizer: str) -> None:
    input_size, hidden_size = 100, 64
    held = framework_truth.torch_optimizer_bytes(ref_budget.weight_shapes(input_size, hidden_size), optimizer)
    memory = ref_budget.training_memory(input_size, hidden_size, 32, 50, optimizer=optimizer)
    assert {key: memory[key] for key in held} == held
