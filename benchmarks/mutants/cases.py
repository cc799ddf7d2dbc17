"""Every case of the oracle: calls inside the contract (the problem statements, the module
docstrings of solutions/*.py), parts (a) and (b) in `array_cases`, part (c) in `budget_cases`."""

from __future__ import annotations

import numpy as np

from benchmarks.mutants.array_cases import (
    cell_gradient_cases,
    cell_path_cases,
    gate_table_cases,
    lstm_step_cases,
    rnn_cases,
    sigmoid_cases,
)
from benchmarks.mutants.budget_cases import budget_cases
from benchmarks.mutants.case import Case

__all__ = ["Case", "all_cases"]


def all_cases(seed: int = 20240612) -> list[Case]:
    """Every case, in a fixed order (the random inputs drawn from `seed`)."""
    rng = np.random.default_rng(seed)
    return [
        *sigmoid_cases(rng),
        *lstm_step_cases(rng),
        *gate_table_cases(rng),
        *cell_path_cases(rng),
        *cell_gradient_cases(rng),
        *rnn_cases(rng),
        *budget_cases(),
    ]
