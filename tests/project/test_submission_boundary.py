"""The submission boundary: only regular files of the submission itself are ever run. A link (to
the reference, at any level), a FIFO or a huge sparse file is refused with the reason; a correct
solution in an unusual but honest form (stdlib imports without bubblewrap) keeps its marks."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.api import grade
from autograder.course import Course
from autograder.grading.grader import Grader, grade_submission
from autograder.platforms.gradescope import run_in_gradescope
from autograder.probe.runner import TMP_INODES
from autograder.reports.feedback import check_feedback
from autograder.results.model import FailureKind
from autograder.sandbox import WarmSandbox, bubblewrap_available
from autograder.sandbox.staging import MAX_SOURCE_BYTES, stage_submission

SAMPLES = PROJECT / "examples" / "submissions"
MODULES = ("lstm_gates", "lstm_gradients", "lstm_budget")


def copy_of(name: str, target: Path) -> Path:
    shutil.copytree(SAMPLES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_a_gradescope_upload_that_links_to_the_reference_scores_nothing(
    tmp_path: Path, course: Course
) -> None:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "code").symlink_to(course.solutions, target_is_directory=True)
    document = json.loads(run_in_gradescope(root, course).read_text())
    assert document["score"] == 0 and document["max_score"] > 0


def test_a_gradescope_upload_of_linked_files_scores_nothing(tmp_path: Path, course: Course) -> None:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    for module in MODULES:
        (root / "submission" / f"{module}.py").symlink_to(course.solutions / f"{module}.py")
    document = json.loads(run_in_gradescope(root, course).read_text())
    assert document["score"] == 0
    assert "symbolic link" in json.dumps(document)


def test_a_submission_folder_that_is_a_link_is_not_read_through(tmp_path: Path, course: Course) -> None:
    link = tmp_path / "student"
    link.symlink_to(course.solutions, target_is_directory=True)
    (result,) = grade([link], course=course)
    assert result.score == 0
    assert "the submission folder is a symbolic link" in check_feedback(result.outcomes[0])


def test_a_fifo_and_a_huge_sparse_file_are_refused_without_reading_them(tmp_path: Path) -> None:
    submission = copy_of("full_marks_reference", tmp_path / "odd")
    (submission / "lstm_gates.py").unlink()
    os.mkfifo(submission / "lstm_gates.py")  # opening it for reading would block forever
    with open(submission / "lstm_budget.py", "r+b") as sparse:
        sparse.truncate(20 * 1024**3)  # 20 GB of nothing: must not be read, copied or hashed
    unusable = stage_submission(submission, tmp_path / "staged", MODULES)
    assert unusable == {
        "lstm_gates": "it is not a regular file",
        "lstm_budget": f"it is larger than {MAX_SOURCE_BYTES} bytes",
    }
    assert (tmp_path / "staged" / "lstm_gradients.py").read_bytes() == (
        submission / "lstm_gradients.py"
    ).read_bytes()


def test_a_link_inside_the_submission_is_refused_by_staging(tmp_path: Path) -> None:
    submission = copy_of("full_marks_reference", tmp_path / "linked")
    (submission / "lstm_gates.py").unlink()
    (submission / "lstm_gates.py").symlink_to(PROJECT / "solutions" / "lstm_gates.py")
    unusable = stage_submission(submission, tmp_path / "staged", MODULES)
    assert unusable == {"lstm_gates": "it is a symbolic link"}
    assert "raise ImportError" in (tmp_path / "staged" / "lstm_gates.py").read_text()


@pytest.mark.parametrize("sandbox", [False, True])
def test_standard_library_imports_keep_full_marks_with_or_without_bubblewrap(
    tmp_path: Path, course: Course, sandbox: bool
) -> None:
    """Without bubblewrap the student code runs as nobody, and the interpreter may sit where nobody
    cannot read (a Python under /root): modules the runner did not preload must still import."""
    if sandbox and not bubblewrap_available():
        pytest.fail("bubblewrap is not installed: .ci/run installs it (apt-get install bubblewrap)")
    submission = copy_of("full_marks_reference", tmp_path / "stdlib_user")
    for module in MODULES:
        with open(submission / f"{module}.py", "a", encoding="utf-8") as source:
            source.write("\nimport logging, statistics, decimal, fractions, csv, textwrap, zoneinfo\n")
            source.write("logging.getLogger(__name__).debug(statistics.mean([1, 2]))\n")
    (result,) = grade([submission], course=course, sandbox=sandbox)
    assert result.score == result.max_score, [
        check_feedback(o) for o in result.outcomes if o.status == "failed"
    ]
    assert result.isolation.startswith("bubblewrap" if sandbox else "reduced")


FLOOD_TMP = """

