"""Part (a): the LSTM gate table.

An LSTM reads a sequence x_1, x_2, ..., x_T one step at a time. At step t it joins the previous
hidden state and the new input into one vector, hidden state first:

    z_t = [h_{t-1}, x_t]                      shape (H + I,)

and computes four gates and two states from it:

    f_t  = sigmoid(W_f z_t + b_f)             forget gate: how much of C_{t-1} to keep
    i_t  = sigmoid(W_i z_t + b_i)             input gate: how much of the candidate to write
    c~_t = tanh(W_c z_t + b_c)                candidate cell state ("c_tilde")
    o_t  = sigmoid(W_o z_t + b_o)             output gate: how much of the cell to show
    C_t  = f_t * C_{t-1} + i_t * c~_t         new cell state (* is element-wise)
    h_t  = o_t * tanh(C_t)                    new hidden state

with h_0 = C_0 = 0 unless the caller gives them. `params` is a mapping with the four weight
matrices W_f, W_i, W_c, W_o, each of shape (H, H + I), and the four bias vectors b_f, b_i, b_c,
b_o, each of shape (H,). H is the hidden size, I the input size.

Worked question: input size I = 100, hidden size H = 64. Writing the gate table for a five-step
sequence by hand gives rows like

    step 1:  f_1 = sigmoid(W_f [h_0, x_1] + b_f), ..., C_1 = f_1 * C_0 + i_1 * c~_1, h_1 = ...
    step 2:  f_2 = sigmoid(W_f [h_1, x_2] + b_f), ...

Notice that step 2 uses h_1 and C_1 from step 1: the states are carried from step to step.
Your functions compute that table with numbers.

What to write:

1. `sigmoid(z)`: the logistic function 1 / (1 + exp(-z)), element-wise on an array. It must stay
   finite and raise no overflow warning for |z| up to 1e4 (exp(1e4) overflows: rewrite the formula
   so that exp only ever sees a non-positive argument).

2. `lstm_step(x_t, h_prev, c_prev, params)`: one step. `x_t` has shape (I,) or, for a batch of B
   sequences, (B, I); `h_prev` and `c_prev` have shape (H,) or (B, H). Return a dict with the keys
   "f", "i", "c_tilde", "c", "o", "h" (the four gates, C_t and h_t), each of shape (H,) or (B, H).

3. `gate_table(xs, params, h0=None, c0=None)`: run the whole sequence. `xs` has shape (T, I), or
   (T, B, I) for a batch. Return a dict with the same six keys, each stacked over time: shape
   (T, H), or (T, B, H) for a batch. Row t-1 holds step t. With a batch, h0 and c0 may have shape
   (B, H) or (H,) (one state shared by the whole batch); None means zeros.

Work in whatever floating dtype you are given: float32 inputs may give float32 results.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

GATE_TABLE_KEYS = ("f", "i", "c_tilde", "c", "o", "h")


def sigmoid(z: ArrayLike) -> NDArray[np.floating]:
    """The logistic function, element-wise, without overflow for large |z|."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    # 1 / (1 + exp(-z)) == exp(-log(1 + exp(-z))); logaddexp never overflows.
    return np.exp(-np.logaddexp(np.zeros((), dtype=z.dtype), -z))


def lstm_step(
    x_t: ArrayLike, h_prev: ArrayLike, c_prev: ArrayLike, params: Mapping[str, ArrayLike]
) -> dict[str, NDArray[np.floating]]:
    """One LSTM step: the four gates, the new cell state "c" and the new hidden state "h"."""
    x_t = np.asarray(x_t)
    hidden = np.asarray(params["b_f"]).shape[-1]
    batch_shape = x_t.shape[:-1]
    h_prev = np.broadcast_to(np.asarray(h_prev), (*batch_shape, hidden))
    c_prev = np.broadcast_to(np.asarray(c_prev), (*batch_shape, hidden))
    z = np.concatenate([h_prev, x_t], axis=-1)
    f = sigmoid(z @ np.asarray(params["W_f"]).T + params["b_f"])
    i = sigmoid(z @ np.asarray(params["W_i"]).T + params["b_i"])
    c_tilde = np.tanh(z @ np.asarray(params["W_c"]).T + params["b_c"])
    o = sigmoid(z @ np.asarray(params["W_o"]).T + params["b_o"])
    c = f * c_prev + i * c_tilde
    h = o * np.tanh(c)
    return {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": h}


def gate_table(
    xs: ArrayLike,
    params: Mapping[str, ArrayLike],
    h0: ArrayLike | None = None,
    c0: ArrayLike | None = None,
) -> dict[str, NDArray[np.floating]]:
    """Run the LSTM over `xs` and stack every step's gates and states over time."""
    xs = np.asarray(xs)
    hidden = np.asarray(params["b_f"]).shape[-1]
    state_shape = (*xs.shape[1:-1], hidden)
    h = np.zeros(state_shape, dtype=xs.dtype) if h0 is None else np.asarray(h0)
    c = np.zeros(state_shape, dtype=xs.dtype) if c0 is None else np.asarray(c0)
    rows: dict[str, list[NDArray[np.floating]]] = {key: [] for key in GATE_TABLE_KEYS}
    for x_t in xs:
        step = lstm_step(x_t, h, c, params)
        for key in GATE_TABLE_KEYS:
            rows[key].append(step[key])
        h, c = step["h"], step["c"]
    return {key: np.stack(rows[key]) for key in GATE_TABLE_KEYS}
