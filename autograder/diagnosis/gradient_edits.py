"""Single mistakes in the backward passes of part (b), generated from the equations.

For `lstm_cell_gradients` two families: a backward pass with one factor or path wrong (a missing
tanh' or sigmoid', C_t where tanh(C_t) is due, a gate's path dropped, the rows `retain_grad()` on
`torch.nn.LSTM`'s returned `c` would give), and the exact gradient of a forward pass with one
mistake of `lstm_equations` (the student's backward pass is right for their own forward pass).
For `rnn_hidden_gradients` and `cell_path_gradient`, the same idea on their smaller equations.
Each candidate is (id, what it says, rows) where rows may be computed lazily from k = T down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

Rows = Callable[[], Iterator[np.ndarray]]  # rows k = T, T-1, ..., 0


@dataclass(frozen=True)
class Candidate:
    id: str
    says: str
    rows: Rows


class KeptRows:
    """A candidate's rows, computed once as far as any reader has gone and kept for the next
    reader (a candidate belongs to a prepared case, which every submission's diagnosis reads):
    a reader that stops at its first wrong row leaves the rest uncomputed. Safe across threads."""

    def __init__(self, rows: Rows) -> None:
        self._rows = rows
        self._source: Iterator[np.ndarray] | None = None
        self._kept: list[np.ndarray] = []
        self._end: BaseException | None = None  # StopIteration, or what computing a row raised
        self._turn = threading.Lock()

    def _row(self, index: int) -> np.ndarray | None:
        with self._turn:
            while index >= len(self._kept) and self._end is None:
                try:
                    if self._source is None:
                        self._source = self._rows()
                    self._kept.append(next(self._source))
                except MemoryError:  # not the computation's own doing: nothing of it is kept
                    self._source, self._kept = None, []
                    raise
                except Exception as error:  # the end of the rows, or a row that cannot be had
                    self._end = error
                except BaseException:  # an interruption (Ctrl-C): nothing of it is kept
                    self._source, self._kept = None, []
                    raise
            if index < len(self._kept):
                return self._kept[index]
            end = self._end
        if isinstance(end, StopIteration) or end is None:
            return None
        raise end

    def __call__(self) -> Iterator[np.ndarray]:
        index = 0
        while (row := self._row(index)) is not None:
            yield row
            index += 1


def kept(candidate: Candidate) -> Candidate:
    """The same candidate, its rows computed once for every reader (see KeptRows)."""
    return Candidate(candidate.id, candidate.says, KeptRows(candidate.rows))


def single_output(output: Any) -> Rows:
    """A candidate whose whole value is one output (a dict of gate values, say)."""
    return lambda: iter([output])


def all_rows(array: np.ndarray) -> Rows:
    return lambda: iter(array[::-1])


def shifted(array: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The rows moved by one either way (the edge row as ones, zeros or repeated)."""
    found = []
    for fill_name, fill in (("ones", np.ones_like(array[:1])), ("zeros", np.zeros_like(array[:1]))):
        found.append((f"up_{fill_name}", np.concatenate([array[1:], fill])))
        found.append((f"down_{fill_name}", np.concatenate([fill, array[:-1]])))
    found.append(("up_repeat", np.concatenate([array[1:], array[-1:]])))
    found.append(("reversed", array[::-1]))
    found.append(("down_repeat", np.concatenate([array[:1], array[:-1]])))
    return found


def row_shifts(truth: np.ndarray, what: str) -> list[Candidate]:
    return [
        Candidate(
            f"rows_{name}" if name == "reversed" else f"rows_off_by_one_{name}",
            f"your rows are the right {what} in reverse order: row k must hold step k, row T the given one"
            if name == "reversed"
            else f"your rows are the right {what} moved by one row",
            all_rows(rows),
        )
        for name, rows in shifted(truth)
    ]


# --- cell_path_gradient --------------------------------------------------------------------------


def cell_path_candidates(f: Any) -> list[Candidate]:
    f = np.asarray(f, dtype=np.float64)
    ones = np.ones((1, *f.shape[1:]))
    truth = np.concatenate([np.cumprod(f[::-1], axis=0)[::-1], ones])
    made = [
        (
            "sum_not_product",
            "you added the forget gates instead of multiplying them",
            np.concatenate([np.cumsum(f[::-1], axis=0)[::-1], np.zeros_like(ones)]),
        ),
        (
            "one_minus_f",
            "you multiplied 1 - f_t instead of f_t",
            np.concatenate([np.cumprod((1 - f)[::-1], axis=0)[::-1], ones]),
        ),
        (
            "all_gates_every_row",
            "every row multiplies all T gates",
            np.concatenate([np.broadcast_to(np.prod(f, axis=0), f.shape), ones]),
        ),
        (
            "no_ones_row",
            "your last row is f_T, not ones",
            np.concatenate([np.cumprod(f[::-1], axis=0)[::-1], f[-1:]]),
        ),
    ]
    return [Candidate(i, s, all_rows(r)) for i, s, r in made] + row_shifts(truth, "products")


# --- rnn_hidden_gradients ------------------------------------------------------------------------


def rnn_candidates(xs: Any, W_hh: Any, W_xh: Any, b_h: Any, dh_T: Any) -> list[Candidate]:
    xs, W_hh, W_xh = (np.asarray(a, dtype=np.float64) for a in (xs, W_hh, W_xh))
    hs = [np.zeros(W_hh.shape[0])]
    for x in xs:
        hs.append(np.tanh(W_hh @ hs[-1] + W_xh @ x + np.asarray(b_h, dtype=np.float64)))
    forms: Mapping[str, tuple[str, Callable[[np.ndarray, int], np.ndarray]]] = {
        "not_transposed": (
            "you multiplied by W_hh where its transpose is due",
            lambda g, t: W_hh @ (g * (1 - hs[t] ** 2)),
        ),
        "tanh_prime_of_previous": (
            "your tanh' uses h_{t-1} instead of h_t",
            lambda g, t: W_hh.T @ (g * (1 - hs[t - 1] ** 2)),
        ),
        "tanh_prime_after": (
            "you applied tanh' after multiplying by W_hh^T",
            lambda g, t: (W_hh.T @ g) * (1 - hs[t - 1] ** 2),
        ),
        "tanh_prime_after_same_step": (
            "you applied tanh' = 1 - h_t^2 after multiplying by W_hh^T",
            lambda g, t: (W_hh.T @ g) * (1 - hs[t] ** 2),
        ),
        "tanh_prime_unsquared": (
            "your tanh' is 1 - h_t instead of 1 - h_t^2",
            lambda g, t: W_hh.T @ (g * (1 - hs[t])),
        ),
        "tanh_prime_of_tanh": (
            "your tanh' is 1 - tanh(h_t)^2: tanh applied twice",
            lambda g, t: W_hh.T @ (g * (1 - np.tanh(hs[t]) ** 2)),
        ),
    }
    found = []
    for name, (says, back) in forms.items():
        grads = [np.asarray(dh_T, dtype=np.float64)]
        for t in range(len(xs), 0, -1):
            grads.append(back(grads[-1], t))
        found.append(Candidate(f"rnn_{name}", says, all_rows(np.stack(grads[::-1]))))
    truth = [np.asarray(dh_T, dtype=np.float64)]
    for t in range(len(xs), 0, -1):
        truth.append(W_hh.T @ (truth[-1] * (1 - hs[t] ** 2)))
    return found + row_shifts(np.stack(truth[::-1]), "gradients")
