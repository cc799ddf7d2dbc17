"""The oracle: a mutant is "real" when some case of the contract gives another outcome than the
reference, "equivalent" when none does. It runs the mutated module in a forked process (per-call
and per-mutant time limits, a memory limit) and never touches the grader."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType

from benchmarks.mutants.behaviour import Outcome, difference, run_case
from benchmarks.mutants.case import Case
from benchmarks.mutants.forked import Failed, run_forked
from benchmarks.mutants.generate import MODULES, Mutant

CALL_SECONDS = 5.0  # the reference needs milliseconds for any case


@dataclass(frozen=True)
class Verdict:
    real: bool
    function: str | None = None  # where it first differs: the function (or constant)...
    case: str | None = None  # ...and the input, as a label that says how to rebuild it
    detail: str | None = None  # how its outcome differs from the reference's
    differing: int = 0  # how many of the module's cases differ...
    checked: int = 0  # ...of how many
    only_when: tuple[str, ...] = ()  # the tags every differing case has (e.g. "h0 left out")


class CallTookTooLongError(Exception):
    pass


def load_module(name: str, source: str, filename: str) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = filename
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def reference_outcomes(solutions: Path, cases: Sequence[Case]) -> list[Outcome]:
    """The reference's outcome on every case; a case list the reference itself fails (raising
    where the contract says it returns, or the reverse) is a bug of this benchmark: AssertionError."""
    modules = {
        name: load_module(name, (solutions / f"{name}.py").read_text(encoding="utf-8"), f"{name}.py")
        for name in MODULES
    }
    outcomes = [run_case(modules[case.module], case) for case in cases]
    for case, outcome in zip(cases, outcomes, strict=True):
        if (outcome.raised is not None) != (case.argument is not None) or outcome.overflow:
            raise AssertionError(f"the reference on {case.label}: {outcome}")
        if outcome.raised is not None and not outcome.raised.is_value_error:
            raise AssertionError(f"the reference on {case.label} raised {outcome.raised}")
    return outcomes


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CallTookTooLongError(f"a call took longer than {CALL_SECONDS:g} s")


def judge(mutant: Mutant, cases: Sequence[Case], expected: Sequence[Outcome]) -> Verdict:
    """Run in a forked process: the mutant's module against the reference, case by case, stopping
    at the first difference."""
    try:
        module = load_module(mutant.module, mutant.source, f"{mutant.module}.py")
    except Exception as error:
        return Verdict(True, None, "importing the module", f"{type(error).__name__}: {error}")
    signal.signal(signal.SIGALRM, _alarm)
    first: tuple[str, str, str] | None = None
    common: frozenset[str] | None = None
    differing = checked = 0
    for case, reference in zip(cases, expected, strict=True):
        if case.module != mutant.module:
            continue
        signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        try:
            outcome = run_case(module, case)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        found = difference(case, reference, outcome)
        checked += 1
        if found:
            differing += 1
            first = first or (case.name, case.label, found)
            common = case.tags if common is None else common & case.tags
    if first is None:
        return Verdict(False, differing=0, checked=checked)
    return Verdict(True, *first, differing, checked, tuple(sorted(common or ())))


def classify(
    mutants: Sequence[Mutant],
    cases: Sequence[Case],
    expected: Sequence[Outcome],
    *,
    jobs: int,
    seconds: float,
) -> list[Verdict]:
    """A verdict per mutant; one whose process hangs or dies is real (the reference does neither)."""

    def work(mutant: Mutant) -> Verdict:
        return judge(mutant, cases, expected)

    verdicts = run_forked(work, mutants, jobs=jobs, seconds=seconds)
    return [
        Verdict(True, None, "(the whole run of cases)", v.reason) if isinstance(v, Failed) else v
        for v in verdicts
    ]
