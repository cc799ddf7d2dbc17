"""Single mistakes in `lstm_cell_gradients`: a backward pass with one factor or path wrong, or the
exact gradient of a forward pass with one mistake (computed by central differences through the
edited equations, row by row from k = T down, so that a wrong candidate is dropped at its first
wrong row)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograder.diagnosis import lstm_equations as eqs
from autograder.diagnosis.gradient_edits import Candidate, all_rows, row_shifts

BACKWARD_EDITS: Mapping[str, str] = {
    "no_h_path": "you followed the cell path alone, leaving out C_k -> h_k -> the gates of step k+1",
    "retain_grad": (
        "your row k misses the C_k -> h_k term: it is what retain_grad() on the c that torch.nn.LSTM "
        "returns gives, since h_k is computed inside the LSTM from its own copy of C_k"
    ),
    "no_tanh_prime": "the C_k -> h_k term leaves out tanh'(C_k) = 1 - tanh(C_k)^2",
    "c_in_tanh_prime": "the C_k -> h_k term uses 1 - C_k^2 where 1 - tanh(C_k)^2 is due",
    "c_for_tanh_c_in_o": "the output gate's gradient uses C_t where tanh(C_t) is due",
    "c_for_tanh_c": "your backward pass uses C_t where tanh(C_t) is due",
    "no_sigmoid_prime_f": "the forget gate's gradient leaves out sigmoid' = f_t (1 - f_t)",
    "no_sigmoid_prime_i": "the input gate's gradient leaves out sigmoid' = i_t (1 - i_t)",
    "no_sigmoid_prime_o": "the output gate's gradient leaves out sigmoid' = o_t (1 - o_t)",
    "no_tanh_prime_candidate": "the candidate's gradient leaves out tanh' = 1 - c~_t^2",
    "no_path_f": "dL/dh leaves out the path through the forget gate",
    "no_path_i": "dL/dh leaves out the path through the input gate",
    "no_path_c": "dL/dh leaves out the path through the candidate",
    "no_path_o": "dL/dh leaves out the path through the output gate",
    "no_forget_factor": "the gradient passes from C_t to C_{t-1} without the factor f_t",
    "tanh_c_prev_in_o": "the output gate's gradient uses tanh(C_{t-1}) where tanh(C_t) is due",
    "o_from_dc": "the output gate's gradient is taken from dL/dC_t where dL/dh_t is due",
    "f_uses_c_t": "the forget gate's gradient uses C_t where C_{t-1} is due",
    "sigmoid_prime_f_as_tanh": "the forget gate's sigmoid' is written 1 - f_t^2 (tanh's derivative)",
    "sigmoid_prime_i_as_tanh": "the input gate's sigmoid' is written 1 - i_t^2 (tanh's derivative)",
    "sigmoid_prime_o_as_tanh": "the output gate's sigmoid' is written 1 - o_t^2 (tanh's derivative)",
    "h_weights_not_transposed": "dL/dh_{t-1} multiplies by each W[:, :H] where its transpose is due",
    "x_columns": "dL/dh_{t-1} is read from the columns of W that multiply x_t, not h_{t-1}",
}


def forward_cache(xs: np.ndarray, params: Mapping[str, Any], h0: Any, c0: Any) -> dict[str, np.ndarray]:
    eq = eqs.REFERENCE
    hidden = np.asarray(params["b_f"]).shape[-1]
    h, c = eqs.initial_states(eq, xs, hidden, h0, c0)
    cache: dict[str, list[np.ndarray]] = {k: [] for k in ("h_prev", "c_prev", "f", "i", "g", "o", "c")}
    for x in xs:
        values = eqs.step(eq, x, h, c, params)
        for key, value in (
            ("h_prev", h),
            ("c_prev", c),
            ("f", values["f"]),
            ("i", values["i"]),
            ("g", values["c_tilde"]),
            ("o", values["o"]),
            ("c", values["c"]),
        ):
            cache[key].append(value)
        h, c = values["h"], values["c"]
    return {key: np.stack(value) for key, value in cache.items()}


def backward(
    cache: Mapping[str, np.ndarray], params: Mapping[str, Any], dC_T: np.ndarray, edit: str
) -> np.ndarray:
    """The reference backward pass of dL/dC_k with one edit."""
    if edit == "retain_grad":
        return _retain_grad_rows(cache, params, dC_T)
    weights = np.concatenate([np.asarray(params[f"W_{g}"], dtype=np.float64) for g in "fico"])
    steps, hidden = cache["c"].shape
    grads = np.empty((steps + 1, hidden))
    d_c, d_h = np.asarray(dC_T, dtype=np.float64), np.zeros(hidden)
    for t in range(steps - 1, -1, -1):
        f, o, c = (cache[k][t] for k in ("f", "o", "c"))
        squashed = c if edit in ("c_for_tanh_c", "c_for_tanh_c_in_o") else np.tanh(c)
        if edit == "tanh_c_prev_in_o":
            squashed = np.tanh(cache["c_prev"][t])
        prime = {"no_tanh_prime": 1.0, "c_in_tanh_prime": 1 - c**2, "c_for_tanh_c": 1 - c**2}.get(
            edit, 1 - np.tanh(c) ** 2
        )
        through_h = 0.0 if edit == "no_h_path" else d_h * o * prime
        d_c = d_c + through_h
        grads[t + 1] = d_c
        d_pre = np.concatenate(
            [
                np.zeros(hidden) if edit == f"no_path_{k}" else block
                for k, block in gate_blocks(cache, t, d_c, d_h, squashed, edit).items()
            ]
        )
        if edit == "h_weights_not_transposed":
            d_h = sum(
                weights[k * hidden : (k + 1) * hidden, :hidden] @ d_pre[k * hidden : (k + 1) * hidden]
                for k in range(4)
            )
        elif edit == "x_columns":
            d_h = (d_pre @ weights)[-hidden:]
        else:
            d_h = (d_pre @ weights)[:hidden]
        d_c = d_c if edit == "no_forget_factor" else d_c * f
    grads[0] = d_c
    return grads


def sigmoid_prime(value: np.ndarray, gate: str, edit: str) -> Any:
    if edit == f"no_sigmoid_prime_{gate}":
        return 1.0
    if edit == f"sigmoid_prime_{gate}_as_tanh":
        return 1 - value**2
    return value * (1 - value)


def gate_blocks(
    cache: Mapping[str, np.ndarray], t: int, d_c: np.ndarray, d_h: np.ndarray, squashed: np.ndarray, edit: str
) -> dict[str, np.ndarray]:
    """dL/d(pre-activation) of each gate at step t, with one edit."""
    f, i, g, o, c = (cache[k][t] for k in ("f", "i", "g", "o", "c"))
    before = c if edit == "f_uses_c_t" else cache["c_prev"][t]
    return {
        "f": d_c * before * sigmoid_prime(f, "f", edit),
        "i": d_c * g * sigmoid_prime(i, "i", edit),
        "c": d_c * i * (1.0 if edit == "no_tanh_prime_candidate" else 1 - g**2),
        "o": (d_c if edit == "o_from_dc" else d_h) * squashed * sigmoid_prime(o, "o", edit),
    }


def _retain_grad_rows(
    cache: Mapping[str, np.ndarray], params: Mapping[str, Any], dC_T: np.ndarray
) -> np.ndarray:
    """Row k < T: dL/dC_{k+1} (total) times f_{k+1}, the gradient that reaches the returned c_k
    only through the next step's forget gate; row T: dC_T."""
    full = backward(cache, params, dC_T, "")
    rows = np.empty_like(full)
    rows[-1] = np.asarray(dC_T, dtype=np.float64)
    rows[:-1] = full[1:] * cache["f"]
    return rows


