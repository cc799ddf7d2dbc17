"""The oracle's cases for parts (a) and (b): unbatched and batched, float32 and float64, T = 1, 2
and long, sizes of 1, h0 and c0 left out or given (each alone too), weights large enough to
saturate the gates, lists where the signature says ArrayLike, sigmoid up to |z| = 1e4."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from benchmarks.mutants.case import NOT_AN_ARRAY, Case

Params = dict[str, Any]
SHORT = "a short sequence (T <= 2)"


def params(rng: np.random.Generator, inputs: int, hidden: int, dtype: Any, scale: float = 0.8) -> Params:
    found: Params = {}
    for gate in "fico":
        found[f"W_{gate}"] = rng.normal(0.0, scale, (hidden, hidden + inputs)).astype(dtype)
        found[f"b_{gate}"] = rng.normal(0.0, scale, hidden).astype(dtype)
    return found


def _listed(values: Params) -> Params:
    return {key: value.tolist() for key, value in values.items()}


def _shape_tags(steps: int | None, batch: int | None, dtype: Any) -> set[str]:
    tags = {"batched"} if batch is not None else set()
    tags |= {"float32"} if np.dtype(dtype) == np.float32 else set()
    return tags | ({SHORT} if steps is not None and steps <= 2 else set())


def sigmoid_cases(rng: np.random.Generator) -> Iterator[Case]:
    large = [-1e4, -800.0, -710.0, -100.0, -50.0, -20.0, 0.0, 20.0, 50.0, 100.0, 710.0, 800.0, 1e4]
    large32 = [-1e4, -100.0, -88.8, -30.0, 30.0, 88.8, 100.0, 1e4]
    inputs: list[tuple[str, Any, set[str]]] = [
        ("float64 linspace(-8, 8, 33)", np.linspace(-8.0, 8.0, 33), set()),
        ("float64 normal*5, shape (4, 7)", rng.normal(0.0, 5.0, (4, 7)), set()),
        ("float64 normal*3, shape (2, 3, 4)", rng.normal(0.0, 3.0, (2, 3, 4)), set()),
        ("float64 0-d array -3.0", np.array(-3.0), set()),
        ("Python float 0.5", 0.5, {NOT_AN_ARRAY}),
        ("Python int 3", 3, {NOT_AN_ARRAY}),
        ("list [-2.0, 0.0, 2.0]", [-2.0, 0.0, 2.0], {NOT_AN_ARRAY}),
        ("int64 array -5..5", np.arange(-5, 6), {"integer input"}),
        ("float32 normal*5, shape (30,)", rng.normal(0.0, 5.0, 30).astype(np.float32), {"float32"}),
        ("float64 |z| up to 1e4", np.array(large), {"|z| up to 1e4"}),
        ("float32 |z| up to 1e4", np.array(large32, np.float32), {"|z| up to 1e4", "float32"}),
        ("float64 tiny |z|", np.array([-1e-9, 0.0, 1e-9, 1e-3]), set()),
    ]
    for label, z, tags in inputs:
        yield Case(
            "lstm_gates", "sigmoid", f"sigmoid({label})", (z,), watch_overflow=True, tags=frozenset(tags)
        )


def lstm_step_cases(rng: np.random.Generator) -> Iterator[Case]:
    shapes = [  # (I, H, B or None, dtype, weight scale)
        (3, 5, None, np.float64, 0.8),
        (1, 1, None, np.float64, 0.8),
        (100, 64, None, np.float64, 0.3),
        (6, 4, 4, np.float64, 0.8),
        (2, 3, 1, np.float64, 0.8),
        (5, 4, 3, np.float32, 0.8),
        (5, 4, None, np.float32, 0.8),
        (4, 3, 2, np.float64, 3.0),
    ]
    for inputs, hidden, batch, dtype, scale in shapes:
        lead = () if batch is None else (batch,)
        x = rng.normal(0.0, 1.0, (*lead, inputs)).astype(dtype)
        h, c = (rng.normal(0.0, 1.0, (*lead, hidden)).astype(dtype) for _ in range(2))
        shape = "unbatched" if batch is None else f"batch B={batch}"
        label = f"lstm_step: I={inputs} H={hidden} {shape} {np.dtype(dtype)}, weights ~N(0, {scale})"
        arguments = (x, h, c, params(rng, inputs, hidden, dtype, scale))
        yield Case(
            "lstm_gates", "lstm_step", label, arguments, tags=frozenset(_shape_tags(None, batch, dtype))
        )
    arguments = (rng.normal(size=3), np.zeros(2), np.zeros(2), params(rng, 3, 2, float))
    yield Case("lstm_gates", "lstm_step", "lstm_step: I=3 H=2, zero h_prev and c_prev", arguments)
    x, h, c = (rng.normal(size=n) for n in (3, 2, 2))
    listed = (x.tolist(), h.tolist(), c.tolist(), _listed(params(rng, 3, 2, float)))
    label = "lstm_step: I=3 H=2, every argument a list (ArrayLike)"
    yield Case("lstm_gates", "lstm_step", label, listed, tags=frozenset({NOT_AN_ARRAY}))


def _state(kind: str, h0: Any, c0: Any) -> tuple[dict[str, Any], str, set[str]]:
    """The h0/c0 keywords of a state `kind`, how the label says it, and the tags."""
    kwargs = {"h0": h0, "c0": c0} if kind in ("both", "shared") else {kind: h0 if kind == "h0" else c0}
    kwargs = {} if kind == "none" else kwargs
    shown = {"none": "h0 and c0 left out", "shared": "h0 and c0 of shape (H,)"}.get(kind, f"given: {kind}")
    return kwargs, shown, {f"{name} left out" for name in ("h0", "c0") if name not in kwargs}


def gate_table_cases(rng: np.random.Generator) -> Iterator[Case]:
    configs = [  # (I, H, T, B or None, dtype, h0 and c0: "none", "both", "h0", "c0", "shared")
        (3, 2, 1, None, np.float64, "none"),
        (3, 2, 2, None, np.float64, "none"),
        (4, 3, 5, None, np.float64, "both"),
        (4, 3, 2, None, np.float64, "h0"),
        (4, 3, 2, None, np.float64, "c0"),
        (1, 1, 3, None, np.float64, "none"),
        (2, 3, 60, None, np.float64, "both"),
        (100, 64, 5, None, np.float64, "none"),
        (4, 3, 1, 3, np.float64, "none"),
        (4, 3, 6, 3, np.float64, "both"),
        (4, 3, 2, 3, np.float64, "shared"),
        (4, 3, 2, 2, np.float64, "h0"),
        (5, 4, 6, None, np.float32, "none"),
        (5, 4, 3, 2, np.float32, "both"),
    ]
    for inputs, hidden, steps, batch, dtype, kind in configs:
        lead = () if batch is None else (batch,)
        xs = rng.normal(0.0, 1.0, (steps, *lead, inputs)).astype(dtype)
        state_shape = (hidden,) if kind == "shared" else (*lead, hidden)
        h0, c0 = (rng.normal(0.0, 1.0, state_shape).astype(dtype) for _ in range(2))
        kwargs, shown, tags = _state(kind, h0, c0)
        shape = "unbatched" if batch is None else f"batch B={batch}"
        label = f"gate_table: I={inputs} H={hidden} T={steps} {shape} {np.dtype(dtype)}, {shown}"
        tags |= _shape_tags(steps, batch, dtype)
        arguments = (xs, params(rng, inputs, hidden, dtype))
        yield Case("lstm_gates", "gate_table", label, arguments, kwargs, tags=frozenset(tags))
    listed = (rng.normal(size=(3, 2)).tolist(), _listed(params(rng, 2, 2, float)))
    label = "gate_table: I=2 H=2 T=3, xs and params as lists (ArrayLike), h0 and c0 left out"
    tags = {NOT_AN_ARRAY, "h0 left out", "c0 left out"}
    yield Case("lstm_gates", "gate_table", label, listed, tags=frozenset(tags))


def cell_path_cases(rng: np.random.Generator) -> Iterator[Case]:
    module = "lstm_gradients"
    sizes = [(1, 3), (2, 2), (8, 3), (50, 64), (6, 4), (3, 1)]  # (T, H); the (6, 4) case is float32
    for steps, hidden in sizes:
        dtype = np.float32 if (steps, hidden) == (6, 4) else np.float64
        f = rng.uniform(0.05, 0.99, (steps, hidden)).astype(dtype)
        label = f"cell_path_gradient: T={steps} H={hidden} {np.dtype(dtype)}"
        yield Case(module, "cell_path_gradient", label, (f,), tags=frozenset(_shape_tags(steps, None, dtype)))
    f = rng.uniform(0.05, 0.99, (4, 2))
    label = "cell_path_gradient: T=4 H=2, f a list (ArrayLike)"
    yield Case(module, "cell_path_gradient", label, (f.tolist(),), tags=frozenset({NOT_AN_ARRAY}))


def cell_gradient_cases(rng: np.random.Generator) -> Iterator[Case]:
    module = "lstm_gradients"
    configs = [  # (I, H, T, h0 and c0, dtype, weight scale)
        (3, 2, 1, "none", np.float64, 0.8),
        (3, 2, 2, "none", np.float64, 0.8),
        (4, 3, 5, "both", np.float64, 0.8),
        (4, 3, 3, "h0", np.float64, 0.8),
        (4, 3, 3, "c0", np.float64, 0.8),
        (4, 3, 30, "none", np.float64, 0.8),
        (1, 1, 4, "both", np.float64, 0.8),
        (10, 8, 10, "both", np.float64, 0.4),
        (4, 3, 6, "both", np.float64, 2.0),
        (5, 4, 6, "none", np.float32, 0.8),
    ]
    for inputs, hidden, steps, kind, dtype, scale in configs:
        xs = rng.normal(0.0, 1.0, (steps, inputs)).astype(dtype)
        dC_T = rng.normal(0.0, 1.0, hidden).astype(dtype)
        h0, c0 = (rng.normal(0.0, 1.0, hidden).astype(dtype) for _ in range(2))
        kwargs, shown, tags = _state(kind, h0, c0)
        sizes = f"I={inputs} H={hidden} T={steps} {np.dtype(dtype)}"
        label = f"lstm_cell_gradients: {sizes}, {shown}, weights ~N(0, {scale})"
        arguments = (xs, params(rng, inputs, hidden, dtype, scale), dC_T)
        tags |= _shape_tags(steps, None, dtype)
        yield Case(module, "lstm_cell_gradients", label, arguments, kwargs, tags=frozenset(tags))
    xs, dC_T = rng.normal(size=(3, 2)), rng.normal(size=2)
    # dC_T stays an array: the reference passes it to np.result_type, which reads a list as a dtype.
    label = "lstm_cell_gradients: I=2 H=2 T=3, xs and params as lists (ArrayLike), h0 and c0 left out"
    arguments = (xs.tolist(), _listed(params(rng, 2, 2, float)), dC_T)
    listed_tags = frozenset({NOT_AN_ARRAY, "h0 left out", "c0 left out"})
    yield Case(module, "lstm_cell_gradients", label, arguments, tags=listed_tags)


def rnn_cases(rng: np.random.Generator) -> Iterator[Case]:
    configs: list[tuple[int, int, int, str, float]] = [  # dtype "list": every argument a list
        (3, 4, 1, "float64", 0.8),
        (3, 4, 2, "float64", 0.8),
        (3, 4, 20, "float64", 0.8),
        (1, 1, 3, "float64", 0.8),
        (2, 3, 5, "float32", 0.8),
        (2, 3, 6, "float64", 2.0),
        (4, 2, 3, "list", 0.8),
    ]
    for inputs, hidden, steps, dtype_name, scale in configs:
        shapes = [(steps, inputs), (hidden, hidden), (hidden, inputs), (hidden,), (hidden,)]
        arrays = [rng.normal(0.0, scale, shape) for shape in shapes]
        listed = dtype_name == "list"
        arguments = tuple(a.tolist() if listed else a.astype(dtype_name) for a in arrays)
        kind = "every argument a list (ArrayLike)" if listed else dtype_name
        label = f"rnn_hidden_gradients: I={inputs} H={hidden} T={steps} {kind}, weights ~N(0, {scale})"
        tags = {NOT_AN_ARRAY} if listed else _shape_tags(steps, None, dtype_name)
        yield Case("lstm_gradients", "rnn_hidden_gradients", label, arguments, tags=frozenset(tags))
    yield Case("lstm_gradients", "CONCEPT_ANSWERS", "the constant CONCEPT_ANSWERS", call=False)
    yield Case("lstm_gradients", "EXPLANATION", "the constant EXPLANATION", call=False)
