"""The LSTM's equations as data, and every single structural mistake in them, generated.

    f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)   (and i_t, o_t; c~_t with tanh)
    C_t = f_t * C_{t-1} + i_t * c~_t
    h_t = o_t * tanh(C_t)

`Equations` holds each choice an implementation makes (which terms a gate's pre-activation adds,
its activation, whose weights it uses, how the cell and the hidden state are formed, whether the
states are carried, the concatenation order, the default initial state). `single_edits()` changes
one choice at a time, so a student's table can be matched against every one-change version of the
equations, each with a sentence saying what changed: the catalogue is generated, not hand-listed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

GATES = ("f", "i", "c", "o")  # c is the candidate c~
GATE_NAMES = {"f": "f_t", "i": "i_t", "c": "c~_t", "o": "o_t"}
OUTPUT_KEYS = ("f", "i", "c_tilde", "c", "o", "h")
TERMS = ("h", "x", "b")
TERM_NAMES = {"h": "the recurrent term W·h_{t-1}", "x": "the input term W·x_t", "b": "the bias"}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-np.logaddexp(0.0, -z)))


ACTIVATIONS: Mapping[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "identity": lambda z: z,
}

# The cell update and the hidden state: each form, and what it says when it is the student's.
CELLS: Mapping[str, str] = {
    "f*c+i*g": "C_t = f_t * C_{t-1} + i_t * c~_t",
    "c+i*g": "the forget gate is left out of C_t: C_t = C_{t-1} + i_t * c~_t",
    "f*c+g": "the input gate is left out of C_t: C_t = f_t * C_{t-1} + c~_t",
    "i*g": "C_{t-1} is left out of C_t: C_t = i_t * c~_t",
    "f*c": "the candidate is left out of C_t: C_t = f_t * C_{t-1}",
    "i*c+f*g": "f_t and i_t are swapped in C_t: C_t = i_t * C_{t-1} + f_t * c~_t",
    "f*c+(1-f)*g": "the input gate is replaced by 1 - f_t: C_t = f_t * C_{t-1} + (1 - f_t) * c~_t",
    "f*c+i*o": "o_t is used where the candidate belongs: C_t = f_t * C_{t-1} + i_t * o_t",
    "o*c+i*g": "o_t is used where the forget gate belongs: C_t = o_t * C_{t-1} + i_t * c~_t",
    "f*c*i*g": "the two terms of C_t are multiplied, not added",
}
HIDDENS: Mapping[str, str] = {
    "o*tanh(c)": "h_t = o_t * tanh(C_t)",
    "o*c": "tanh is left out of h_t: h_t = o_t * C_t",
    "tanh(c)": "the output gate is left out of h_t: h_t = tanh(C_t)",
    "o*tanh(c_prev)": "h_t uses the previous cell state: h_t = o_t * tanh(C_{t-1})",
    "o*sigmoid(c)": "h_t squashes C_t with sigmoid instead of tanh",
    "tanh(o*c)": "tanh is applied to the product: h_t = tanh(o_t * C_t)",
    "o*tanh(g)": "h_t uses the candidate instead of the cell: h_t = o_t * tanh(c~_t)",
    "f*tanh(c)": "h_t uses the forget gate instead of o_t: h_t = f_t * tanh(C_t)",
    "i*tanh(c)": "h_t uses the input gate instead of o_t: h_t = i_t * tanh(C_t)",
}


# Readable ids for the forms above (a student sees them beside the sentence).
FORM_IDS: Mapping[str, str] = {
    "c+i*g": "cell_without_forget_gate",
    "f*c+g": "cell_without_input_gate",
    "i*g": "cell_without_previous_cell",
    "f*c": "cell_without_candidate",
    "i*c+f*g": "cell_gates_swapped",
    "f*c+(1-f)*g": "cell_coupled_gates",
    "f*c+i*o": "cell_output_gate_as_candidate",
    "o*c+i*g": "cell_output_gate_as_forget_gate",
    "f*c*i*g": "cell_terms_multiplied",
    "o*c": "hidden_without_tanh",
    "tanh(c)": "hidden_without_output_gate",
    "o*tanh(c_prev)": "hidden_from_previous_cell",
    "o*sigmoid(c)": "hidden_sigmoid_of_cell",
    "tanh(o*c)": "hidden_tanh_of_product",
    "o*tanh(g)": "hidden_from_candidate",
    "f*tanh(c)": "hidden_forget_gate_as_output_gate",
    "i*tanh(c)": "hidden_input_gate_as_output_gate",
}
TERM_IDS = {"h": "recurrent_term", "x": "input_term", "b": "bias"}


@dataclass(frozen=True)
class Equations:
    order: str = "hx"  # z_t = [h_{t-1}, x_t]; "xh": [x_t, h_{t-1}]
    terms: tuple[tuple[str, ...], ...] = (TERMS, TERMS, TERMS, TERMS)  # per gate, in GATES order
    activations: tuple[str, ...] = ("sigmoid", "sigmoid", "tanh", "sigmoid")
    weights_of: tuple[str, ...] = GATES  # whose W and b each gate uses
    cell: str = "f*c+i*g"
    hidden: str = "o*tanh(c)"
    carry_h: bool = True
    carry_c: bool = True
    default_state: float = 0.0  # h0 and C0 when the caller gives none
    given_state: bool = True  # False: the caller's h0 and C0 are ignored
    swapped_state: bool = False  # the caller's h0 used as C0 and C0 as h0
    shifted_rows: bool = False  # the table's c and h rows hold the state before the step
    renamed: tuple[tuple[str, str], ...] = field(default=())  # output keys given each other's values


REFERENCE = Equations()


@dataclass(frozen=True)
class Edit:
    id: str
    says: str
    equations: Equations
    table_only: bool = False  # only a whole sequence can show it


def _gate_edits() -> Iterator[Edit]:
    for index, gate in enumerate(GATES):
        name = GATE_NAMES[gate]
        for term in TERMS:
            kept = tuple(t for t in TERMS if t != term)
            terms = tuple(kept if j == index else TERMS for j in range(4))
            yield Edit(
                f"{gate}_without_{TERM_IDS[term]}",
                f"{TERM_NAMES[term]} is left out of {name}",
                replace(REFERENCE, terms=terms),
            )
        for activation in ACTIVATIONS:
            if activation != REFERENCE.activations[index]:
                chosen = tuple(activation if j == index else a for j, a in enumerate(REFERENCE.activations))
                yield Edit(
                    f"{gate}_activation_{activation}",
                    f"{name} uses {activation} as its activation",
                    replace(REFERENCE, activations=chosen),
                )
    for a, b in itertools.combinations(range(4), 2):
        owners = list(GATES)
        owners[a], owners[b] = owners[b], owners[a]
        says = f"{GATE_NAMES[GATES[a]]} and {GATE_NAMES[GATES[b]]} use each other's weights and biases"
        yield Edit(f"swapped_{GATES[a]}_{GATES[b]}", says, replace(REFERENCE, weights_of=tuple(owners)))


STATE_EDITS = (  # (id, what it says, the change): mistakes in the states a table carries or starts from
    ("h_not_carried", "h_{t-1} restarts from h_0 at every step", {"carry_h": False}),
    ("c_not_carried", "C_{t-1} restarts from C_0 at every step", {"carry_c": False}),
    (
        "state_not_carried",
        "h_{t-1} and C_{t-1} restart from h_0 and C_0 at every step",
        {"carry_h": False, "carry_c": False},
    ),
    ("default_state_ones", "h_0 and C_0 default to ones, not zeros", {"default_state": 1.0}),
    (
        "given_state_ignored",
        "the h_0 and C_0 the caller gives are ignored: the table starts from zeros",
        {"given_state": False},
    ),
    ("initial_states_swapped", "h_0 and C_0 are used for each other", {"swapped_state": True}),
    (
        "rows_shifted",
        "the rows of C and h hold the states before each step (row t-1 holds step t-1)",
        {"shifted_rows": True},
    ),
)


def _state_edits() -> list[Edit]:
    return [Edit(i, says, replace(REFERENCE, **change), True) for i, says, change in STATE_EDITS]


def single_edits() -> tuple[Edit, ...]:
    """Every equation with exactly one structural mistake."""
    edits = list(_gate_edits())
    edits.append(Edit("x_h_order", "z_t is concatenated as [x_t, h_{t-1}]", replace(REFERENCE, order="xh")))
    edits += [
        Edit(FORM_IDS[k], says, replace(REFERENCE, cell=k))
        for k, says in CELLS.items()
        if k != REFERENCE.cell
    ]
    edits += [
        Edit(FORM_IDS[k], says, replace(REFERENCE, hidden=k))
        for k, says in HIDDENS.items()
        if k != REFERENCE.hidden
    ]
    edits += _state_edits()
    for a, b in itertools.combinations(OUTPUT_KEYS, 2):
        says = f"the values under {a!r} and {b!r} are each other's"
        edits.append(Edit(f"keys_{a}_{b}", says, replace(REFERENCE, renamed=((a, b),))))
    return tuple(edits)


def _split(weights: np.ndarray, hidden: int, inputs: int, order: str) -> tuple[np.ndarray, np.ndarray]:
    """The columns multiplying h and those multiplying x, as the student's concatenation reads them."""
    if order == "hx":
        return weights[:, :hidden], weights[:, hidden:]
    return weights[:, inputs:], weights[:, :inputs]


