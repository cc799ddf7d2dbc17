"""What every check kind is: one object that owns its case schema, its input builder, its
expected value, its verdict, its diagnosis and its evidence.

A kind is stateless; everything it needs arrives as arguments: the rubric's `Check`, the course's
`Ground` (reference modules, framework figures, known wrong variants) and, when judging, the
student's values as plain data. Nothing here runs student code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.kinds.cases import (
    CourseFacts,
    Ground,
    PreparedCase,
    Probe,
    Signature,
    StudentValue,
    call_variant,
    first_wrong_index,
    gate_params,
    plan_entry,
    rubric_error,
    sweep_case,
    sweep_entry,
    sweep_values,
)
from autograder.kinds.compare import compare, matches
from autograder.probe import wire_format
from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Diagnosis,
    Evidence,
    FormulaFinding,
)
from autograder.rubric.model import Check, Misconception

__all__ = [  # the kinds' vocabulary, importable from here
    "CourseFacts",
    "Ground",
    "PreparedCase",
    "Probe",
    "Signature",
    "StudentValue",
    "call_variant",
    "first_wrong_index",
    "gate_params",
    "plan_entry",
    "rubric_error",
    "sweep_case",
    "sweep_entry",
    "sweep_values",
]

# The largest array the wire carries, in float64 values: a case whose inputs or expected output
# would exceed it is a rubric mistake, not a student's.
WIRE_VALUES = wire_format.MAX_ARRAY_BYTES // 8
SIZE = {"type": "integer", "minimum": 1, "maximum": WIRE_VALUES}
LABEL = {"type": "string", "minLength": 1}
DTYPE = {"enum": ["float64", "float32"]}
AS_LIST = {"type": "boolean"}  # the first argument sent as a nested Python list


class CheckKind:
    """The default behaviour: call the check's function on inputs built from each case, expect the
    reference's value, compare layer by layer, name a known wrong variant that reproduces it."""

    name: ClassVar[str]
    target_key: ClassVar[str | None] = "function"  # the check's key naming what it calls or reads
    case_properties: ClassVar[Mapping[str, Any] | None] = None  # None: the kind takes no cases
    case_required: ClassVar[tuple[str, ...]] = ()
    check_properties: ClassVar[Mapping[str, Any]] = {}  # keys of the kind's own, beside the common ones
    match_schema: ClassVar[Mapping[str, Any] | None] = None  # a misconception's `match`, if allowed
    credits: ClassVar[tuple[str, ...]] = ("all_or_nothing", "per_case")
    graded_by_hand: ClassVar[bool] = False

    # --- the rubric ---------------------------------------------------------------------------

    def check_schema(self, common: Mapping[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {**common, **self.check_properties}
        properties["credit"] = {"enum": list(self.credits)}
        required = ["id", "name", "kind", "points", "visibility"]
        if self.target_key:
            properties[self.target_key] = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
            required.append(self.target_key)
        if self.case_properties is not None:
            case = {
                "type": "object",
                "required": ["label", *self.case_required],
                "additionalProperties": False,
                "properties": {"label": LABEL, **self.case_properties},
            }
            properties["cases"] = {"type": "array", "minItems": 1, "maxItems": 64, "items": case}
            properties["seed"] = {"type": "integer", "minimum": 0, "maximum": 2**32 - 1}
            properties["tolerance"] = {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "atol": {"type": "number", "minimum": 0},
                    "rtol": {"type": "number", "minimum": 0},
                },
            }
            properties["compare"] = {"enum": ["close", "exact"]}
            properties["fail_on_warning"] = {"type": "string", "minLength": 1}
            required.append("cases")
        return {
            "type": "object",
            "required": required,
            "additionalProperties": False,
            "properties": properties,
        }

    def misconception_schema(self, common: Mapping[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {**common, "variant": {"type": "string"}}
        if self.match_schema is not None:
            properties["match"] = self.match_schema
        return {
            "type": "object",
            "required": ["id", "feedback"],
            "additionalProperties": False,
            "properties": properties,
        }

    def validate(self, check: Check, where: str, facts: CourseFacts) -> None:
        """Meaning the schema cannot express; raise RubricError naming `where` and the key."""
        if self.target_key == "function" and check.target not in facts.signatures.get(check.module, {}):
            raise rubric_error(
                f"{where}.function", f"solutions/{check.module}.py has no function {check.target!r}"
            )
        for index, case in enumerate(check.cases):
            self.validate_case(check, case, f"{where}.cases[{index}]", facts)

    def validate_case(self, check: Check, case: Mapping[str, Any], where: str, facts: CourseFacts) -> None:
        largest = self.largest_array(case)
        if largest > WIRE_VALUES:
            raise rubric_error(
                where, f"its arrays would hold {largest} values; the wire carries at most {WIRE_VALUES}"
            )

    def largest_array(self, case: Mapping[str, Any]) -> int:
        """The number of values in the largest array this case sends or expects back."""
        return 0

    def framework_configurations(self, case: Mapping[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
        """(table, configuration) pairs of framework figures this case needs."""
        return []

    # --- preparing: inputs and expected values (once per rubric) -------------------------------

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        raise NotImplementedError

    def expected(
        self, check: Check, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], ground: Ground
    ) -> Any:
        value = ground.references.function(check.module, function)(*args, **kwargs)
        if isinstance(value, Mapping):
            return {key: (np.asarray(v) if isinstance(v, np.ndarray) else v) for key, v in value.items()}
        return value

    def prepare(self, check: Check, ground: Ground, call_seconds: float) -> tuple[PreparedCase, ...]:
        prepared = []
        for index, spec in enumerate(check.cases):
            args, kwargs = self.build_inputs(check, spec, np.random.default_rng([check.seed, index]))
            if spec.get("as_list") and args and isinstance(args[0], np.ndarray):
                args = (args[0].tolist(), *args[1:])  # the contract says ArrayLike: a list must do
            function = self.called_function(check, spec)
            expected = self.expected(check, function, args, kwargs, ground)
            entry = plan_entry(f"{check.id}#{index}", check.module, function, args, kwargs, call_seconds)
            prepared.append(PreparedCase(str(spec["label"]), entry, function, args, kwargs, expected, spec))
        return tuple(prepared)

    def called_function(self, check: Check, spec: Mapping[str, Any]) -> str:
        return check.target

    # --- judging: from the student's values to an outcome --------------------------------------

    def evaluate(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> CheckOutcome:
        """The check's outcome. Diagnosis runs only when a case is wrong: a known mistake is named
        when it reproduces the student's values; when none does, findings localise the mistake."""
        outcomes = tuple(self.judge(check, case, got) for case, got in zip(cases, values, strict=True))
        diagnoses: tuple[Diagnosis, ...] = ()
        findings: tuple[FormulaFinding, ...] = ()
        if not all(outcome.passed for outcome in outcomes):
            diagnoses = self.diagnose(check, cases, values, outcomes, ground, probes)
            if not diagnoses:
                findings = self.findings(check, cases, values, ground, probes)
        return CheckOutcome(
            check_id=check.id,
            name=check.name,
            part=check.part,
            max_score=check.points,
            visibility=check.visibility,
            cases=outcomes,
            credit="all_or_nothing" if check.credit == "all_or_nothing" else "per_case",
            diagnoses=diagnoses,
            findings=findings,
            evidence=self.evidence(check, cases, values, outcomes, ground),
        )

    def judge(self, check: Check, case: PreparedCase, got: StudentValue) -> CaseOutcome:
        if not got.ok:
            return CaseOutcome(case.label, 0.0, failure=got.failure)
        warned = self.failing_warning(check, got)
        if warned:
            return CaseOutcome(case.label, 0.0, message=f"numpy warned: {warned}")
        mismatch = self.compare(check, got.value, case.expected)
        return CaseOutcome(case.label, 0.0, message=mismatch) if mismatch else CaseOutcome(case.label, 1.0)

    def compare(self, check: Check, got: Any, expected: Any, where: str = "result") -> str | None:
        atol, rtol = (
            (0.0, 0.0) if check.comparison == "exact" else (check.tolerance.atol, check.tolerance.rtol)
        )
        return compare(got, expected, atol, rtol, where)

    def failing_warning(self, check: Check, got: StudentValue) -> str | None:
        needle = (check.fail_on_warning or "").lower()
        return next((w for w in got.warnings if needle and needle in w.lower()), None)

    def diagnose(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> tuple[Diagnosis, ...]:
        """The rubric's known mistakes that reproduce the student's values; failing that, the
        single mistakes this kind can generate from the equations."""
        named = []
        for misconception in check.misconceptions:
            labels = self.reproduced(check, misconception, cases, values, outcomes, ground, probes)
            if labels:
                named.append(Diagnosis(misconception.id, misconception.feedback, labels))
        if not named:
            named = list(self.generated(check, cases, values, outcomes, ground))
        return tuple(named)

    def reproduced(
        self,
        check: Check,
        misconception: Misconception,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
        probes: Sequence[Probe],
    ) -> tuple[str, ...]:
        """The wrong cases a mistake shows on, or () unless it reproduces the student's value on
        EVERY case it applies to (a match on one case by coincidence is not a diagnosis)."""
        if misconception.match.get("warning"):
            needle = str(misconception.match["warning"]).lower()
            return tuple(
                case.label
                for case, got, outcome in zip(cases, values, outcomes, strict=True)
                if not outcome.passed and any(needle in w.lower() for w in got.warnings)
            )
        if misconception.variant is None:
            return ()
        shown = []
        for case, got, outcome in zip(cases, values, outcomes, strict=True):
            if not got.ok:
                continue
            outputs = self.variant_outputs(misconception.variant, case, ground)
            if not outputs:
                continue  # the mistake does not apply to this case
            agreeing = [o for o in outputs if self.agrees(check, got.value, o, case.expected)]
            if not agreeing:
                return ()
            if not outcome.passed and any(self.differs(check, o, case.expected) for o in agreeing):
                shown.append(case.label)
        if shown and self.reproduced_on_probes(check, misconception.variant, ground, probes):
            return tuple(shown)
        return ()

    def reproduced_on_probes(
        self, check: Check, variant: str, ground: Ground, probes: Sequence[Probe]
    ) -> bool:
        """Whether the mistake also gives what the student's function gave at every point of the
        diagnostic sweeps where it applies (a formula that agrees on the rubric's few cases by
        coincidence does not agree everywhere)."""
        for probe in probes:
            found = sweep_values(probe)
            sweep = probe.call
            made = functools.partial(variant_on_sweep, ground, variant, sweep)
            for key, outputs in sweep.derived(("variant", variant), made):
                if key not in found:
                    continue
                expected = sweep.expected[key]
                if outputs and not any(self.agrees(check, found[key], o, expected) for o in outputs):
                    return False
        return True

    def generated(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Diagnosis, ...]:
        """Single mistakes generated from the equations (kinds that have them override this)."""
        return ()

    def findings(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe],
    ) -> tuple[FormulaFinding, ...]:
        """Where an unnamed mistake lies, beyond each case's locus (kinds that sweep override this)."""
        return ()

    def diagnostic_calls(self, check: Check, ground: Ground, seconds: float) -> tuple[PreparedCase, ...]:
        """Calls run after every scored one, for diagnosis only (never for the score)."""
        return ()

    def variant_outputs(self, variant: str, case: PreparedCase, ground: Ground) -> tuple[Any, ...]:
        return case.derived(
            ("variant", variant), lambda: call_variant(ground, variant, case.function, case.args, case.kwargs)
        )

    def tolerances(self, check: Check) -> tuple[float, float]:
        if check.comparison == "exact":
            return 0.0, 0.0
        return check.tolerance.atol, check.tolerance.rtol

    def agrees(self, check: Check, got: Any, output: Any, expected: Any) -> bool:
        """The student's value is the mistake's output."""
        return matches(got, output, *self.tolerances(check))

    def differs(self, check: Check, output: Any, expected: Any) -> bool:
        """The mistake's output is not the right answer (on this case the mistake shows)."""
        return not matches(output, expected, *self.tolerances(check))

    def evidence(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Evidence, ...]:
        return ()


class KeywordCaseKind(CheckKind):
    """A kind whose case keys (but its label) are the keyword arguments of the call."""

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (), {key: value for key, value in case.items() if key != "label"}


def variant_on_sweep(ground: Ground, variant: str, sweep: PreparedCase) -> list[tuple[Any, tuple[Any, ...]]]:
    """A known mistake's outputs at every point of a diagnostic sweep, by the point's key."""
    return [
        (key, call_variant(ground, variant, sweep.function, (), point))
        for point, key in zip(sweep.spec["points"], sweep.spec["keys"], strict=True)
    ]
