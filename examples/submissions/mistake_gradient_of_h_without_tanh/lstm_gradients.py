"""Part (b): why the gradient survives in an LSTM.

Training runs backpropagation through time: the gradient of the loss with respect to an early
state is a product of one Jacobian per step. Whether that product shrinks to nothing decides
whether the network can learn long-range dependencies. You will compute these gradients exactly
and compare an LSTM with a vanilla RNN.

Notation (as in part (a)): z_t = [h_{t-1}, x_t], f_t, i_t, c~_t, o_t the gates,
C_t = f_t * C_{t-1} + i_t * c~_t and h_t = o_t * tanh(C_t). Rows of every array you return are
indexed by the step k = 0, 1, ..., T (row 0 is the initial state).

What to write:

1. `cell_path_gradient(f)`: `f` has shape (T, H): row t-1 holds the forget gate f_t of step t.
   Return an array of shape (T+1, H) whose row k is dC_T/dC_k along the cell-state path alone,
   that is, ignoring every path through h and the gates:

       dC_T/dC_k = f_{k+1} * f_{k+2} * ... * f_T        (element-wise), and row T is all ones.

2. `lstm_cell_gradients(xs, params, dC_T, h0=None, c0=None)`: one sequence, `xs` of shape (T, I)
   (no batch), `dC_T` of shape (H,). For the loss L = sum(dC_T * C_T), return an array of shape
   (T+1, H) whose row k is dL/dC_k, the TOTAL derivative through every path of the unrolled
   cell. C_k moves C_{k+1} through the forget gate, but it also moves h_k = o_k * tanh(C_k), and h_k
   feeds every gate of step k+1. Row T is dC_T itself. h_0 and C_0 are inputs (zeros when None);
   h_0 does not depend on C_0. Hint: run the sequence forward keeping what the backward pass needs
   (x_t, h_{t-1}, C_{t-1}, the four gates and C_t), then walk back from step T to step 1.

3. `rnn_hidden_gradients(xs, W_hh, W_xh, b_h, dh_T)`: the same for a vanilla RNN
   h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h) with h_0 = 0 and L = sum(dh_T * h_T). Return (T+1, H):
   row k is dL/dh_k, row T is dh_T.

4. `CONCEPT_ANSWERS`: a dict mapping each question id below to the letter of your answer.

   q1. Along the cell-state path alone, dC_t/dC_{t-1} is:
       a) 1: the update is additive, so the gradient passes through unchanged
       b) the forget gate f_t, element-wise (a diagonal Jacobian diag(f_t))
       c) the weight matrix W_f, transposed
       d) the tanh derivative 1 - tanh(C_{t-1})^2
   q2. In a vanilla tanh RNN, dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh. Over many steps the gradient
       usually vanishes because:
       a) the loss is summed over the time steps
       b) it is multiplied again and again by the same matrix W_hh and by tanh derivatives that
          are at most 1, so when those factors are below 1 in size it shrinks geometrically
       c) tanh is not differentiable at 0
       d) the same bias b_h is used at every step
   q3. Many implementations initialise the forget-gate bias b_f to a positive value such as 1.
       Why does that help at the start of training?
       a) f_t starts near 1, so the cell keeps its state and the gradient along the cell path is
          multiplied by factors near 1 rather than near sigmoid(0) = 0.5
       b) it opens the input gate, so more of the candidate is written
       c) it stops gradients from exploding
       d) it removes the need for the output gate
   q4. Does an LSTM prevent exploding gradients?
       a) yes: every gate lies in (0, 1), so no product can grow
       b) no: paths through h and the recurrent weights can still grow; clipping the gradient's
          norm is what guards against explosion
       c) yes: the cell update is additive
       d) no, and no remedy exists
   q5. What does the LSTM's cell path avoid that makes the vanilla RNN's gradient vanish?
       a) it avoids every multiplication in the backward pass
       b) repeated multiplication by the same weight matrix and a squashing derivative: along
          the cell path the gradient is multiplied only by f_t, which the network can hold near 1
       c) it uses ReLU instead of tanh
       d) it has fewer parameters to train
   q6. If f_t = 0.5 for every unit and every step, dC_T/dC_{T-10} along the cell path is about:
       a) 0.5      b) 5      c) 0.001 (0.5 to the 10th)      d) 1

5. `EXPLANATION`: in three to five sentences, explain why an LSTM's gradient survives over long
   sequences where a vanilla RNN's vanishes. Say what dC_t/dC_{t-1} is along the cell path, what
   the LSTM avoids, and when its gradient can still vanish. (Graded by hand.)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

GATES = ("f", "i", "c_tilde", "o")


def _sigmoid(z: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.exp(-np.logaddexp(np.zeros((), dtype=z.dtype), -z))


def lstm_forward_with_cache(
    xs: ArrayLike,
    params: Mapping[str, ArrayLike],
    h0: ArrayLike | None = None,
    c0: ArrayLike | None = None,
) -> dict[str, NDArray[np.floating]]:
    """Forward pass over `xs` (T, [B,] I) keeping exactly what the backward pass reads.

    Per step and batch row: x_t (I), h_{t-1} and C_{t-1} (H each), the four gates (4H) and C_t (H);
    tanh(C_t) is recomputed in the backward pass rather than stored.
    """
    xs = np.asarray(xs)
    weights = np.concatenate([np.asarray(params[f"W_{g}"]) for g in "fico"]).astype(xs.dtype)
    biases = np.concatenate([np.asarray(params[f"b_{g}"]) for g in "fico"]).astype(xs.dtype)
    hidden = biases.shape[0] // 4
    state_shape = (*xs.shape[1:-1], hidden)
    h = np.broadcast_to(np.zeros((), xs.dtype) if h0 is None else np.asarray(h0), state_shape)
    c = np.broadcast_to(np.zeros((), xs.dtype) if c0 is None else np.asarray(c0), state_shape)
    steps = xs.shape[0]
    cache = {
        name: np.empty((steps, *state_shape), dtype=xs.dtype) for name in ("h_prev", "c_prev", *GATES, "c")
    }
    cache["x"] = xs.copy()
    for t in range(steps):
        cache["h_prev"][t], cache["c_prev"][t] = h, c
        pre = np.concatenate([h, xs[t]], axis=-1) @ weights.T + biases
        f, i, g, o = np.split(pre, 4, axis=-1)
        cache["f"][t], cache["i"][t] = _sigmoid(f), _sigmoid(i)
        cache["c_tilde"][t], cache["o"][t] = np.tanh(g), _sigmoid(o)
        c = cache["f"][t] * c + cache["i"][t] * cache["c_tilde"][t]
        h = cache["o"][t] * c
        cache["c"][t] = c
    return cache


def lstm_backward_cell(
    cache: Mapping[str, NDArray[np.floating]],
    params: Mapping[str, ArrayLike],
    dC_T: ArrayLike,
) -> NDArray[np.floating]:
    """dL/dC_k for k = 0..T, L = sum(dC_T * C_T), through every path of the unrolled cell."""
    weights = np.concatenate([np.asarray(params[f"W_{g}"]) for g in "fico"])
    hidden = cache["c"].shape[-1]
    steps = cache["c"].shape[0]
    grads = np.empty((steps + 1, *cache["c"].shape[1:]), dtype=np.result_type(cache["c"], dC_T))
    d_c = np.broadcast_to(np.asarray(dC_T), cache["c"].shape[1:])
    d_h = np.zeros_like(d_c)
    for t in range(steps - 1, -1, -1):
        f, i, g, o = (cache[name][t] for name in GATES)
        tanh_c = np.tanh(cache["c"][t])
        d_c = d_c + d_h * o
        grads[t + 1] = d_c
        d_pre = np.concatenate(
            [
                d_c * cache["c_prev"][t] * f * (1.0 - f),
                d_c * g * i * (1.0 - i),
                d_c * i * (1.0 - g**2),
                d_h * cache["c"][t] * o * (1.0 - o),
            ],
            axis=-1,
        )
        d_h = (d_pre @ weights)[..., :hidden]
        d_c = d_c * f
    grads[0] = d_c
    return grads




def cell_path_gradient(f: ArrayLike) -> NDArray[np.floating]:
    """Row k: dC_T/dC_k along the cell path alone, the product f_{k+1} * ... * f_T; row T is ones."""
    f = np.asarray(f)
    ones = np.ones((1, *f.shape[1:]), dtype=f.dtype)
    suffix_products = np.cumprod(f[::-1], axis=0)[::-1]
    return np.concatenate([suffix_products, ones], axis=0)


def lstm_cell_gradients(
    xs: ArrayLike,
    params: Mapping[str, ArrayLike],
    dC_T: ArrayLike,
    h0: ArrayLike | None = None,
    c0: ArrayLike | None = None,
) -> NDArray[np.floating]:
    """Row k: the total derivative dL/dC_k of L = sum(dC_T * C_T), for k = 0..T."""
    cache = lstm_forward_with_cache(xs, params, h0, c0)
    return lstm_backward_cell(cache, params, dC_T)


def rnn_hidden_gradients(
    xs: ArrayLike, W_hh: ArrayLike, W_xh: ArrayLike, b_h: ArrayLike, dh_T: ArrayLike
) -> NDArray[np.floating]:
    """Row k: dL/dh_k of L = sum(dh_T * h_T) for the vanilla RNN h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)."""
    xs, W_hh = np.asarray(xs), np.asarray(W_hh)
    hs = [np.zeros(W_hh.shape[0], dtype=np.result_type(xs, W_hh))]
    for x_t in xs:
        hs.append(np.tanh(W_hh @ hs[-1] + np.asarray(W_xh) @ x_t + b_h))
    grads = [np.asarray(dh_T, dtype=hs[0].dtype)]
    for h_t in reversed(hs[1:]):
        grads.append(W_hh.T @ (grads[-1] * (1.0 - h_t**2)))
    return np.stack(grads[::-1])


CONCEPT_ANSWERS: dict[str, str] = {
    "q1": "b",
    "q2": "b",
    "q3": "a",
    "q4": "b",
    "q5": "b",
    "q6": "c",
}

EXPLANATION = (
    "Along the cell-state path C_t = f_t * C_{t-1} + i_t * c~_t, so dC_t/dC_{t-1} is the forget "
    "gate f_t itself, element-wise. The gradient is still multiplied at every step, but by a "
    "factor the network chooses and can hold near 1, not by the same weight matrix W_hh and a "
    "tanh derivative again and again as in a vanilla RNN, where that repeated product shrinks "
    "geometrically. When the forget gates stay well below 1 the LSTM's gradient vanishes too, "
    "and nothing in the cell stops gradients from exploding through the h path: clipping does."
)
