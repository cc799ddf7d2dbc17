"""Grade one submission: prepare every check's cases, run them all in one probe, judge them."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import checks, layout
from autograder.framework_figures import FrameworkFigures, compute_live, load_recorded
from autograder.notebooks import submission_from_notebook
from autograder.reference import load_reference
from autograder.results import CheckOutcome, SubmissionResult
from autograder.rubric import Check, Rubric, load_rubric
from autograder.sandbox import Limits, WarmSandbox, probe_submission
from autograder.variants import References


class SubmissionError(ValueError):
    """A submission path the grader cannot use at all (not a folder, missing)."""


@dataclass(frozen=True)
class Grader:
    """Everything that stays the same from one submission to the next: load it once."""

    rubric: Rubric
    references: References
    figures: FrameworkFigures
    prepared: tuple[tuple[Check, tuple[checks.Case, ...]], ...]


def load_grader(rubric_path: Path | None = None, *, live_frameworks: bool = False) -> Grader:
    rubric = load_rubric(rubric_path or layout.project_root() / "rubric.yaml")
    references = References(
        load_reference("lstm_gates"), load_reference("lstm_gradients"), load_reference("lstm_budget")
    )
    figures = compute_live(rubric) if live_frameworks else load_recorded()
    prepared = tuple((check, tuple(checks.prepare(check, references, figures))) for check in rubric.checks)
    return Grader(rubric, references, figures, prepared)


def check_submission_path(path: Path) -> None:
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix == ".ipynb":
        return
    if not path.is_dir():
        raise SubmissionError(
            f"{path}: expected a folder holding lstm_gates.py, lstm_gradients.py, lstm_budget.py, or a .ipynb"
        )


def grade_submission(
    path: Path,
    grader: Grader,
    *,
    sandbox: bool | None = None,
    limits: Limits | None = None,
    warm: WarmSandbox | None = None,
) -> SubmissionResult:
    """Every check's outcome for the submission folder at `path`."""
    check_submission_path(path)
    if path.is_file():
        with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
            try:
                converted = submission_from_notebook(path, Path(folder) / path.stem)
            except (ValueError, UnicodeDecodeError) as error:
                raise SubmissionError(f"{path}: not a readable notebook: {error}") from None
            return grade_submission(converted, grader, sandbox=sandbox, limits=limits, warm=warm)
    started = time.perf_counter()
    plan = [case.call for _, cases in grader.prepared for case in cases]
    if warm is not None:
        probe = warm.probe(path, plan)
    else:
        probe = probe_submission(path, plan, limits=limits, sandbox=sandbox)
    outcomes: list[CheckOutcome] = [
        checks.evaluate(check, cases, probe.outcomes, grader.references) for check, cases in grader.prepared
    ]
    notes = [f"framework figures: {grader.figures.source}"]
    missing = [name for name in layout.EXERCISE_MODULES if not (path / f"{name}.py").is_file()]
    if missing:
        notes.append("missing files: " + ", ".join(f"{name}.py" for name in missing))
    notes.extend(probe.notes)
    if probe.restarts:
        notes.append(f"the probe was restarted {probe.restarts} time(s) after a crash or a hang")
    return SubmissionResult(
        submission=path.name,
        outcomes=tuple(outcomes),
        isolation=probe.isolation,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )
