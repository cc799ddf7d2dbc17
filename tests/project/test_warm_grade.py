"""`autograder grade` through a warm sandbox started before the grader loads: the same grades as
cold probes, and a submission's calls each get inputs of their own."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

from autograder import api
from autograder.classroom import gradebook
from autograder.course import Course
from autograder.reports.gradescope import to_gradescope
from autograder.results.model import SubmissionResult
from autograder.results.serialize import result_from_json
from autograder.sandbox import bubblewrap_available

SAMPLES = PROJECT / "examples" / "submissions"
SOME = (
    "full_marks_reference",
    "material_answer",
    "crash_gate_table_raises",
    "exit_num_parameters_ends_the_process",
    "syntax_error_lstm_gates",
)


def verdicts(result: SubmissionResult) -> list[tuple[Any, ...]]:
    """Each check's score, status and tags (the feedback's words may name where the probe ran)."""
    return [(t["number"], t["score"], t["status"], t["tags"]) for t in to_gradescope(result)["tests"]]


@pytest.fixture
def warm_needed() -> None:
    if not bubblewrap_available():
        pytest.fail("bubblewrap is not installed: .ci/run installs it (apt-get install bubblewrap)")


def test_an_early_warm_sandbox_grades_as_cold_probes_do(course: Course, warm_needed: None) -> None:
    folders = [SAMPLES / name for name in SOME]
    cold = api.grade(folders, course=course, sandbox=True)
    with api.early_sandbox() as warm:
        assert warm is not None, "the warm sandbox needs root and bubblewrap (CI has both)"
        hot = api.grade(folders, course=course, warm=warm)
    assert [r.isolation for r in cold] == ["bubblewrap"] * len(SOME)
    assert [r.isolation for r in hot] == ["bubblewrap (warm)"] * len(SOME)
    assert [verdicts(r) for r in hot] == [verdicts(r) for r in cold]
    assert [r.score for r in hot] == [r.score for r in cold]


def test_inputs_a_call_spoils_reach_no_other_call(tmp_path: Path, course: Course, warm_needed: None) -> None:
    """The warm runner decodes the plan's inputs once: a call that overwrites its arguments, then
    answers from them, must leave the next calls (and the next submission) their own inputs."""
    spoiler = tmp_path / "spoiler"
    shutil.copytree(SAMPLES / "full_marks_reference", spoiler)
    with (spoiler / "lstm_gates.py").open("a") as module:
        module.write(
            textwrap.dedent(
                """

                _honest_step, _honest_table = lstm_step, gate_table


                def lstm_step(x_t, h_prev, c_prev, params):
                    answer = _honest_step(x_t, h_prev, c_prev, params)
                    for value in (x_t, h_prev, c_prev, *params.values()):
                        if isinstance(value, np.ndarray):  # (a case may send a list)
                            value[...] = 0.0
                    return answer


                def gate_table(xs, params, h0=None, c0=None):
                    global lstm_step
                    spoiling, lstm_step = lstm_step, _honest_step  # the table's own steps: honest
                    try:
                        answer = _honest_table(xs, params, h0, c0)
                    finally:
                        lstm_step = spoiling
                    for value in (xs, *params.values()):
                        if isinstance(value, np.ndarray):
                            value[...] = 0.0
                    return answer
                """
            )
        )
    folders = [spoiler, spoiler, SAMPLES / "full_marks_reference"]
    with api.early_sandbox() as warm:
        assert warm is not None
        results = api.grade(folders, course=course, warm=warm)
    full = {o.check_id: o.max_score for o in results[2].outcomes if o.counts}
    for result in results:
        assert {o.check_id: o.score for o in result.outcomes if o.counts} == full


def test_a_row_carries_the_result_whole(course: Course) -> None:
    """What a batch worker sends: the figures the batch counts, and the JSON the gradebook keeps,
    written once; a lone surrogate (a file name that is not UTF-8) becomes "?"."""
    (result,) = api.grade([SAMPLES / "material_answer"], course=course, sandbox=False)
    odd = SubmissionResult("caf\udce9", result.outcomes, result.isolation, result.seconds, result.notes)
    row = gradebook.Row.from_text(gradebook.Row.of(odd).to_text())
    assert (row.score, row.max_score, row.troubled) == (odd.score, odd.max_score, bool(odd.troubles))
    back = result_from_json(row.document)
    assert back.submission == "caf?" and back.outcomes == odd.outcomes
    row.document.encode("utf-8")  # what the gradebook and the exports write
    with pytest.raises(ValueError):
        gradebook.Row.from_text("[1, 2, 3, false, false]\nnot a result")
