"""Where a submission's time goes: the batch's steps replayed one by one, each timed, beside the floor.

`stage_times` grades a sample of the benchmark's submissions the way a batch worker and the batch
do (one warm sandbox, the same functions), timing each step in processor seconds: the grader's own
steps by this thread's clock, the sandbox's by the warm runner's own count (the child's processor
time from the kernel, and the runner's). `floor.py` times the same submissions' student calls alone
in one warm process; the difference between the sandbox child and that work alone is the price of
the sandbox (fork, limits, dropping privileges, the stray-process check after each call, exit).
A wrong part (c) answer has a second child, its diagnostic sweep: counted on a line of its own
(all of it: the floor holds only the scored calls).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from floor import floor_seconds

from autograder.classroom import gradebook
from autograder.classroom.class_view import write_class_report
from autograder.classroom.commands import export_all
from autograder.course import open_course
from autograder.grading.grader import Grader, grade_submission, load_grader
from autograder.grading.student_values import student_value
from autograder.reports.gradescope import to_gradescope
from autograder.reports.html import render_html
from autograder.reports.markdown import render_markdown
from autograder.results.model import SubmissionResult
from autograder.sandbox import ProbeRun, WarmSandbox

# (label, key) in the order a submission meets them; the keys are those `stage_times` fills
STAGES = (
    ("staging: the modules copied where the sandbox reads them", "staging"),
    ("sandbox: fork, limits, privileges, stray checks, exit, cleanup", "sandbox"),
    ("diagnostic sweeps of wrong part (c) answers: their child, all in", "sweep"),
    ("control: request sent, outcomes read back (grader side)", "control"),
    ("import of the student's modules (alone)", "import"),
    ("the student's calls (alone)", "calls"),
    ("wire in the probe: inputs copied, results encoded (alone)", "wire_probe"),
    ("wire in the grader: outcomes decoded and bounded", "wire_grader"),
    ("checks and diagnosis", "checks"),
    ("result to the batch: gradebook row made, read", "row"),
    ("gradebook write (one transaction)", "gradebook"),
    ("rendering: results.json", "json"),
    ("rendering: Markdown", "markdown"),
    ("rendering: HTML", "html"),
    ("export: read back, feedback files written, CSV", "export"),
    ("report: the class report (Markdown, HTML)", "report"),
)


def cpu(action: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """What `action` returns, and the processor seconds this thread spent in it."""
    started = time.thread_time()
    value = action(*args, **kwargs)
    return value, time.thread_time() - started


class Recording:
    """Stands in for the warm sandbox: each probe (the scored calls, then any diagnostic sweep) runs
    in the real one and is kept, with its times, to be replayed."""

    def __init__(self, warm: WarmSandbox) -> None:
        self.warm = warm
        self.runs: list[ProbeRun] = []

    def probe(self, submission: Path, calls: Sequence[Any], modules: Sequence[str]) -> ProbeRun:
        run = self.warm.probe(submission, calls, modules)
        self.runs.append(run)
        return run


class Replayed:
    """Stands in for the warm sandbox once the probes have run: grading again costs only the
    judging (the recorded runs come back in the order they were asked for)."""

    def __init__(self, runs: Sequence[ProbeRun]) -> None:
        self.runs = list(runs)

    def probe(self, submission: Path, calls: Sequence[Any], modules: Sequence[str]) -> ProbeRun:
        return self.runs.pop(0)


def grade_timed(
    folder: Path, grader: Grader, warm: WarmSandbox
) -> tuple[SubmissionResult, gradebook.Row, dict[str, float]]:
    """One submission graded as a batch worker grades it, each step timed."""
    recording = Recording(warm)
    grade_submission(folder, grader, warm=cast(WarmSandbox, recording))
    scored, *sweeps = recording.runs
    spent = {
        "staging": sum(run.seconds["staging"] for run in recording.runs),
        "child": scored.seconds["child_cpu"] + scored.seconds["runner_cpu"],
        "sweep": sum(run.seconds["child_cpu"] + run.seconds["runner_cpu"] for run in sweeps),
        "control": sum(run.seconds["probe_cpu"] for run in recording.runs),
    }
    seconds = grader.rubric.time_limits.call_seconds
    _, spent["wire_grader"] = cpu(
        lambda: [student_value(value, seconds) for run in recording.runs for value in run.outcomes.values()]
    )
    replayed = cast(WarmSandbox, Replayed(recording.runs))
    result, judging = cpu(grade_submission, folder, grader, warm=replayed)
    spent["checks"] = judging - spent["wire_grader"]  # judging decodes the outcomes too
    text, made = cpu(lambda: gradebook.Row.of(replace(result, submission=folder.name)).to_text())
    row, read = cpu(gradebook.Row.from_text, text)
    spent["row"] = made + read
    _, spent["json"] = cpu(lambda: json.dumps(to_gradescope(result), indent=1))
    _, spent["markdown"] = cpu(render_markdown, result)
    _, spent["html"] = cpu(render_html, result, plots=False)
    return result, row, spent


def stage_times(root: Path, folders: Sequence[Path], scratch: Path) -> dict[str, float]:
    """Mean processor seconds per submission of each stage (see STAGES), over `folders`."""
    scratch.mkdir(parents=True, exist_ok=True)
    grader = load_grader(open_course(root))
    warm = WarmSandbox(grader.limits)
    per: list[dict[str, float]] = []
    db, results = scratch / "gradebook.sqlite", {}
    try:
        warm.probe(folders[0], grader.plan, grader.rubric.modules)  # the plan crosses once
        with gradebook.connect(db) as connection:
            for folder in folders:
                result, row, spent = grade_timed(folder, grader, warm)
                _, spent["gradebook"] = cpu(gradebook.record, connection, folder.name, "hash", row)
                per.append(spent)
                results[folder.name] = result
    finally:
        warm.close()
    current = dict.fromkeys(results, "hash")
    export_all(db, scratch / "out", current=current)  # once to load what it loads once per run
    _, exporting = cpu(export_all, db, scratch / "out", current=current)
    _, reporting = cpu(report, results, scratch / "report")
    alone = floor_seconds(grader.plan, folders, scratch)
    mean = {key: statistics.fmean(p[key] for p in per) for key in per[0]}
    for key in ("import", "calls", "wire_probe"):
        mean[key] = statistics.fmean(a[key] for a in alone)
    mean["sandbox"] = mean.pop("child") - mean["import"] - mean["calls"] - mean["wire_probe"]
    renders = mean["json"] + mean["markdown"] + mean["html"]
    mean["report"] = reporting / len(folders)
    mean["export"] = exporting / len(folders) - renders - mean["report"]
    return mean


def report(results: dict[str, SubmissionResult], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_class_report(results, out)


def print_breakdown(mean: dict[str, float], count: int, batch_core: float) -> None:
    """The stages in milliseconds, their sum beside the batch's measured core time, and the floor."""
    print(f"breakdown: processor ms per submission, mean of {count} replayed in one warm sandbox")
    for label, key in STAGES:
        print(f"  {label:66s} {mean[key] * 1000:7.2f}")
    total = sum(mean[key] for _, key in STAGES)
    floor = mean["import"] + mean["calls"]
    print(f"  {'sum of the stages':66s} {total * 1000:7.2f}")
    as_run = "autograder batch as run: all its processes' processor time / n"
    print(f"  {as_run:66s} {batch_core * 1000:7.2f}")
    print(
        f"floor (the student's import and calls alone, one warm process): {floor * 1000:.2f} ms; "
        f"batch core time = {batch_core / floor:.2f}x the floor (stages: {total / floor:.2f}x)"
    )
