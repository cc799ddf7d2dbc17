"""The benchmark's results as data: one record per mutant (oracle verdict, grade, public tests),
the summary figures computed from them, and their JSON form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.mutants.generate import Mutant
from benchmarks.mutants.grading import Grade
from benchmarks.mutants.oracle import Verdict


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    verdict: Verdict
    grade: Grade | None  # None: the grader gave no result for it
    public_killed: bool | str | None = None  # a string: the public tests could not finish

    @property
    def caught(self) -> bool:
        return self.grade is not None and self.grade.loses_points

    @property
    def survivor(self) -> bool:
        return self.verdict.real and not self.caught

    @property
    def false_fail(self) -> bool:
        return not self.verdict.real and self.caught


@dataclass(frozen=True)
class Run:
    """Everything one run measured."""

    results: tuple[MutantResult, ...]
    reference_grade: Grade | None
    total_mutants: int  # before sampling
    cases: int  # the oracle's cases
    jobs: int
    seconds: dict[str, float] = field(default_factory=dict)  # per phase
    load: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # os.getloadavg()

    @property
    def real(self) -> list[MutantResult]:
        return [r for r in self.results if r.verdict.real]

    @property
    def equivalent(self) -> list[MutantResult]:
        return [r for r in self.results if not r.verdict.real]

    @property
    def caught(self) -> list[MutantResult]:
        return [r for r in self.real if r.caught]

    @property
    def public_killed(self) -> list[MutantResult]:
        return [r for r in self.real if r.public_killed is True]

    @property
    def public_false_fails(self) -> list[MutantResult]:
        """Equivalent mutants the public tests fail."""
        return [r for r in self.equivalent if r.public_killed is True]

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.survivor]

    @property
    def false_fails(self) -> list[str]:
        """The reference (if it loses points) and every equivalent mutant that does."""
        found = [r.mutant.id for r in self.results if r.false_fail]
        if self.reference_grade is None or self.reference_grade.loses_points:
            found.insert(0, "reference")
        return found


def rate(part: Sequence[object], whole: Sequence[object]) -> float:
    return 100.0 * len(part) / len(whole) if whole else 100.0


def summary(run: Run) -> dict[str, Any]:
    return {
        "mutants": len(run.results),
        "mutants_before_sampling": run.total_mutants,
        "oracle_cases": run.cases,
        "equivalent": len(run.equivalent),
        "real": len(run.real),
        "caught_by_grader": len(run.caught),
        "grader_kill_rate": rate(run.caught, run.real),
        "killed_by_public_tests": len(run.public_killed),
        "public_tests_kill_rate": rate(run.public_killed, run.real),
        "public_tests_false_fails": [r.mutant.id for r in run.public_false_fails],
        "false_fails": run.false_fails,
        "survivors": [r.mutant.id for r in run.survivors],
        "jobs": run.jobs,
        "seconds": run.seconds,
        "load_average": run.load,
    }


def to_json(run: Run) -> dict[str, Any]:
    def record(result: MutantResult) -> dict[str, Any]:
        mutant = {k: v for k, v in asdict(result.mutant).items() if k != "source"}
        return {
            **mutant,
            "location": result.mutant.location,
            "real": result.verdict.real,
            "oracle": asdict(result.verdict),
            "grade": asdict(result.grade) if result.grade else None,
            "caught": result.caught,
            "false_fail": result.false_fail,
            "public_killed": result.public_killed,
        }

    return {
        "summary": summary(run),
        "reference_grade": asdict(run.reference_grade) if run.reference_grade else None,
        "mutants": [record(r) for r in run.results],
    }
