"""The checks of `autograder grade`, run from an nbgrader test cell against the notebook's names.

An nbgrader autograde test cell ends with `run_check("a.gate_table", globals())`: the same inputs,
expected values, comparison and diagnosis as `autograder grade`, so both give the same score. The
score is the cell's value, which nbgrader takes as partial credit; a score of zero raises, which
nbgrader counts as zero. (Inside nbgrader the student's code runs in the notebook's own kernel, as
nbgrader always does; `autograder grade` on the same notebook runs it in the sandbox.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograder.course import open_course
from autograder.grading.grader import Grader, load_grader
from autograder.grading.student_values import student_value
from autograder.kinds import KINDS
from autograder.probe.runner import install_alarm, run_call
from autograder.reports.feedback import check_feedback

COURSE_VARIABLE = "AUTOGRADER_COURSE"  # set by the nbgrader_config.py that `autograder nbgrader` writes

GRADER_NAME = "_autograder_grader"  # kept in the notebook's namespace: loaded once per kernel


def run_check(check_id: str, namespace: dict[str, Any]) -> float:
    grader = namespace.get(GRADER_NAME)
    if not isinstance(grader, Grader):
        course = open_course(Path(os.environ[COURSE_VARIABLE]) if COURSE_VARIABLE in os.environ else None)
        grader = namespace[GRADER_NAME] = load_grader(course)
    found = [(check, cases) for check, cases in grader.prepared if check.id == check_id]
    if not found:
        raise KeyError(f"no check {check_id!r} in the rubric")
    check, cases = found[0]

    def lookup(module: str, name: str) -> Any:
        if name not in namespace:
            raise NameError(f"{name} is not defined: run the cell that defines it first")
        return namespace[name]

    previous = install_alarm()
    try:
        raw = {case.call["id"]: run_call(case.call, lookup) for case in cases}
    finally:
        import signal

        signal.signal(signal.SIGALRM, previous)
    seconds = grader.rubric.time_limits.call_seconds
    values = [student_value(raw[case.call["id"]], seconds) for case in cases]
    outcome = KINDS[check.kind].evaluate(check, cases, values, grader.ground)
    report = f"{outcome.name}: {outcome.score:g}/{outcome.max_score:g}\n{check_feedback(outcome)}"
    if outcome.score <= 0:
        raise AssertionError(report)
    print(report)
    return outcome.score
