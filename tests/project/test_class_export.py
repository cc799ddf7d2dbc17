"""The class's exports stream the gradebook, in parallel runs of students: every file is what one
process reading the class whole would write. A fabricated class (no sandbox): checks that pass,
fail, name misconceptions, crash and hang, a manual item graded for some students, grader errors,
a student graded twice; the figures are recomputed here from the results held whole."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from autograder.classroom import class_export, gradebook
from autograder.classroom.commands import export_all
from autograder.classroom.drill_down import drill_down
from autograder.classroom.item_analysis import item_rest_correlation
from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Diagnosis,
    Failure,
    FailureKind,
    GraderError,
    SubmissionResult,
)

CHECKS = [("a.one", "a", 2.0), ("a.two", "a", 3.0), ("b.three", "b", 1.0)]
MISTAKES = ["forgot_tanh", "swapped_gates", "no_bias"]
FAILURES = [FailureKind.TIMED_OUT, FailureKind.PROBE_DIED, FailureKind.RAISED]


def fabricated(student: str, rng: random.Random) -> SubmissionResult:
    if rng.random() < 0.03:
        return SubmissionResult(student, (), "none", grader_error=GraderError("boom", "Traceback ..."))
    outcomes = []
    for check_id, part, points in CHECKS[: rng.choice([2, 3, 3, 3])]:  # some results lack a check
        cases = []
        for label in ("small", "batched", "long"):
            fraction = rng.choice([0.0, 0.5, 1.0, 1.0])
            failure = (
                Failure(rng.choice(FAILURES), "it went wrong")
                if fraction == 0 and rng.random() < 0.3
                else None
            )
            cases.append(CaseOutcome(label, fraction, "" if fraction else "got 1, expected 2", failure))
        diagnoses = tuple(Diagnosis(m, f"you {m}") for m in MISTAKES if rng.random() < 0.15)
        outcomes.append(
            CheckOutcome(check_id, check_id.upper(), part, points, cases=tuple(cases), diagnoses=diagnoses)
        )
    outcomes.append(CheckOutcome("b.explain", "EXPLAIN", "b", 4.0, manual=True, answer="because"))
    return SubmissionResult(student, tuple(outcomes), "none", seconds=rng.random())


@pytest.fixture(scope="module")
def class_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, SubmissionResult]]:
    rng = random.Random(14)
    db = tmp_path_factory.mktemp("class-export") / "gradebook.sqlite"
    expected: dict[str, SubmissionResult] = {}
    with gradebook.connect(db) as connection:
        for index in range(120):
            student = f"s{rng.randrange(10**6):06d}-{index}"  # not in the order they are recorded
            gradebook.record(connection, student, "old", fabricated(student, rng))
            if index % 10 == 0:  # graded again: the newer result is the one to export
                gradebook.record(connection, student, "new", fabricated(student, rng))
            if index % 7 == 0:
                gradebook.set_manual_grade(connection, student, "b.explain", 3.0, "good")
        expected = gradebook.latest_results(connection)
    return db, expected


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_runs_write_what_one_pass_writes(
    class_db: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, results = class_db
    one = export_all(db, tmp_path / "one", jobs=1)
    monkeypatch.setattr(class_export, "ALONE_BELOW", 10)  # 120 students: 2 processes, 8 runs of 15
    two = export_all(db, tmp_path / "two", jobs=2)
    assert one == two and one.students == len(results) == 120
    assert set(one.grader_errors) == {s for s, r in results.items() if r.grader_error is not None} != set()
    written = files(tmp_path / "one")
    assert written == files(tmp_path / "two")
    assert len([name for name in written if name.endswith("feedback.html")]) == 120


def test_the_streamed_figures_are_those_of_the_results_held_whole(
    class_db: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, results = class_db
    monkeypatch.setattr(class_export, "ALONE_BELOW", 10)
    export_all(db, tmp_path, jobs=2)
    with (tmp_path / "grades.csv").open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    check_ids = list(dict.fromkeys(o.check_id for s in sorted(results) for o in results[s].outcomes))
    assert rows[0] == ["student", *check_ids, "total", "max_score"] and len(check_ids) == 4
    assert [row[0] for row in rows[1:]] == sorted(results)
    for row in rows[1:]:
        result = results[row[0]]
        scores = {o.check_id: str(o.score) if o.counts else "" for o in result.outcomes}
        assert row[1:5] == [scores.get(c, "") for c in check_ids]
        assert row[5:] == [str(result.score), str(result.max_score)]
    with (tmp_path / "item_analysis.csv").open(newline="", encoding="utf-8") as source:
        items = {(row["check_id"], row["case"]): row for row in csv.DictReader(source)}
    for check_id, _, _ in CHECKS:
        pairs = [
            (o.score, r.score - o.score)
            for r in results.values()
            for o in r.outcomes
            if o.check_id == check_id
        ]
        row = items[(check_id, "")]
        assert int(row["students"]) == len(pairs)
        r = item_rest_correlation([p for p, _ in pairs], [q for _, q in pairs])
        assert r is not None and float(row["discrimination"]) == pytest.approx(r, abs=1e-6)
    markdown = (tmp_path / "class_report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Class report (120 submissions)")
    for misconception, students in drill_down(results).misconceptions:
        line = next(line for line in markdown.splitlines() if line.startswith(f"| {misconception} |"))
        assert line.startswith(f"| {misconception} | {len(students)} |") and all(s in line for s in students)


def test_the_export_reads_the_result_of_the_current_code(
    class_db: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path
) -> None:
    db, results = class_db
    regraded = sorted(s for s in results if s.endswith(("-0", "-10", "-20")))
    current = {s: "old" for s in regraded}
    with gradebook.open_existing(db) as connection:
        old = {s: r for s, r in gradebook.each_latest_result(connection, current)}
    assert list(old) == regraded and all(old[s] != results[s] for s in regraded)
    export_all(db, tmp_path, current=current)
    with (tmp_path / "grades.csv").open(newline="", encoding="utf-8") as source:
        totals = {row[0]: row[-2] for row in list(csv.reader(source))[1:]}
    assert totals == {s: str(r.score) for s, r in old.items()}
