"""What a check's cases are once prepared, and what comes back for them: the course's ground
truth, a prepared case with its probe plan entry, a student's value, a diagnostic sweep. Plain
data and the functions that build plan entries; nothing here runs student code."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from autograder.diagnosis.variants import Variant, evaluate_variant
from autograder.frameworks.figures import FrameworkFigures
from autograder.grading.reference import References
from autograder.probe import wire_format
from autograder.results.model import CaseOutcome, Failure
from autograder.rubric.model import Check, RubricError

T = TypeVar("T")


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
    # What diagnosis derives from this case alone (a known mistake's outputs, the generated
    # candidates): the same for every submission, so worked out once per grader (see `derived`).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Any, make: Callable[[], T]) -> T:
        """`make()`, worked out on this case's first use and kept with the case. Two threads
        may both make it: they make the same value, and one of them is kept."""
        if key not in self.memo:
            self.memo[key] = make()
        found: T = self.memo[key]
        return found


@dataclass(frozen=True)
class StudentValue:
    """What one call gave back: a decoded value, or a typed failure."""

    value: Any = None
    failure: Failure | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class Probe:
    """A diagnostic call (a sweep) and what came back from it."""

    call: PreparedCase
    value: StudentValue


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


def sweep_entry(
    call_id: str, module: str, name: str, points: Sequence[Mapping[str, Any]], seconds: float
) -> dict[str, Any]:
    """A diagnostic call for the probe: `name` at every keyword-argument dict of `points`."""
    entry = plan_entry(call_id, module, name, None, None, seconds)
    entry["sweep"] = wire_format.encode([dict(point) for point in points])
    return entry


def call_variant(
    ground: Ground, variant: str, function: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[Any, ...]:
    """Every output of a known mistake for this call (empty: it does not apply to these inputs)."""
    try:
        return tuple(evaluate_variant(ground.variants[variant], function, ground.references, args, kwargs))
    except Exception:  # a variant that does not apply to these inputs shows nothing
        return ()


def sweep_case(
    check: Check,
    function: str,
    points: Sequence[Mapping[str, Any]],
    keys: Sequence[Any],
    reference: Mapping[Any, Any],
    seconds: float,
) -> PreparedCase:
    """A diagnostic sweep of `function` over `points`; `keys` name the points, `reference` holds
    the reference's value at each key."""
    entry = sweep_entry(f"sweep:{check.module}.{function}", check.module, function, points, seconds)
    return PreparedCase(
        "sweep", entry, function, (), {}, dict(reference), {"points": list(points), "keys": list(keys)}
    )


def sweep_values(probe: Probe) -> dict[Any, Any]:
    """The student's value at each point of a sweep, by key (a point that raised is left out)."""
    results = probe.value.value if probe.value.ok else None
    keys = probe.call.spec["keys"]
    if not isinstance(results, list) or len(results) != len(keys):
        return {}
    return {
        key: result[1]
        for key, result in zip(keys, results, strict=True)
        if isinstance(result, list) and len(result) == 2 and result[0] == "ok"
    }


def rubric_error(where: str, message: str) -> RubricError:
    return RubricError(f"{where}: {message}")


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
