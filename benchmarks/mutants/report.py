"""The benchmark's figures as text: counts, kill rates, false fails and every survivor with where
it is, what changed and an input on which it differs from the reference."""

from __future__ import annotations

from collections import Counter

from benchmarks.mutants.results import MutantResult, Run, rate


def _load(run: Run) -> str:
    parts = [f"{when} {values[0]:.2f}/{values[1]:.2f}/{values[2]:.2f}" for when, values in run.load.items()]
    return "load average (1/5/15 min): " + ", ".join(parts)


def render(run: Run) -> str:
    per_module = Counter(r.mutant.module for r in run.results)
    sampled = "" if len(run.results) == run.total_mutants else f" (a sample of {run.total_mutants})"
    lines = [
        f"mutants: {len(run.results)}{sampled}: "
        + ", ".join(f"{module} {count}" for module, count in per_module.items()),
        f"oracle ({run.cases} cases of the contract, no grader): {len(run.equivalent)} equivalent, "
        f"{len(run.real)} real",
        f"grader kill rate: {len(run.caught)}/{len(run.real)} = {rate(run.caught, run.real):.1f} % "
        "(caught: loses a point on an automatic check)",
        f"public tests' kill rate: {len(run.public_killed)}/{len(run.real)} = "
        f"{rate(run.public_killed, run.real):.1f} %",
    ]
    public_false = run.public_false_fails
    lines.append(
        f"  public tests on the {len(run.equivalent)} equivalent mutants: {len(public_false)} fail"
        + (": " + ", ".join(r.mutant.id for r in public_false) if public_false else "")
    )
    unfinished = [r for r in run.results if isinstance(r.public_killed, str)]
    if unfinished:
        lines.append(
            f"  public tests could not finish on {len(unfinished)}: "
            + ", ".join(f"{r.mutant.id} ({r.public_killed})" for r in unfinished)
        )
    false_fails, reference = run.false_fails, run.reference_grade
    marks = f"{reference.score:g}/{reference.max_score:g}" if reference else "no result"
    lines.append(
        f"false fails (points lost by the reference, {marks}, or by the {len(run.equivalent)} equivalent "
        f"mutants): {len(false_fails)}" + (": " + ", ".join(false_fails) if false_fails else "")
    )
    for result in run.results:
        if result.false_fail:
            lines += _describe(result, "  ")
    if run.reference_grade is not None and run.reference_grade.loses_points:
        lines.append(f"  reference loses points on {', '.join(run.reference_grade.lost)}")
    lines.append(f"survivors (real, not caught by the grader): {len(run.survivors)}")
    for result in run.survivors:
        lines += _describe(result, "  ")
    seconds = ", ".join(f"{phase} {value:.1f} s" for phase, value in run.seconds.items())
    lines.append(f"time ({run.jobs} jobs): {seconds}")
    lines.append(_load(run))
    return "\n".join(lines)


def _describe(result: MutantResult, indent: str) -> list[str]:
    mutant, verdict = result.mutant, result.verdict
    lines = [
        f"{indent}{mutant.id} {mutant.location} {mutant.operator}",
        f"{indent}    - {mutant.original}",
        f"{indent}    + {mutant.mutated}",
    ]
    if verdict.real:
        lines.append(
            f"{indent}    differs on {verdict.differing} of {verdict.checked} cases, e.g. {verdict.case}"
        )
        lines.append(f"{indent}      {verdict.detail}")
        if verdict.only_when:
            lines.append(f"{indent}    every differing case has: {'; '.join(verdict.only_when)}")
        public = result.public_killed
        public = "killed" if public is True else "passed" if public is False else public
        lines.append(f"{indent}    public tests: {public}")
    if result.grade is None:
        lines.append(f"{indent}    grader: no result")
    elif result.grade.lost:
        score = f"{result.grade.score:g}/{result.grade.max_score:g}"
        lines.append(f"{indent}    grader: {score}, lost on {', '.join(result.grade.lost)}")
    return lines
