"""Grade one submission: every check's cases run in one probe, then each kind judges its check.

`load_grader` does the work that is the same for every submission once (rubric, references,
framework figures, inputs and expected values); `grade_submission` is then the probe plus
arithmetic. `grader_failure_result` is the one shape of "the grader itself failed", used by
`grade`, `batch`, Gradescope and the CLI alike.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograder.course import Course, declared_modules, read_solution_facts
from autograder.diagnosis.variants import VARIANTS, Variant
from autograder.frameworks.figures import Configurations, FrameworkFigures, compute_live, load_recorded
from autograder.grading.reference import load_references
from autograder.grading.student_values import student_value, unusable
from autograder.kinds import KINDS
from autograder.kinds.base import CourseFacts, Ground, PreparedCase, Probe, StudentValue
from autograder.results.model import CheckOutcome, Failure, FailureKind, GraderError, SubmissionResult
from autograder.results.untrusted import untrusted_text
from autograder.rubric.load import load_rubric
from autograder.rubric.model import Check, Rubric, RubricError
from autograder.rubric.source import read_rubric_data
from autograder.sandbox import Limits, ProbeRun, SandboxError, WarmSandbox, probe_submission


class SubmissionError(ValueError):
    """A submission path the grader cannot use at all (not a folder, missing)."""


@dataclass(frozen=True)
class Grader:
    """Everything that stays the same from one submission to the next: load it once."""

    course: Course
    rubric: Rubric
    ground: Ground
    prepared: tuple[tuple[Check, tuple[PreparedCase, ...]], ...]
    diagnostics: Mapping[str, tuple[PreparedCase, ...]]  # check id -> its diagnostic sweeps

    @property
    def limits(self) -> Limits:
        limits = self.rubric.time_limits
        return Limits(
            quiet_seconds=limits.quiet_seconds,
            startup_seconds=limits.startup_seconds,
            submission_seconds=limits.submission_seconds,
        )

    @property
    def plan(self) -> list[dict[str, Any]]:
        """Every scored call. The diagnostic sweeps run in a second probe, only for the checks a
        submission got wrong (`sweep_plan`), so they can cost no scored call anything."""
        return [case.call for _, cases in self.prepared for case in cases]

    def sweep_plan(self, outcomes: tuple[CheckOutcome, ...]) -> list[dict[str, Any]]:
        wrong = {o.check_id for o in outcomes if o.status == "failed" and o.not_graded is None}
        calls = {
            p.call["id"]: p.call for check_id in sorted(wrong) for p in self.diagnostics.get(check_id, ())
        }
        return list(calls.values())  # one sweep per function, whichever checks share it


def framework_configurations(rubric: Rubric) -> Configurations:
    """Every framework figure the rubric's cases need, by table."""
    needed: Configurations = {}
    for check in rubric.checks:
        for case in check.cases:
            for table, configuration in KINDS[check.kind].framework_configurations(case):
                needed.setdefault(table, set()).add(configuration)
    return needed


def recorded_figures(course: Course) -> FrameworkFigures:
    try:
        return load_recorded(course.figures_path)
    except ValueError as error:
        raise RubricError(str(error)) from None


def load_course_rubric(
    course: Course, figures: FrameworkFigures | None, variants: Mapping[str, Variant] = VARIANTS
) -> Rubric:
    """The course's rubric, validated against its solutions' contract, the framework figures
    (None: computed live, so not checked here) and the known variants; nothing is run."""
    modules = declared_modules(read_rubric_data(course.rubric_path))
    signatures, constants = read_solution_facts(course.solutions, modules)
    return load_rubric(course.rubric_path, CourseFacts(signatures, constants, figures, variants))


def load_grader(
    course: Course, *, live_frameworks: bool = False, variants: Mapping[str, Variant] = VARIANTS
) -> Grader:
    """The course's grader; RubricError (one line) for anything wrong with the rubric or what it needs."""
    figures = None if live_frameworks else recorded_figures(course)
    rubric = load_course_rubric(course, figures, variants)
    references = load_references(course.solutions, rubric.modules)
    if figures is None:
        figures = _live_figures(rubric, references.budget.weight_shapes)
    ground = Ground(references, figures, variants)
    seconds = rubric.time_limits.call_seconds
    prepared, diagnostics = [], {}
    for check in rubric.checks:
        try:
            prepared.append((check, KINDS[check.kind].prepare(check, ground, seconds)))
            diagnostics[check.id] = KINDS[check.kind].diagnostic_calls(check, ground, seconds)
        except Exception as error:  # the reference or a framework fails on a case the rubric gave
            raise RubricError(
                f"{course.rubric_path}: {check.where}: the reference cannot compute this check "
                f"({type(error).__name__}: {error})"
            ) from None
    return Grader(course, rubric, ground, tuple(prepared), diagnostics)


def _live_figures(rubric: Rubric, weight_shapes: Any) -> FrameworkFigures:
    return compute_live(framework_configurations(rubric), weight_shapes)


def check_submission_path(path: Path) -> None:
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    if path.suffix == ".ipynb" and not path.is_dir():
        if not path.is_file():
            raise SubmissionError(f"{path}: a notebook's name on something that is not a regular file")
        return
    if not path.is_dir():
        raise SubmissionError(f"{path}: expected a folder holding the exercise modules, or a .ipynb")


