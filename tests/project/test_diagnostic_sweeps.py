"""Diagnostic sweeps (a function called at many sizes to recover the student's formula) run after
every scored call and never decide a score: a sweep that hangs, kills its probe or raises costs the
student nothing, and what it says only ever reaches the feedback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.diagnosis import count_formulas, memory_formulas
from autograder.grading.grader import Grader, grade_submission
from autograder.probe.runner import run_sweep

REFERENCE = PROJECT / "examples" / "submissions" / "full_marks_reference"


def hostile_to_sweeps(target: Path) -> Path:
    """The reference, except at sizes only a sweep asks for: there it hangs, or ends the process."""
    shutil.copytree(REFERENCE, target)
    hang = max(i for _, i in count_formulas.CONFIRM)  # an input size no rubric case uses
    exit_at = max(point[1] for point in memory_formulas.CONFIRM)  # a sequence length likewise
    budget = target / "lstm_budget.py"
    source = budget.read_text()
    source = source.replace(
        '    """Trainable values in a (possibly stacked, possibly bidirectional) LSTM."""\n',
        '    """Trainable values in a (possibly stacked, possibly bidirectional) LSTM."""\n'
        f"    while input_size == {hang}:\n        pass\n",
    )
    source = source.replace(
        '    """Bytes for parameters, gradients, optimizer state and cached activations of one layer."""\n',
        '    """Bytes for parameters, gradients, optimizer state and cached activations of one layer."""\n'
        f"    if seq_len == {exit_at}:\n        import os\n\n        os._exit(3)\n",
    )
    assert "while input_size" in source and "os._exit(3)" in source
    budget.write_text(source)
    return target


def test_a_sweep_that_hangs_or_kills_the_probe_costs_no_point(grader: Grader, tmp_path: Path) -> None:
    honest = grade_submission(REFERENCE, grader)
    hostile = grade_submission(hostile_to_sweeps(tmp_path / "hostile"), grader)
    assert hostile.score == honest.score == hostile.max_score
    assert all(outcome.findings == () and outcome.diagnoses == () for outcome in hostile.outcomes)


def test_each_point_of_a_sweep_fails_on_its_own() -> None:
    def count(input_size: int, hidden_size: int) -> object:
        if input_size < 0:
            raise ValueError("negative")
        if input_size == 0:
            raise SystemExit  # not an Exception: it ends the sweep, and the call is that failure
        return input_size * hidden_size

    points = [{"input_size": 2, "hidden_size": 3}, {"input_size": -1, "hidden_size": 3}]
    assert run_sweep(count, points) == [["ok", 6], ["error", "raised"]]
    with pytest.raises(SystemExit):
        run_sweep(count, [*points, {"input_size": 0, "hidden_size": 1}])
