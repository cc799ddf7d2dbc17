"""What every check kind is: one object that owns its case schema, its input builder, its
expected value, its verdict, its diagnosis and its evidence.

A kind is stateless; everything it needs arrives as arguments: the rubric's `Check`, the course's
`Ground` (reference modules, framework figures, known wrong variants) and, when judging, the
student's values as plain data. Nothing here runs student code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from autograder.diagnosis.variants import Variant, evaluate_variant
from autograder.frameworks.figures import FrameworkFigures
from autograder.grading.reference import References
from autograder.kinds.compare import compare, matches
from autograder.probe import wire_format
from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Diagnosis,
    Evidence,
    Failure,
)
from autograder.rubric.model import Check, RubricError

# The largest array the wire carries, in float64 values: a case whose inputs or expected output
# would exceed it is a rubric mistake, not a student's.
WIRE_VALUES = wire_format.MAX_ARRAY_BYTES // 8
SIZE = {"type": "integer", "minimum": 1, "maximum": WIRE_VALUES}
LABEL = {"type": "string", "minLength": 1}
DTYPE = {"enum": ["float64", "float32"]}


@dataclass(frozen=True)
class Ground:
    """Where expected values come from: the reference, the framework figures, the known mistakes."""

    references: References
    figures: FrameworkFigures
    variants: Mapping[str, Variant]


@dataclass(frozen=True)
class Signature:
    parameters: tuple[str, ...]
    required: tuple[str, ...]  # those without a default


@dataclass(frozen=True)
class CourseFacts:
    """What the rubric is validated against: the solutions' public signatures (read without running
    them), the recorded framework figures (None when they are computed live), the known variants."""

    signatures: Mapping[str, Mapping[str, Signature]]  # module -> function -> its parameters
    constants: Mapping[str, Mapping[str, Any]]  # module -> literal constant -> its value
    figures: FrameworkFigures | None
    variants: Mapping[str, Variant]


@dataclass(frozen=True)
class PreparedCase:
    """One case, ready: the probe's plan entry (wire-encoded inputs) and the expected value."""

    label: str
    call: dict[str, Any]
    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    expected: Any
    spec: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudentValue:
    """What one call gave back: a decoded value, or a typed failure."""

    value: Any = None
    failure: Failure | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failure is None


def plan_entry(
    call_id: str, module: str, name: str, args: Any, kwargs: Any, seconds: float
) -> dict[str, Any]:
    """A call for the probe: a function with wire-encoded arguments, or (args None) an attribute."""
    entry: dict[str, Any] = {
        "id": call_id,
        "module": module,
        "name": name,
        "timeout": seconds,
        "args": None,
        "kwargs": None,
    }
    if args is not None:
        entry["args"] = wire_format.encode(list(args))
        entry["kwargs"] = wire_format.encode(dict(kwargs))
    return entry


def rubric_error(where: str, message: str) -> RubricError:
    return RubricError(f"{where}: {message}")


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
            function = self.called_function(check, spec)
            expected = self.expected(check, function, args, kwargs, ground)
            entry = plan_entry(f"{check.id}#{index}", check.module, function, args, kwargs, call_seconds)
            prepared.append(PreparedCase(str(spec["label"]), entry, function, args, kwargs, expected, spec))
        return tuple(prepared)

    def called_function(self, check: Check, spec: Mapping[str, Any]) -> str:
        return check.target

    # --- judging: from the student's values to an outcome --------------------------------------

    def evaluate(
        self, check: Check, cases: Sequence[PreparedCase], values: Sequence[StudentValue], ground: Ground
    ) -> CheckOutcome:
        outcomes = tuple(self.judge(check, case, got) for case, got in zip(cases, values, strict=True))
        return CheckOutcome(
            check_id=check.id,
            name=check.name,
            part=check.part,
            max_score=check.points,
            visibility=check.visibility,
            cases=outcomes,
            credit="all_or_nothing" if check.credit == "all_or_nothing" else "per_case",
            diagnoses=self.diagnose(check, cases, values, outcomes, ground),
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
    ) -> tuple[Diagnosis, ...]:
        """Each known mistake whose output is the student's on a case the student got wrong."""
        found: dict[str, list[str]] = {}
        feedback: dict[str, str] = {}
        for case, got, outcome in zip(cases, values, outcomes, strict=True):
            if outcome.passed or not got.ok:
                continue
            for misconception in check.misconceptions:
                if self.shows(check, misconception.variant, misconception.match, case, got, ground):
                    found.setdefault(misconception.id, []).append(case.label)
                    feedback.setdefault(misconception.id, misconception.feedback)
        return tuple(Diagnosis(m, feedback[m], tuple(labels)) for m, labels in found.items())

    def shows(
        self,
        check: Check,
        variant: str | None,
        match: Mapping[str, Any],
        case: PreparedCase,
        got: StudentValue,
        ground: Ground,
    ) -> bool:
        """Whether the student's value on this case is what the mistake gives."""
        if match.get("warning"):
            return any(str(match["warning"]).lower() in w.lower() for w in got.warnings)
        if variant is None:
            return False
        for output in self.variant_outputs(variant, case, ground):
            if self.same_as_variant(check, got.value, output, case.expected):
                return True
        return False

    def variant_outputs(self, variant: str, case: PreparedCase, ground: Ground) -> tuple[Any, ...]:
        try:
            return tuple(
                evaluate_variant(
                    ground.variants[variant], case.function, ground.references, case.args, case.kwargs
                )
            )
        except Exception:  # a variant that does not apply to these inputs shows nothing
            return ()

    def same_as_variant(self, check: Check, got: Any, output: Any, expected: Any) -> bool:
        atol, rtol = (
            (0.0, 0.0) if check.comparison == "exact" else (check.tolerance.atol, check.tolerance.rtol)
        )
        return matches(got, output, atol, rtol) and not matches(output, expected, atol, rtol)

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


def first_wrong_index(outcomes: Sequence[CaseOutcome]) -> int:
    """The case to show as evidence: the first one the student got wrong, else the first."""
    return next((index for index, outcome in enumerate(outcomes) if not outcome.passed), 0)


def gate_params(
    rng: np.random.Generator, input_size: int, hidden_size: int, dtype: str
) -> dict[str, np.ndarray]:
    """The eight arrays of `params`, seeded."""
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(0.0, 0.5, (hidden_size, hidden_size + input_size)).astype(dtype)
        params[f"b_{gate}"] = rng.normal(0.0, 0.5, hidden_size).astype(dtype)
    return params
