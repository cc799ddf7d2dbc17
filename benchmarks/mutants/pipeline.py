"""One run of the benchmark, step by step: the oracle on every mutant, the grader on the reference
and on every mutant, the public tests on every mutant; timed, with the machine's load."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.mutants.cases import all_cases
from benchmarks.mutants.generate import Mutant
from benchmarks.mutants.grading import grade_all, write_submission
from benchmarks.mutants.oracle import classify, reference_outcomes
from benchmarks.mutants.public_tests import PublicRun, public_kills, reference_passes
from benchmarks.mutants.results import MutantResult, Run

MUTANT_SECONDS = 120.0  # per mutant, all its oracle cases (the reference needs well under 1 s)
PUBLIC_SECONDS = 120.0  # per mutant, one public test file (the reference needs about 1 s)
REFERENCE = "reference"


def measure(root: Path, mutants: Sequence[Mutant], total: int, scratch: Path, *, jobs: int) -> Run:
    """Classify, grade and test `mutants` (of `total` in all) of the course at `root`."""
    load = {"start": os.getloadavg()}
    seconds: dict[str, float] = {}
    solutions, tests = root / "solutions", root / "tests" / "public"

    start = time.perf_counter()
    cases = all_cases()
    expected = reference_outcomes(solutions, cases)
    verdicts = classify(mutants, cases, expected, jobs=jobs, seconds=MUTANT_SECONDS)
    seconds["oracle"] = time.perf_counter() - start

    start = time.perf_counter()
    submissions = scratch / "class"
    write_submission(submissions / REFERENCE, solutions)
    for mutant in mutants:
        write_submission(submissions / mutant.id, solutions, mutant.module, mutant.source)
    grades = grade_all(root, submissions, scratch / "grading", jobs=jobs)
    seconds["grader"] = time.perf_counter() - start

    start = time.perf_counter()
    if not reference_passes(submissions / REFERENCE, tests, seconds=PUBLIC_SECONDS):
        raise RuntimeError("the public tests fail on the reference: their kill rate would mean nothing")
    runs = [PublicRun(submissions / m.id, m.module) for m in mutants]
    kills = public_kills(runs, tests, jobs=jobs, seconds=PUBLIC_SECONDS)
    public = {m.id: kill for m, kill in zip(mutants, kills, strict=True)}
    seconds["public tests"] = time.perf_counter() - start
    load["end"] = os.getloadavg()

    results = tuple(
        MutantResult(m, v, grades.get(m.id), public.get(m.id)) for m, v in zip(mutants, verdicts, strict=True)
    )
    return Run(
        results=results,
        reference_grade=grades.get(REFERENCE),
        total_mutants=total,
        cases=len(cases),
        jobs=jobs,
        seconds={**seconds, "total": sum(seconds.values())},
        load=load,
    )
