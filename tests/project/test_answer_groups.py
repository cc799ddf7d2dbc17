"""Answer groups for the written explanation: the rubric's concepts (validated like every key),
groups at least 90 % pure on generated answers with known concepts, and a group graded once in
the CSV giving every member that manual score in the totals, exceptions per student kept."""

from __future__ import annotations

import ast
import csv
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from explanation_corpus import explanations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rubric import broken, one_line_error, renamer, setter

from autograder.classroom import gradebook
from autograder.classroom.answer_group_grades import expanded, read_group_rows
from autograder.classroom.answer_groups import (
    Answer,
    class_answers,
    group_answers,
    manual_check,
    rubric_concepts,
)
from autograder.classroom.manual_grades import ManualGradeError
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader
from autograder.results.model import CaseOutcome, CheckOutcome, SubmissionResult

CHECK = "b.explanation"
Data = dict[str, Any]


@pytest.fixture(scope="module")
def concepts(grader: Grader) -> Any:
    return rubric_concepts(manual_check(grader.rubric.checks, None))


def concept_mistakes() -> dict[str, tuple[Callable[[Data], None], str, str]]:
    return {
        "misspelled concept key": (
            renamer(CHECK, "concepts", 0, "patterns", new="pattern"),
            "parts[1].checks[4].concepts[0].pattern",
            "did you mean 'patterns'",
        ),
        "invalid concept pattern": (
            setter(CHECK, "concepts", 1, "patterns", value=["(W_hh"]),
            "parts[1].checks[4].concepts[1].patterns[0]",
            "not a valid regular expression",
        ),
        "concept given twice": (
            setter(CHECK, "concepts", 2, "id", value="cell_path_is_forget_gate"),
            "parts[1].checks[4].concepts[2].id",
            "given twice",
        ),
        "concept without patterns": (
            setter(CHECK, "concepts", 0, "patterns", value=[]),
            "parts[1].checks[4].concepts[0].patterns",
            "",
        ),
        "concept id that is not a name": (
            setter(CHECK, "concepts", 0, "id", value="Cell path"),
            "parts[1].checks[4].concepts[0].id",
            "expected text matching",
        ),
    }


