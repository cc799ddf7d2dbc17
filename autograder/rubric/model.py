"""The rubric as data: parts (the exercise contract), checks, their cases and known mistakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Comparison = Literal["close", "exact"]
Credit = Literal["all_or_nothing", "per_case", "per_key"]


class RubricError(ValueError):
    """A rubric that cannot be used; the message is one line naming file, key path and expectation."""


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float


@dataclass(frozen=True)
class TimeLimits:
    call_seconds: float  # one call of a student function
    quiet_seconds: float  # the watchdog: longest silence between two outcomes of a probe
    startup_seconds: float  # a probe's start, before its first outcome
    submission_seconds: float  # no fresh probe starts for a submission past this much time


@dataclass(frozen=True)
class Misconception:
    id: str
    feedback: str
    variant: str | None
    match: Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    part: str
    module: str
    kind: str
    points: float
    visibility: str
    target: str  # the function called (or the attribute read) in `module`
    seed: int
    tolerance: Tolerance
    comparison: Comparison
    credit: Credit
    fail_on_warning: str | None  # a case fails when a warning containing this text was raised
    cases: tuple[Mapping[str, Any], ...]
    misconceptions: tuple[Misconception, ...]
    options: Mapping[str, Any]  # the kind's own keys (a concept check's questions, a manual item's hints)
    where: str = ""  # its key path in the rubric file, for messages
    manual: bool = False  # graded by hand (its kind says so); counts once a grade is entered


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    module: str
    names: tuple[str, ...]  # the public names the student writes: the exercise contract


@dataclass(frozen=True)
class Rubric:
    path: Path
    assignment: str
    parts: tuple[Part, ...]
    checks: tuple[Check, ...]
    tolerance: Tolerance
    time_limits: TimeLimits

    @property
    def total_points(self) -> float:
        return sum(check.points for check in self.checks if not check.manual)

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(part.module for part in self.parts)

    @property
    def contract(self) -> dict[str, tuple[str, ...]]:
        """Module -> the public names the student writes in it."""
        return {part.module: part.names for part in self.parts}
