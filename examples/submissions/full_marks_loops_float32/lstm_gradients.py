"""Part (b) written with explicit per-step loops and Jacobian-vector products, in float32."""

import numpy as np

from lstm_gates import gate_table


def cell_path_gradient(f):
    f = np.asarray(f, dtype=np.float32)
    out = np.ones((f.shape[0] + 1, f.shape[1]), dtype=np.float32)
    for k in range(f.shape[0] - 1, -1, -1):
        out[k] = out[k + 1] * f[k]
    return out


def lstm_cell_gradients(xs, params, dC_T, h0=None, c0=None):
    xs = np.asarray(xs, dtype=np.float32)
    hidden = np.shape(params["b_f"])[0]
    h0 = np.zeros(hidden, np.float32) if h0 is None else np.asarray(h0, np.float32)
    c0 = np.zeros(hidden, np.float32) if c0 is None else np.asarray(c0, np.float32)
    table = gate_table(xs, params, h0, c0)
    cells = [c0] + list(table["c"])
    W = {g: np.asarray(params["W_" + g], np.float32)[:, :hidden] for g in "fico"}
    steps = xs.shape[0]
    out = np.zeros((steps + 1, hidden), np.float32)
    grad_c = np.asarray(dC_T, np.float32)
    grad_h = np.zeros(hidden, np.float32)
    for t in range(steps, 0, -1):
        f, i, g, o = (table[k][t - 1] for k in ("f", "i", "c_tilde", "o"))
        tanh_c = np.tanh(cells[t])
        grad_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
        out[t] = grad_c
        grad_h = (
            W["f"].T @ (grad_c * cells[t - 1] * f * (1 - f))
            + W["i"].T @ (grad_c * g * i * (1 - i))
            + W["c"].T @ (grad_c * i * (1 - g * g))
            + W["o"].T @ (grad_h * tanh_c * o * (1 - o))
        )
        grad_c = grad_c * f
    out[0] = grad_c
    return out


def rnn_hidden_gradients(xs, W_hh, W_xh, b_h, dh_T):
    W_hh = np.asarray(W_hh, np.float32)
    states = [np.zeros(W_hh.shape[0], np.float32)]
    for x in np.asarray(xs, np.float32):
        states.append(np.tanh(W_hh @ states[-1] + np.asarray(W_xh, np.float32) @ x + np.asarray(b_h, np.float32)))
    out = [np.asarray(dh_T, np.float32)]
    for t in range(len(states) - 1, 0, -1):
        out.insert(0, W_hh.T @ (out[0] * (1 - states[t] ** 2)))
    return np.stack(out)


CONCEPT_ANSWERS = {"q1": "B", "q2": "b", "q3": "a", "q4": "b", "q5": "b", "q6": "c"}

EXPLANATION = (
    "Backpropagating along the cell state multiplies the gradient by the forget gate f_t at each step, "
    "so dC_t/dC_{t-1} = f_t; the network learns to keep f_t near one. A vanilla RNN instead multiplies "
    "by the same matrix W_hh and a tanh derivative every step, and that product shrinks geometrically. "
    "If the forget gates are small the LSTM gradient still vanishes, and exploding gradients need clipping."
)
