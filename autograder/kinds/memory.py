"""Training memory in bytes: parameters, gradients, optimizer state, activations and their total.

Truth: the bytes `torch.optim` really holds (recorded framework figures) and the reference's
activation cache. Credit may be per key; a mistake is named from the keys it explains, and a
misconception may also be matched by an invariance (`match: {invariant_in: seq_len}`: the student's
activations do not move when only the sequence length does).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any, ClassVar

from autograder.diagnosis import memory_formulas
from autograder.diagnosis.formula import Polynomial
from autograder.frameworks.figures import memory_key
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
from autograder.results.model import CaseOutcome, CheckOutcome, Diagnosis, FormulaFinding
from autograder.rubric.model import Check

SIZES = ("input_size", "hidden_size", "batch_size", "seq_len", "bytes_per_value")
DEFAULTS = {"bytes_per_value": 4, "optimizer": "sgd"}


def configuration(case: Mapping[str, Any]) -> tuple[int, int, str, int]:
    values = {**DEFAULTS, **case}
    return (values["input_size"], values["hidden_size"], values["optimizer"], values["bytes_per_value"])


def same_int(a: Any, b: Any) -> bool:
    """Equal byte counts: both plain ints (a student's value may be an array or anything else)."""
    return type(a) is int and type(b) is int and a == b


class TrainingMemory(KeywordCaseKind):
    name = "memory"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": {**SIZE, "maximum": 100_000},
        "hidden_size": {**SIZE, "maximum": 100_000},
        "batch_size": {**SIZE, "maximum": 100_000},
        "seq_len": {**SIZE, "maximum": 100_000},
        "bytes_per_value": {"enum": [2, 4, 8]},
        "optimizer": {"enum": ["sgd", "momentum", "adam"]},
    }
    case_required = ("input_size", "hidden_size", "batch_size", "seq_len")
    match_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "required": ["invariant_in"],
        "additionalProperties": False,
        "properties": {"invariant_in": {"enum": ["seq_len", "bytes_per_value", "batch_size"]}},
    }
    credits = ("all_or_nothing", "per_case", "per_key")

    def framework_configurations(self, case: Mapping[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
        return [("memory", configuration(case))]

    def validate_case(self, check: Check, case: Mapping[str, Any], where: str, facts: CourseFacts) -> None:
        key = memory_key(*configuration(case))
        if facts.figures is not None and key not in facts.figures.memory:
            raise rubric_error(
                where, f"no recorded framework figure for {key}; run `autograder frameworks --write`"
            )

    def expected(
        self, check: Check, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], ground: Ground
    ) -> Any:
        reference = ground.references.function(check.module, function)(**kwargs)
        expected = {
            **ground.figures.optimizer_bytes(*configuration(kwargs)),
            "activations": int(reference["activations"]),
        }
        expected["total"] = sum(expected.values())
        return expected

    def judge(self, check: Check, case: PreparedCase, got: StudentValue) -> CaseOutcome:
        if not got.ok or not isinstance(got.value, Mapping):
            return super().judge(check, case, got)
        wrong = [
            m
            for m in (self.compare(check, got.value.get(k), v, f"[{k!r}]") for k, v in case.expected.items())
            if m
        ]
        if not wrong:
            return CaseOutcome(case.label, 1.0)
        fraction = 1.0 - len(wrong) / len(case.expected) if check.credit == "per_key" else 0.0
        return CaseOutcome(case.label, fraction, message="; ".join(wrong))

    def agrees(self, check: Check, got: Any, output: Any, expected: Any) -> bool:
        """Per key: every key the mistake changes is the student's (another key may hold another
        mistake; "total" is derived, so two mistakes can share one)."""
        if not (isinstance(got, Mapping) and isinstance(output, Mapping) and isinstance(expected, Mapping)):
            return False
        changed = [k for k in expected if k != "total" and output.get(k) != expected[k]]
        return all(same_int(got.get(k), output[k]) for k in changed)

    def differs(self, check: Check, output: Any, expected: Any) -> bool:
        return isinstance(output, Mapping) and any(
            output.get(k) != v for k, v in expected.items() if k != "total"
        )

    def diagnose(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> tuple[Diagnosis, ...]:
        """Known mistakes that reproduce the student's keys, and those matched by an invariance
        (the activations stay put when only the sequence length moves)."""
        named = {d.misconception: d for d in super().diagnose(check, cases, values, outcomes, ground, probes)}
        for misconception in check.misconceptions:
            size = misconception.match.get("invariant_in")
            if size and misconception.variant is None and misconception.id not in named:
                labels = self.invariant_cases(cases, values, str(size))
                if labels:
                    named[misconception.id] = Diagnosis(misconception.id, misconception.feedback, labels)
        order = [m.id for m in check.misconceptions]
        return tuple(
            sorted(
                named.values(),
                key=lambda d: order.index(d.misconception) if d.misconception in order else len(order),
            )
        )

    def evaluate(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> CheckOutcome:
        """Per key: the keys no named mistake explains still get their formula read."""
        outcome = super().evaluate(check, cases, values, ground, probes)
        if not outcome.diagnoses or outcome.status != "failed":
            return outcome
        explained = self.explained_keys(check, cases, outcome, ground)
        left = tuple(
            f
            for f in self.findings(check, cases, values, ground, probes)
            if f.subject.split()[0].strip("'") not in explained
        )
        return replace(outcome, findings=left)

    def explained_keys(
        self, check: Check, cases: Sequence[PreparedCase], outcome: CheckOutcome, ground: Ground
    ) -> set[str]:
        """The keys the named mistakes change, on any case."""
        variants = {m.id: m.variant for m in check.misconceptions}
        keys: set[str] = set()
        for misconception in outcome.misconceptions:
            variant = variants.get(misconception)
            if variant is None:
                continue
            for case in cases:
                for output in self.variant_outputs(variant, case, ground):
                    keys |= {
                        k
                        for k, v in case.expected.items()
                        if isinstance(output, Mapping) and output.get(k) != v
                    }
        return keys | {"total"}

    def diagnostic_calls(self, check: Check, ground: Ground, seconds: float) -> tuple[PreparedCase, ...]:
        points = memory_formulas.sweep_points()
        reference = memory_formulas.reference_values(ground.references.function(check.module, check.target))
        keys = [memory_formulas.point_key(p) for p in points]
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
                return memory_formulas.memory_findings(
                    sweep_values(probe), probe.call.expected, kept_reference_formulas(probe.call)
                )
        return ()

    def invariant_cases(
        self, cases: Sequence[PreparedCase], values: Sequence[StudentValue], size: str
    ) -> tuple[str, ...]:
        """Two cases that differ only in `size`, where the student's activations stay put and the
        truth's do not."""
        for (a, got_a), (b, got_b) in combinations(zip(cases, values, strict=True), 2):
            if not (
                got_a.ok
                and got_b.ok
                and isinstance(got_a.value, Mapping)
                and isinstance(got_b.value, Mapping)
            ):
                continue
            changed = [k for k in SIZES if {**DEFAULTS, **a.kwargs}.get(k) != {**DEFAULTS, **b.kwargs}.get(k)]
            if changed == [size] and a.expected["activations"] != b.expected["activations"]:
                if same_int(got_a.value.get("activations"), got_b.value.get("activations")):
                    return (a.label, b.label)
        return ()


def kept_reference_formulas(sweep: PreparedCase) -> memory_formulas.ReferenceFormula:
    """The reference's formula per (optimizer, key), recovered from the sweep's reference values on
    first use and kept with the sweep's case: the same for every submission."""

    def formula(optimizer: str, key: str) -> Polynomial | None:
        made = functools.partial(memory_formulas.recover, sweep.expected, optimizer, key)
        return sweep.derived(("formula", optimizer, key), made)

    return formula
