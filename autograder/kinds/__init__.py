"""The check kinds: one object per kind, the only place that knows what a kind does.

`rubric.yaml` names a kind per check; the rubric is validated against that kind's schema, and
grading asks the kind for inputs, expected values, verdicts, diagnoses and evidence. To add a
kind, write a `CheckKind` subclass in a module of this package and list it here.
"""

from __future__ import annotations

from collections.abc import Mapping

from autograder.kinds.answers import Concepts, Manual
from autograder.kinds.arrays import CellPath, Elementwise, LstmStep, RnnGradients
from autograder.kinds.base import CheckKind
from autograder.kinds.calls import Call, Raises
from autograder.kinds.cell_gradients import CellGradients
from autograder.kinds.counts import ParameterCount
from autograder.kinds.gate_table import GateTable
from autograder.kinds.memory import TrainingMemory

KINDS: Mapping[str, CheckKind] = {
    kind.name: kind
    for kind in (
        Elementwise(),
        LstmStep(),
        GateTable(),
        CellPath(),
        CellGradients(),
        RnnGradients(),
        Call(),
        ParameterCount(),
        TrainingMemory(),
        Raises(),
        Concepts(),
        Manual(),
    )
}


def kind_of(name: str) -> CheckKind:
    return KINDS[name]