def step(
    eq: Equations, x: np.ndarray, h: np.ndarray, c: np.ndarray, params: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """One step of the equations `eq` (float64, batched or not)."""
    hidden = np.asarray(params["b_f"]).shape[-1]
    inputs = x.shape[-1]
    gate: dict[str, np.ndarray] = {}
    for index, name in enumerate(GATES):
        owner = eq.weights_of[index]
        w = np.asarray(params[f"W_{owner}"], dtype=np.float64)
        w_h, w_x = _split(w, hidden, inputs, eq.order)
        pre = np.zeros(np.broadcast_shapes((*x.shape[:-1], hidden), h.shape), dtype=np.float64)
        terms = eq.terms[index]
        if "h" in terms:
            pre = pre + h @ w_h.T
        if "x" in terms:
            pre = pre + x @ w_x.T
        if "b" in terms:
            pre = pre + np.asarray(params[f"b_{owner}"], dtype=np.float64)
        gate[name] = ACTIVATIONS[eq.activations[index]](pre)
    f, i, g, o = (gate[name] for name in GATES)
    cells = {
        "f*c+i*g": lambda: f * c + i * g,
        "c+i*g": lambda: c + i * g,
        "f*c+g": lambda: f * c + g,
        "i*g": lambda: i * g,
        "f*c": lambda: f * c,
        "i*c+f*g": lambda: i * c + f * g,
        "f*c+(1-f)*g": lambda: f * c + (1 - f) * g,
        "f*c+i*o": lambda: f * c + i * o,
        "o*c+i*g": lambda: o * c + i * g,
        "f*c*i*g": lambda: f * c * i * g,
    }
    c_new = cells[eq.cell]()
    return {"f": f, "i": i, "c_tilde": g, "c": c_new, "o": o, "h": hidden_state(eq, f, i, g, o, c_new, c)}


def hidden_state(
    eq: Equations,
    f: np.ndarray,
    i: np.ndarray,
    g: np.ndarray,
    o: np.ndarray,
    c: np.ndarray,
    c_prev: np.ndarray,
) -> np.ndarray:
    forms = {
        "o*tanh(c)": lambda: o * np.tanh(c),
        "o*c": lambda: o * c,
        "tanh(c)": lambda: np.tanh(c) + 0 * o,
        "o*tanh(c_prev)": lambda: o * np.tanh(c_prev),
        "o*sigmoid(c)": lambda: o * sigmoid(c),
        "tanh(o*c)": lambda: np.tanh(o * c),
        "o*tanh(g)": lambda: o * np.tanh(g),
        "f*tanh(c)": lambda: f * np.tanh(c),
        "i*tanh(c)": lambda: i * np.tanh(c),
    }
    return np.asarray(forms[eq.hidden]())


def renamed(eq: Equations, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = dict(values)
    for a, b in eq.renamed:
        out[a], out[b] = values[b], values[a]
    return out


def initial_states(
    eq: Equations, xs: np.ndarray, hidden: int, h0: Any, c0: Any
) -> tuple[np.ndarray, np.ndarray]:
    shape = (*xs.shape[1:-1], hidden)
    if not eq.given_state:
        h0 = c0 = None
    if eq.swapped_state:
        h0, c0 = c0, h0
    h = (
        np.full(shape, eq.default_state)
        if h0 is None
        else np.broadcast_to(np.asarray(h0, dtype=np.float64), shape)
    )
    c = (
        np.full(shape, eq.default_state)
        if c0 is None
        else np.broadcast_to(np.asarray(c0, dtype=np.float64), shape)
    )
    return h, c


def table(
    eq: Equations, xs: Any, params: Mapping[str, Any], h0: Any = None, c0: Any = None
) -> dict[str, np.ndarray]:
    """The gate table of the equations `eq`, stacked over time like `gate_table`."""
    xs = np.asarray(xs, dtype=np.float64)
    hidden = np.asarray(params["b_f"]).shape[-1]
    h_start, c_start = initial_states(eq, xs, hidden, h0, c0)
    h, c = h_start, c_start
    rows: list[dict[str, np.ndarray]] = []
    for x in xs:
        values = step(eq, x, h, c, params)
        if eq.shifted_rows:
            rows.append({**values, "c": c, "h": h})
        else:
            rows.append(values)
        h = values["h"] if eq.carry_h else h_start
        c = values["c"] if eq.carry_c else c_start
    return renamed(eq, {key: np.stack([row[key] for row in rows]) for key in OUTPUT_KEYS})


def one_step(eq: Equations, x: Any, h: Any, c: Any, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """`lstm_step` under the equations `eq`."""
    x = np.asarray(x, dtype=np.float64)
    hidden = np.asarray(params["b_f"]).shape[-1]
    shape = (*x.shape[:-1], hidden)
    h = np.broadcast_to(np.asarray(h, dtype=np.float64), shape)
    c = np.broadcast_to(np.asarray(c, dtype=np.float64), shape)
    return renamed(eq, step(eq, x, h, c, params))
