"""Known wrong versions of the reference: each defines a misconception the rubric can name.

A variant takes the reference modules and the very arguments the student's function was called
with, and returns what a student holding that misconception would return (or `Alternatives` when
the mistake has several forms, such as which two gates were swapped). Variants are built from the
reference, so no wrong figure is ever typed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.grading.reference import References


class Alternatives(tuple[Any, ...]):
    """Several outputs, any of which shows the same misconception."""


VariantFn = Callable[..., Any]


@dataclass(frozen=True)
class Variant:
    """`make(function)` gives the wrong version of that exercise function."""

    functions: tuple[str, ...]
    make: Callable[[str], VariantFn]


def _fixed(compute: VariantFn) -> Callable[[str], VariantFn]:
    return lambda function: compute


def _split_columns(params: Mapping[str, Any]) -> tuple[int, int]:
    hidden = np.asarray(params["b_f"]).shape[-1]
    return hidden, np.asarray(params["W_f"]).shape[1] - hidden


def _with_step(
    ref: References, fn: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], params: Mapping[str, Any]
) -> Any:
    """Call the reference `fn` with `params` in place of the student's parameter mapping."""
    values = list(args)
    index = 3 if fn == "lstm_step" else 1
    if len(values) > index:
        values[index] = params
    return getattr(ref.gates, fn)(*values, **{**kwargs, **({"params": params} if "params" in kwargs else {})})