@pytest.mark.parametrize("name", sorted(concept_mistakes()))
def test_a_concept_mistake_is_one_line_naming_where_and_what(
    name: str, tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    change, where, expected = concept_mistakes()[name]
    data = yaml.safe_load(course.rubric_path.read_text(encoding="utf-8"))
    line = one_line_error(course, broken(tmp_path, data, change), capsys)
    assert where in line and expected in line, line


def test_the_concepts_read_the_bundled_answers_as_a_grader_would(course: Course, concepts: Any) -> None:
    """The reference-style answer states all three ideas; the material's answer, which says the
    cell path adds rather than multiplies, states none of them (though it writes f_t)."""
    texts = {}
    for sample in ("full_marks_loops_float32", "material_answer"):
        tree = ast.parse((course.samples / sample / "lstm_gradients.py").read_text(encoding="utf-8"))
        assignment = next(
            node
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPLANATION"
        )
        texts[sample] = ast.literal_eval(assignment.value)
    found = {s: class_answers({s: result_with(t)}, CHECK, concepts)[0].concepts for s, t in texts.items()}
    assert found["full_marks_loops_float32"] == tuple(c.id for c in concepts)
    assert found["material_answer"] == () and "f_t" in texts["material_answer"]


def result_with(answer: str, student: str = "s") -> SubmissionResult:
    """A result with one automatic check (2 of 3 points) and the written answer, not graded yet."""
    automatic = CheckOutcome(
        "a.sigmoid",
        "sigmoid",
        "a",
        3.0,
        cases=(CaseOutcome("x", 1.0), CaseOutcome("y", 1.0), CaseOutcome("z", 0.0)),
    )
    written = CheckOutcome(CHECK, "written explanation", "b", 4.0, manual=True, answer=answer)
    return SubmissionResult(student, (automatic, written), "test")


def class_gradebook(db: Path, answers: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """A gradebook of fabricated results holding the answers; student -> the concepts stated."""
    known = {}
    with gradebook.connect(db) as connection:
        for index, (text, stated) in enumerate(answers):
            student = f"student{index:04d}"
            gradebook.record(connection, student, f"hash{index}", result_with(text, student))
            known[student] = stated
    return known


def purity(groups: list[tuple[str, ...]], known: dict[str, tuple[str, ...]]) -> float:
    """The share of answers whose known concepts are their group's most common ones."""
    majority = sum(Counter(known[s] for s in members).most_common(1)[0][1] for members in groups)
    return majority / sum(len(members) for members in groups)


def test_generated_answers_land_in_groups_at_least_90_percent_pure(tmp_path: Path, concepts: Any) -> None:
    known = class_gradebook(tmp_path / "gradebook.sqlite", explanations(300))
    with gradebook.open_existing(tmp_path / "gradebook.sqlite") as connection:
        results = gradebook.latest_results(connection)
    groups = group_answers(class_answers(results, CHECK, concepts))
    assert sum(len(g.answers) for g in groups) == 300
    assert purity([g.students for g in groups], known) >= 0.9
    assert len(groups) <= 30  # grading a group at a time saves work: 300 answers, far fewer groups
    # the purity measure itself can fail: one group of everything is far from pure
    assert purity([tuple(known)], known) < 0.5


def test_a_small_class_is_grouped_too(concepts: Any) -> None:
    one = group_answers([Answer("ada", "A vanilla RNN multiplies by the same W_hh.", ("x",), None)])
    assert [g.students for g in one] == [("ada",)]
    two = group_answers([Answer("ada", "", (), None), Answer("bob", "the", (), None)])
    assert sorted(g.students for g in two) == [("ada",), ("bob",)]
    assert group_answers([]) == []


def fill(csv_text: str, scores: dict[str, str], exceptions: dict[str, str]) -> str:
    """The CSV as an instructor fills it: a score on each group's '*' row (by its concepts)
    and on the rows of the students who are exceptions."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    for row in rows:
        if row["student"] == "*":
            row["score"] = scores[row["concepts"]]
            row["comment"] = f"group {row['group']}"
        elif row["student"] in exceptions:
            row["score"] = exceptions[row["student"]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_grading_a_group_gives_every_member_its_score_with_exceptions_kept(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "gradebook.sqlite", tmp_path / "out"
    known = class_gradebook(db, explanations(200, seed=7))
    assert main(["--course", str(course.root), "answer-groups", "--db", str(db), "--out", str(out)]) == 0
    assert "answers to b.explanation in" in capsys.readouterr().out
    page = (out / "answer_groups.html").read_text(encoding="utf-8")
    assert page.count("class='group'") >= 2 and "can_still_vanish" in page
    text = (out / "answer_groups.csv").read_text(encoding="utf-8")
    exceptions = {"student0003": "0.5", "student0150": "4"}
    scores = {
        c: str(len(c.split("; "))) if c != "(none)" else "0"
        for c in {r["concepts"] for r in csv.DictReader(io.StringIO(text))}
    }
    (tmp_path / "graded.csv").write_text(fill(text, scores, exceptions), encoding="utf-8")
    assert main(["answer-groups", "--db", str(db), "--import", str(tmp_path / "graded.csv")]) == 0
    assert "recorded 200 manual grade(s)" in capsys.readouterr().out
    with gradebook.open_existing(db) as connection:
        results = gradebook.latest_results(connection)
    group_of = {r["student"]: r["concepts"] for r in csv.DictReader(io.StringIO(text)) if r["student"] != "*"}
    assert set(group_of) == set(known)
    for student, result in results.items():
        written = next(o for o in result.outcomes if o.check_id == CHECK)
        expected = float(exceptions.get(student, scores[group_of[student]]))
        assert written.manual_grade is not None and written.manual_grade.score == expected, student
        assert result.score == pytest.approx(2.0 + expected)  # the automatic 2 of 3, and the manual grade
        assert result.max_score == 7.0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda rows: rows[0].update(score="9"), "row 2: score '9': outside 0 to 4"),
        (lambda rows: rows.append({**rows[1], "score": "1"}), "is listed twice"),
        (lambda rows: rows.append({**rows[0]}), "has a second '*' row"),
        (lambda rows: rows[1].update(student="nobody", score="1"), "'nobody': no such student"),
        (lambda rows: [r.update(score="") for r in rows], "no score in it"),
    ],
)
def test_a_bad_group_grade_is_one_line_and_nothing_is_written(
    change: Callable[[list[dict[str, str]]], Any],
    expected: str,
    tmp_path: Path,
    course: Course,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, out = tmp_path / "gradebook.sqlite", tmp_path / "out"
    class_gradebook(db, explanations(20, seed=3))
    assert main(["--course", str(course.root), "answer-groups", "--db", str(db), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "answer_groups.csv").read_text(encoding="utf-8"))))
    rows[0]["score"] = "2"
    change(rows)
    graded = tmp_path / "graded.csv"
    with graded.open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(["answer-groups", "--db", str(db), "--import", str(graded)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    with gradebook.open_existing(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM manual_grades").fetchone()[0] == 0


def test_answer_groups_refuse_a_check_that_is_not_a_written_answer(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "gradebook.sqlite"
    class_gradebook(db, explanations(3))
    argv = ["--course", str(course.root), "answer-groups", "--db", str(db), "--check", "a.sigmoid"]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        "autograder: 'a.sigmoid': not a manual check of the rubric (those are: b.explanation)"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(
        alphabet=st.sampled_from("group,student;check_id\tscore*\"'\n\r=G1ab4\ufeff\x00"), max_size=120
    )
)
def test_any_group_csv_is_read_or_refused_in_one_line(text: str, tmp_path: Path) -> None:
    path = tmp_path / "graded.csv"
    path.write_text(text, encoding="utf-8")
    try:
        rows = list(read_group_rows(path))
        entries = list(expanded(rows, path))
    except ManualGradeError as error:
        assert "\n" not in str(error).strip()
    else:
        assert all(entry.score for entry in entries)