def num_parameters(*args, **kwargs):
    made = 0
    for index in range(20000):
        try:
            open(f"/tmp/flood-{index}", "w").close()
        except OSError:
            break
        made += 1
    return made
"""


@pytest.mark.parametrize("warm", [False, True])
def test_the_private_tmp_is_bounded_in_files_not_only_in_bytes(
    tmp_path: Path, grader: Grader, warm: bool
) -> None:
    """Empty files cost no bytes but pin kernel memory the memory limit does not count."""
    if os.geteuid() != 0 or not bubblewrap_available():
        pytest.fail("needs root and bubblewrap (CI has both)")
    submission = tmp_path / "flood"
    shutil.copytree(PROJECT / "exercises", submission, ignore=shutil.ignore_patterns("__pycache__"))
    with open(submission / "lstm_budget.py", "a", encoding="utf-8") as source:
        source.write(FLOOD_TMP)
    sandbox = WarmSandbox(grader.limits) if warm else None
    try:
        result = grade_submission(submission, grader, warm=sandbox)
    finally:
        if sandbox is not None:
            sandbox.close()
    counts = check_feedback(next(o for o in result.outcomes if o.check_id == "c.num_parameters.worked"))
    made = int(counts.split("got ")[1].split(",")[0])
    assert 0 < made < TMP_INODES, counts


def test_an_import_that_hangs_is_a_timeout_not_an_import_error(tmp_path: Path, course: Course) -> None:
    submission = copy_of("full_marks_reference", tmp_path / "import_hang")
    (submission / "lstm_gates.py").write_text("while True:\n    pass\n", encoding="utf-8")
    (result,) = grade([submission], course=course)
    part_a = [o for o in result.outcomes if o.part == "a"]
    kinds = {f.kind for o in part_a for f in o.failures}
    assert kinds == {FailureKind.TIMED_OUT}, [check_feedback(o) for o in part_a]
    assert FailureKind.TIMED_OUT in result.troubles
    assert "CallTimeout" not in " ".join(check_feedback(o) for o in part_a)


def test_a_submission_that_hangs_everywhere_is_bounded_in_total_time(
    monkeypatch: pytest.MonkeyPatch, grader: Grader
) -> None:
    """Every function of it hangs at import: each fresh probe costs its start-up allowance, and
    without a budget for the whole submission eleven of them cost 110 s. A fake clock: no sleeping."""
    from autograder.sandbox import cold

    now = [0.0]
    monkeypatch.setattr(cold.time, "monotonic", lambda: now[0])
    started = []

    def hanging_probe(remaining: list[dict[str, object]]) -> tuple[list[dict[str, object]], str]:
        started.append(len(remaining))
        now[0] += grader.limits.startup_seconds  # it dies at its start-up limit, having said nothing
        return [], cold.TOO_SLOW

    calls = [case.call for _, cases in grader.prepared for case in cases]
    outcomes, restarts, notes = cold.collect(calls, hanging_probe, grader.limits.submission_seconds)
    assert set(outcomes) == {call["id"] for call in calls}
    assert all(not outcome["ok"] and outcome["error"]["kind"] == "timeout" for outcome in outcomes.values())
    budget_probes = grader.limits.submission_seconds / grader.limits.startup_seconds + 1
    assert len(started) <= budget_probes < len({(c["module"], c["name"]) for c in calls})
    assert any("used its" in note for note in notes) and restarts == len(started)