def _params_of(fn: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Mapping[str, Any]:
    index = 3 if fn == "lstm_step" else 1
    params: Mapping[str, Any] = kwargs.get("params", args[index] if len(args) > index else {})
    return params


def swapped_gates(fn: str) -> VariantFn:
    def compute(ref: References, *args: Any, **kwargs: Any) -> Any:
        params = _params_of(fn, args, kwargs)
        outputs = []
        for a, b in itertools.combinations("fico", 2):
            swapped = dict(params)
            for kind in "Wb":
                swapped[f"{kind}_{a}"], swapped[f"{kind}_{b}"] = params[f"{kind}_{b}"], params[f"{kind}_{a}"]
            outputs.append(_with_step(ref, fn, args, kwargs, swapped))
        return Alternatives(outputs)

    return compute


def x_h_order(fn: str) -> VariantFn:
    def compute(ref: References, *args: Any, **kwargs: Any) -> Any:
        params = _params_of(fn, args, kwargs)
        _, inputs = _split_columns(params)
        reordered = dict(params)
        for gate in "fico":
            w = np.asarray(params[f"W_{gate}"])
            # [x, h] @ W.T == [h, x] @ [W[:, I:], W[:, :I]].T
            reordered[f"W_{gate}"] = np.concatenate([w[:, inputs:], w[:, :inputs]], axis=1)
        return _with_step(ref, fn, args, kwargs, reordered)

    return compute


def _table_by_steps(
    ref: References, xs: Any, params: Any, h0: Any, c0: Any, *, carry: bool, tanh_on_h: bool
) -> dict[str, Any]:
    xs = np.asarray(xs)
    hidden = np.asarray(params["b_f"]).shape[-1]
    state = (*xs.shape[1:-1], hidden)
    h_start = np.zeros(state) if h0 is None else np.broadcast_to(np.asarray(h0), state)
    c_start = np.zeros(state) if c0 is None else np.broadcast_to(np.asarray(c0), state)
    h, c, rows = h_start, c_start, []
    for x_t in xs:
        step = dict(ref.gates.lstm_step(x_t, h, c, params))
        if not tanh_on_h:
            step["h"] = step["o"] * step["c"]
        rows.append(step)
        h, c = (step["h"], step["c"]) if carry else (h_start, c_start)
    return {key: np.stack([row[key] for row in rows]) for key in rows[0]}


def _gate_table_args(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, Any, Any, Any]:
    names = ("xs", "params", "h0", "c0")
    values = dict(zip(names, args, strict=False)) | dict(kwargs)
    return values["xs"], values["params"], values.get("h0"), values.get("c0")


def h_without_tanh(fn: str) -> VariantFn:
    def compute(ref: References, *args: Any, **kwargs: Any) -> Any:
        if fn == "lstm_step":
            step = dict(ref.gates.lstm_step(*args, **kwargs))
            step["h"] = step["o"] * step["c"]
            return step
        return _table_by_steps(ref, *_gate_table_args(args, kwargs), carry=True, tanh_on_h=False)

    return compute


def state_not_carried(ref: References, *args: Any, **kwargs: Any) -> Any:
    return _table_by_steps(ref, *_gate_table_args(args, kwargs), carry=False, tanh_on_h=True)


def cumprod_wrong_direction(ref: References, f: Any) -> Any:
    f = np.asarray(f)
    ones = np.ones((1, *f.shape[1:]))
    return Alternatives(
        [
            np.concatenate([ones, np.cumprod(f, axis=0)]),  # f_1 * ... * f_k
            np.concatenate([np.cumprod(f[::-1], axis=0), ones]),  # reversed product left reversed
            np.concatenate([np.cumprod(f, axis=0), ones]),
        ]
    )


def gradient_passes_unchanged(ref: References, f: Any) -> Any:
    f = np.asarray(f)
    return np.ones((f.shape[0] + 1, *f.shape[1:]))


def cell_path_only(ref: References, xs: Any, params: Any, dC_T: Any, h0: Any = None, c0: Any = None) -> Any:
    forget = ref.gates.gate_table(xs, params, h0, c0)["f"]
    return ref.grads.cell_path_gradient(forget) * np.asarray(dC_T)


def rnn_without_tanh_derivative(ref: References, xs: Any, W_hh: Any, W_xh: Any, b_h: Any, dh_T: Any) -> Any:
    grads = [np.asarray(dh_T, dtype=float)]
    for _ in range(len(xs)):
        grads.append(np.asarray(W_hh).T @ grads[-1])
    return np.stack(grads[::-1])


def rows_are_input_size(ref: References, input_size: int, hidden_size: int) -> Any:
    shapes = dict(ref.budget.weight_shapes(input_size, hidden_size))
    for gate in "fico":
        shapes[f"W_{gate}"] = (input_size, hidden_size + input_size)
    return shapes


def _layer_inputs(input_size: int, hidden_size: int, num_layers: int, directions: int) -> list[int]:
    return [input_size if layer == 0 else directions * hidden_size for layer in range(num_layers)]


def _count(
    per_layer: Callable[[int, int, int], int],
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> int:
    directions = 2 if bidirectional else 1
    biases = 2 if convention == "pytorch" else 1
    return sum(
        directions * per_layer(inputs, hidden_size, biases)
        for inputs in _layer_inputs(input_size, hidden_size, num_layers, directions)
    )


def forgot_four_gates(ref: References, *args: Any, **kwargs: Any) -> Any:
    return Alternatives(
        [
            _count(lambda i, h, nb: h * (h + i) + 4 * nb * h, *args, **kwargs),  # one W, four biases
            _count(lambda i, h, nb: h * (h + i) + nb * h, *args, **kwargs),  # one gate altogether
        ]
    )


def forgot_biases(ref: References, *args: Any, **kwargs: Any) -> Any:
    return _count(lambda i, h, nb: 4 * h * (h + i), *args, **kwargs)


def _with_convention(convention: str) -> VariantFn:
    def compute(ref: References, *args: Any, **kwargs: Any) -> Any:
        names = ("input_size", "hidden_size", "num_layers", "bidirectional", "convention")
        values = dict(zip(names, args, strict=False)) | dict(kwargs)
        if values.get("convention", "keras") == convention:
            return Alternatives([])
        return ref.budget.num_parameters(**{**values, "convention": convention})

    return compute


def stacked_input_size(
    ref: References,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> Any:
    if num_layers == 1:
        return Alternatives([])
    single = ref.budget.num_parameters(input_size, hidden_size, 1, bidirectional, convention)
    return single * num_layers


def bidirectional_not_doubled(
    ref: References,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> Any:
    if not bidirectional:
        return Alternatives([])
    return Alternatives(
        [
            ref.budget.num_parameters(input_size, hidden_size, num_layers, False, convention),
            ref.budget.num_parameters(input_size, hidden_size, num_layers, True, convention) // 2,
        ]
    )


def _memory(ref: References, *args: Any, **kwargs: Any) -> tuple[dict[str, int], dict[str, Any]]:
    names = ("input_size", "hidden_size", "batch_size", "seq_len")
    values = dict(zip(names, args, strict=False)) | dict(kwargs)
    return dict(ref.budget.training_memory(**values)), values


def _retotal(memory: dict[str, int]) -> dict[str, int]:
    memory["total"] = sum(value for key, value in memory.items() if key != "total")
    return memory


def memory_forgot_four_gates(ref: References, *args: Any, **kwargs: Any) -> Any:
    memory, values = _memory(ref, *args, **kwargs)
    outputs = []
    for count in forgot_four_gates(ref, values["input_size"], values["hidden_size"]):
        scale = count / ref.budget.num_parameters(values["input_size"], values["hidden_size"])
        changed = dict(memory)
        for key in ("parameters", "gradients", "optimizer_state"):
            changed[key] = round(memory[key] * scale)
        outputs.append(_retotal(changed))
    return Alternatives(outputs)


def _memory_with(change: Callable[[dict[str, int], dict[str, Any]], None]) -> VariantFn:
    def compute(ref: References, *args: Any, **kwargs: Any) -> Any:
        memory, values = _memory(ref, *args, **kwargs)
        change(memory, values)
        return _retotal(memory)

    return compute


def _no_gradients(memory: dict[str, int], values: dict[str, Any]) -> None:
    memory["gradients"] = 0


def _no_optimizer_state(memory: dict[str, int], values: dict[str, Any]) -> None:
    memory["optimizer_state"] = 0


def _one_byte(memory: dict[str, int], values: dict[str, Any]) -> None:
    memory["activations"] //= values.get("bytes_per_value", 4)


def _no_seq_len(memory: dict[str, int], values: dict[str, Any]) -> None:
    memory["activations"] //= values["seq_len"]


GATE_FUNCTIONS = ("lstm_step", "gate_table")
VARIANTS: dict[str, Variant] = {
    "swapped_gates": Variant(GATE_FUNCTIONS, swapped_gates),
    "x_h_order": Variant(GATE_FUNCTIONS, x_h_order),
    "h_without_tanh": Variant(GATE_FUNCTIONS, h_without_tanh),
    "state_not_carried": Variant(("gate_table",), _fixed(state_not_carried)),
    "cumprod_wrong_direction": Variant(("cell_path_gradient",), _fixed(cumprod_wrong_direction)),
    "gradient_passes_unchanged": Variant(("cell_path_gradient",), _fixed(gradient_passes_unchanged)),
    "cell_path_only": Variant(("lstm_cell_gradients",), _fixed(cell_path_only)),
    "rnn_without_tanh_derivative": Variant(("rnn_hidden_gradients",), _fixed(rnn_without_tanh_derivative)),
    "rows_are_input_size": Variant(("weight_shapes",), _fixed(rows_are_input_size)),
    "forgot_four_gates": Variant(("num_parameters",), _fixed(forgot_four_gates)),
    "forgot_biases": Variant(("num_parameters",), _fixed(forgot_biases)),
    "pytorch_double_bias": Variant(("num_parameters",), _fixed(_with_convention("pytorch"))),
    "keras_single_bias": Variant(("num_parameters",), _fixed(_with_convention("keras"))),
    "stacked_input_size": Variant(("num_parameters",), _fixed(stacked_input_size)),
    "bidirectional_not_doubled": Variant(("num_parameters",), _fixed(bidirectional_not_doubled)),
    "memory_forgot_four_gates": Variant(("training_memory",), _fixed(memory_forgot_four_gates)),
    "no_gradients": Variant(("training_memory",), _fixed(_memory_with(_no_gradients))),
    "no_optimizer_state": Variant(("training_memory",), _fixed(_memory_with(_no_optimizer_state))),
    "one_byte_per_value": Variant(("training_memory",), _fixed(_memory_with(_one_byte))),
    "no_seq_len": Variant(("training_memory",), _fixed(_memory_with(_no_seq_len))),
}


def evaluate_variant(
    variant: Variant, function: str, ref: References, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Alternatives:
    """Every output the variant gives for this call (empty when it does not apply)."""
    output = variant.make(function)(ref, *args, **kwargs)
    return output if isinstance(output, Alternatives) else Alternatives([output])
