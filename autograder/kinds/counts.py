"""Parameter counts of (stacked, bidirectional) LSTMs, judged against the frameworks' own figures."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from autograder.diagnosis import count_formulas
from autograder.frameworks.figures import count_key
from autograder.kinds.base import (
    SIZE,
    CourseFacts,
    Ground,
    KeywordCaseKind,
    PreparedCase,
    Probe,
    StudentValue,
    rubric_error,
    sweep_case,
    sweep_values,
)
from autograder.results.model import FormulaFinding
from autograder.rubric.model import Check

# The contract's defaults (DESIGN: num_parameters(input_size, hidden_size, num_layers=1, ...)).
DEFAULTS = {"num_layers": 1, "bidirectional": False, "convention": "keras"}


def configuration(case: Mapping[str, Any]) -> tuple[int, int, int, bool]:
    values = {**DEFAULTS, **case}
    return (values["input_size"], values["hidden_size"], values["num_layers"], bool(values["bidirectional"]))


class ParameterCount(KeywordCaseKind):
    """`num_parameters(**case)`; the truth is `torch.nn.LSTM` and Keras `LSTM`/`Bidirectional`.
    A key left out of a case is left to the student's default."""

    name = "parameter_count"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": {**SIZE, "maximum": 100_000},
        "hidden_size": {**SIZE, "maximum": 100_000},
        "num_layers": {**SIZE, "maximum": 100},
        "bidirectional": {"type": "boolean"},
        "convention": {"enum": ["keras", "pytorch"]},
    }
    case_required = ("input_size", "hidden_size")

    def framework_configurations(self, case: Mapping[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
        return [("counts", configuration(case))]

    def validate_case(self, check: Check, case: Mapping[str, Any], where: str, facts: CourseFacts) -> None:
        if facts.figures is not None and count_key(*configuration(case)) not in facts.figures.counts:
            raise rubric_error(
                where,
                f"no recorded framework figure for {count_key(*configuration(case))}; "
                "run `autograder frameworks --write`",
            )

    def expected(
        self, check: Check, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], ground: Ground
    ) -> Any:
        values = {**DEFAULTS, **kwargs}
        return ground.figures.parameter_count(*configuration(values), convention=values["convention"])

    # --- diagnosis: the student's formula, from a sweep over sizes and structures --------------

    def diagnostic_calls(self, check: Check, ground: Ground, seconds: float) -> tuple[PreparedCase, ...]:
        points = count_formulas.sweep_points()
        reference = count_formulas.reference_values(ground.references.function(check.module, check.target))
        keys = [count_formulas.point_key(p) for p in points]
        return (sweep_case(check, check.target, points, keys, reference, seconds),)

    def findings(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe],
    ) -> tuple[FormulaFinding, ...]:
        for probe in probes:
            if probe.value.ok:
                truth = probe.call.expected
                known = probe.call.derived(
                    "components", functools.partial(count_formulas.reference_components, truth)
                )
                return count_formulas.count_findings(sweep_values(probe), truth, known)
        return ()
