"""The material's part (a), transcribed: its gate table is right, computed gate by gate."""

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lstm_step(x_t, h_prev, c_prev, params):
    x_t = np.asarray(x_t, dtype=float)
    h_prev = np.broadcast_to(h_prev, x_t.shape[:-1] + (np.shape(params["b_f"])[0],))
    c_prev = np.broadcast_to(c_prev, h_prev.shape)
    hx = np.concatenate([h_prev, x_t], axis=-1)  # [h_{t-1}, x_t]
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    c_tilde = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c = f * c_prev + i * c_tilde
    return {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": o * np.tanh(c)}


def gate_table(xs, params, h0=None, c0=None):
    xs = np.asarray(xs, dtype=float)
    shape = xs.shape[1:-1] + (np.shape(params["b_f"])[0],)
    h = np.zeros(shape) if h0 is None else h0
    c = np.zeros(shape) if c0 is None else c0
    table = {key: [] for key in ("f", "i", "c_tilde", "c", "o", "h")}
    for x in xs:
        step = lstm_step(x, h, c, params)
        for key in table:
            table[key].append(step[key])
        h, c = step["h"], step["c"]
    return {key: np.stack(rows) for key, rows in table.items()}