def grade_submission(
    path: Path,
    grader: Grader,
    *,
    sandbox: bool | None = None,
    limits: Limits | None = None,
    warm: WarmSandbox | None = None,
) -> SubmissionResult:
    """Every check's outcome for the submission at `path` (a folder of modules, or a notebook)."""
    check_submission_path(path)
    if path.is_file():
        from autograder.platforms.notebook_submissions import submission_from_notebook

        with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
            try:
                parts = [(part.id, part.module) for part in grader.rubric.parts]
                contract = {part.module: part.names for part in grader.rubric.parts}
                converted = submission_from_notebook(path, Path(folder) / path.stem, parts, contract)
            except (ValueError, UnicodeDecodeError) as error:
                raise SubmissionError(f"{path}: not a readable notebook: {error}") from None
            return grade_submission(converted, grader, sandbox=sandbox, limits=limits, warm=warm)
    started = time.perf_counter()
    modules = grader.rubric.modules

    def run(plan: list[dict[str, Any]]) -> ProbeRun:
        if warm is not None:
            return warm.probe(path, plan, modules)
        return probe_submission(path, plan, modules, limits=limits or grader.limits, sandbox=sandbox)

    probe = run(grader.plan)
    decoded: dict[str, StudentValue] = {}  # each call's value decoded once, whichever judging reads it
    outcomes = judge(grader, probe, decoded=decoded)
    sweeps = grader.sweep_plan(outcomes)
    if sweeps:  # diagnosis only for wrong answers: the student's formula, from a second probe
        swept = run(sweeps)
        probe = replace(probe, outcomes={**probe.outcomes, **swept.outcomes})
        swept_ids = {c["id"] for c in sweeps}
        again = {
            cid for cid, found in grader.diagnostics.items() if any(p.call["id"] in swept_ids for p in found)
        }
        redone = {o.check_id: o for o in judge(grader, probe, only=again, decoded=decoded)}
        outcomes = tuple(redone.get(o.check_id, o) for o in outcomes)
    notes = [f"framework figures: {grader.ground.figures.source}"]
    missing = [name for name in modules if not (path / f"{name}.py").is_file() and name not in probe.unusable]
    if missing:
        notes.append("missing files: " + ", ".join(f"{name}.py" for name in missing))
    notes.extend(f"{module}.py was not used: {reason}" for module, reason in probe.unusable.items())
    notes.extend(probe.notes)
    if probe.restarts:
        notes.append(f"the probe was restarted {probe.restarts} time(s) after a crash or a hang")
    return SubmissionResult(
        submission=untrusted_text(path.name, 200),
        outcomes=outcomes,
        isolation=probe.isolation,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def judge(
    grader: Grader,
    probe: ProbeRun,
    only: set[str] | None = None,
    decoded: dict[str, StudentValue] | None = None,
) -> tuple[CheckOutcome, ...]:
    """Each check's outcome (or those named in `only`) from the probe's raw outcomes (no student
    code runs here). `decoded`: the values decoded so far, by call id (filled in as they are)."""
    seconds = grader.rubric.time_limits.call_seconds
    known = {} if decoded is None else decoded

    def value_of(call_id: str) -> StudentValue:
        if call_id not in known:
            known[call_id] = student_value(probe.outcomes.get(call_id), seconds)
        return known[call_id]

    outcomes = []
    for check, cases in grader.prepared:
        if only is not None and check.id not in only:
            continue
        if check.module in probe.unusable:
            reason = f"{check.module}.py was not used: {probe.unusable[check.module]}"
            values = [unusable(reason) for _ in cases]
        else:
            values = [value_of(case.call["id"]) for case in cases]
        probes = [
            Probe(sweep, value_of(sweep.call["id"]))
            for sweep in grader.diagnostics.get(check.id, ())
            if check.module not in probe.unusable and sweep.call["id"] in probe.outcomes
        ]
        outcomes.append(KINDS[check.kind].evaluate(check, cases, values, grader.ground, probes))
    return tuple(outcomes)


def grader_failure_result(
    submission: str, rubric: Rubric | None, error: BaseException | str
) -> SubmissionResult:
    """A valid zero-score result saying the grader, not the student, failed; the traceback is kept
    for the instructor (renderings for students leave it out)."""
    if isinstance(error, BaseException):
        message = f"{type(error).__name__}: {error}"
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    else:
        message, trace = error, ""
    outcomes = _not_graded(rubric, Failure(FailureKind.GRADER_ERROR, message))
    return SubmissionResult(
        submission, outcomes, isolation="not run", grader_error=GraderError(message, trace)
    )


def unusable_submission_result(submission: str, rubric: Rubric | None, reason: str) -> SubmissionResult:
    """A zero-score result for a submission that could not be used at all (an unreadable notebook,
    say): the student's own result, with the reason, not a grader error."""
    return SubmissionResult(
        submission, _not_graded(rubric, Failure(FailureKind.UNUSABLE_FILE, reason)), "not run"
    )


def _not_graded(rubric: Rubric | None, failure: Failure) -> tuple[CheckOutcome, ...]:
    return tuple(
        CheckOutcome(c.id, c.name, c.part, c.points, c.visibility, manual=c.manual, not_graded=failure)
        for c in (rubric.checks if rubric is not None else ())
    )


def grade_or_fail(
    path: Path, grader: Grader, *, sandbox: bool | None = None, warm: WarmSandbox | None = None
) -> SubmissionResult:
    """`grade_submission`, with any failure of the grader itself turned into its result.
    (A SubmissionError or SandboxError is the caller's to report: the path is not a submission, or
    the grading machine cannot run a sandbox.)"""
    try:
        return grade_submission(path, grader, sandbox=sandbox, warm=warm)
    except (SubmissionError, SandboxError):
        raise
    except Exception as error:  # a grader fault: the student still gets a result, with the reason
        return grader_failure_result(path.stem if path.is_file() else path.name, grader.rubric, error)
