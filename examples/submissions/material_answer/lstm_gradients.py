"""The material's part (b), transcribed: "the gradient of C_{t-1} is added, not multiplied"."""

import numpy as np


def cell_path_gradient(f):
    # The material: the additive update passes the gradient through unchanged.
    f = np.asarray(f)
    return np.ones((f.shape[0] + 1, f.shape[1]))


def lstm_cell_gradients(xs, params, dC_T, h0=None, c0=None):
    raise NotImplementedError("not implemented yet")


def rnn_hidden_gradients(xs, W_hh, W_xh, b_h, dh_T):
    raise NotImplementedError("not implemented yet")


CONCEPT_ANSWERS = {"q1": "a", "q2": "b", "q3": "a", "q4": "c", "q5": "a", "q6": "c"}

EXPLANATION = (
    "LSTMs address the vanishing gradient problem with a cell state that can store information over "
    "long sequences, gates that selectively control the flow of information, and an additive update "
    "C_t = f_t * C_{t-1} + i_t * c~_t. When the gradient of C_t with respect to C_{t-1} is computed, "
    "the gradient of C_{t-1} is added to the overall gradient rather than multiplied, which preserves "
    "the gradient signal and keeps it from vanishing even over long sequences."
)
