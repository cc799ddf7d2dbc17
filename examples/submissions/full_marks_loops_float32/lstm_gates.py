"""A correct solution written differently: float32 throughout, one stacked weight matrix, loops."""

import numpy as np

GATES = ("f", "i", "c", "o")


def sigmoid(z):
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.float32)


def _stacked(params):
    weights = np.vstack([np.asarray(params["W_" + g], dtype=np.float32) for g in GATES])
    biases = np.concatenate([np.asarray(params["b_" + g], dtype=np.float32) for g in GATES])
    return weights, biases


def _one_row(x, h, c, weights, biases):
    hidden = h.shape[0]
    pre = weights @ np.concatenate([h, x]).astype(np.float32) + biases
    f, i, o = sigmoid(pre[:hidden]), sigmoid(pre[hidden : 2 * hidden]), sigmoid(pre[3 * hidden :])
    g = np.tanh(pre[2 * hidden : 3 * hidden])
    c_new = f * c + i * g
    return {"f": f, "i": i, "c_tilde": g, "c": c_new, "o": o, "h": o * np.tanh(c_new)}


def lstm_step(x_t, h_prev, c_prev, params):
    weights, biases = _stacked(params)
    x_t = np.asarray(x_t, dtype=np.float32)
    hidden = biases.shape[0] // 4
    if x_t.ndim == 1:
        return _one_row(x_t, np.asarray(h_prev, np.float32), np.asarray(c_prev, np.float32), weights, biases)
    h_prev = np.broadcast_to(np.asarray(h_prev, np.float32), (x_t.shape[0], hidden))
    c_prev = np.broadcast_to(np.asarray(c_prev, np.float32), (x_t.shape[0], hidden))
    rows = [_one_row(x_t[b], h_prev[b], c_prev[b], weights, biases) for b in range(x_t.shape[0])]
    return {key: np.stack([row[key] for row in rows]) for key in rows[0]}


def gate_table(xs, params, h0=None, c0=None):
    xs = np.asarray(xs, dtype=np.float32)
    hidden = np.shape(params["b_f"])[0]
    h = np.zeros(xs.shape[1:-1] + (hidden,), np.float32) if h0 is None else h0
    c = np.zeros(xs.shape[1:-1] + (hidden,), np.float32) if c0 is None else c0
    steps = []
    for t in range(xs.shape[0]):
        steps.append(lstm_step(xs[t], h, c, params))
        h, c = steps[-1]["h"], steps[-1]["c"]
    return {key: np.stack([step[key] for step in steps]) for key in steps[0]}
