"""Part (c)'s activation accounting is the cache part (b)'s backward pass really keeps."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest


@pytest.mark.parametrize(("dtype", "sizes"), [(np.float32, (100, 64, 32, 50)), (np.float64, (7, 3, 2, 5))])
def test_cache_bytes_equal_activation_memory(
    ref_grads: ModuleType, ref_budget: ModuleType, dtype: type, sizes: tuple[int, int, int, int]
) -> None:
    input_size, hidden_size, batch, steps = sizes
    rng = np.random.default_rng(0)
    params = {
        name: rng.normal(size=shape).astype(dtype)
        for name, shape in ref_budget.weight_shapes(input_size, hidden_size).items()
    }
    xs = rng.normal(size=(steps, batch, input_size)).astype(dtype)
    cache = ref_grads.lstm_forward_with_cache(xs, params)
    cached = sum(array.nbytes for array in cache.values())
    expected = ref_budget.training_memory(
        input_size, hidden_size, batch, steps, bytes_per_value=np.dtype(dtype).itemsize
    )["activations"]
    assert cached == expected


def test_backward_reads_the_cache_it_accounts_for(ref_grads: ModuleType, ref_gates: ModuleType) -> None:
    """The batched backward pass over the cache agrees, row by row, with the unbatched one."""
    rng = np.random.default_rng(3)
    params = {f"{kind}_{g}": rng.normal(size=(4, 7) if kind == "W" else 4) for kind in "Wb" for g in "fico"}
    xs, d_c = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4))
    batched = ref_grads.lstm_backward_cell(ref_grads.lstm_forward_with_cache(xs, params), params, d_c)
    for row in range(2):
        single = ref_grads.lstm_cell_gradients(xs[:, row], params, d_c[row])
        np.testing.assert_allclose(batched[:, row], single, rtol=1e-12)
    table = ref_gates.gate_table(xs, params)
    cache = ref_grads.lstm_forward_with_cache(xs, params)
    for key in ("f", "i", "c_tilde", "o", "c"):
        np.testing.assert_allclose(cache[key], table[key], rtol=1e-12)


def test_reference_float32_stays_close(ref_gates: ModuleType) -> None:
    rng = np.random.default_rng(1)
    params = {f"{kind}_{g}": rng.normal(size=(4, 7) if kind == "W" else 4) for kind in "Wb" for g in "fico"}
    xs = rng.normal(size=(6, 3))
    exact = ref_gates.gate_table(xs, params)
    single = ref_gates.gate_table(xs.astype(np.float32), {k: v.astype(np.float32) for k, v in params.items()})
    assert single["h"].dtype == np.float32
    np.testing.assert_allclose(single["h"], exact["h"], atol=1e-5)


def test_sigmoid_has_no_overflow(ref_gates: ModuleType) -> None:
    with np.errstate(over="raise", invalid="raise"):
        values = ref_gates.sigmoid(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0])