def numeric_rows(
    eq: eqs.Equations, xs: np.ndarray, params: Mapping[str, Any], dC_T: np.ndarray, h0: Any, c0: Any
) -> Iterator[np.ndarray]:
    """dL/dC_k of L = sum(dC_T * C_T) through the equations `eq`, k = T down to 0, by central
    differences on every unit at once (a batch of 2H perturbed copies)."""
    hidden = dC_T.shape[0]
    h_start, c_start = eqs.initial_states(eq, xs, hidden, h0, c0)
    states: list[tuple[np.ndarray, np.ndarray, Any]] = [(h_start, c_start, None)]
    h, c = h_start, c_start
    for x in xs:
        values = eqs.step(eq, x, h, c, params)
        states.append((values["h"], values["c"], (values, c)))
        h = values["h"] if eq.carry_h else h_start
        c = values["c"] if eq.carry_c else c_start
    yield dC_T
    eps = 1e-6
    bump = np.concatenate([np.eye(hidden), -np.eye(hidden)]) * eps
    for k in range(len(xs) - 1, -1, -1):
        h_k, c_k, made = states[k]
        c_pert = c_k + bump
        if made is None:  # k = 0: h_0 does not depend on C_0, and C_0 is the state restarts use
            h_pert, h_restart, c_restart = np.broadcast_to(h_k, c_pert.shape), h_start, c_pert
        else:
            values, c_before = made
            h_pert = eqs.hidden_state(
                eq, values["f"], values["i"], values["c_tilde"], values["o"], c_pert, c_before
            )
            h_restart, c_restart = h_start, c_start
        h_run = h_pert if eq.carry_h or made is None else np.broadcast_to(h_restart, c_pert.shape)
        c_run = c_pert if eq.carry_c or made is None else np.broadcast_to(c_restart, c_pert.shape)
        for x in xs[k:]:
            values = eqs.step(eq, np.broadcast_to(x, (2 * hidden, x.shape[-1])), h_run, c_run, params)
            h_run = values["h"] if eq.carry_h else np.broadcast_to(h_restart, c_pert.shape)
            c_run = values["c"] if eq.carry_c else np.broadcast_to(c_restart, c_pert.shape)
            last_c = values["c"]
        losses = last_c @ dC_T
        yield (losses[:hidden] - losses[hidden:]) / (2 * eps)


def cell_gradient_candidates(
    xs: Any, params: Mapping[str, Any], dC_T: Any, h0: Any = None, c0: Any = None
) -> list[Candidate]:
    xs, dC_T = np.asarray(xs, dtype=np.float64), np.asarray(dC_T, dtype=np.float64)
    cache = forward_cache(xs, params, h0, c0)
    found: list[Candidate] = []
    for name, said in BACKWARD_EDITS.items():
        try:
            found.append(Candidate(f"backward_{name}", said, all_rows(backward(cache, params, dC_T, name))))
        except ValueError:  # shapes the edit cannot have here (more hidden units than inputs, say)
            continue
    found += row_shifts(backward(cache, params, dC_T, ""), "gradients")
    for edit in eqs.single_edits():
        if edit.equations.renamed or edit.equations.shifted_rows:
            continue
        says = (
            f"your gradient is the exact gradient of an LSTM in which {edit.says}: your backward pass is "
            "consistent with that forward pass, so fix the forward pass"
        )
        found.append(
            Candidate(f"gradient_of_{edit.id}", says, _lazy(edit.equations, xs, params, dC_T, h0, c0))
        )
    return found


def _lazy(
    eq: eqs.Equations, xs: np.ndarray, params: Mapping[str, Any], dC_T: np.ndarray, h0: Any, c0: Any
) -> Any:
    return lambda: numeric_rows(eq, xs, params, dC_T, h0, c0)
