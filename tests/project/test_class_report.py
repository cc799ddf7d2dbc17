"""The class report on the bundled samples (one of them under a name full of HTML and URL
characters): item analysis recomputed from grades.csv, drill-down links that resolve to each
student's feedback page, one self-contained page that headless Chromium renders with its plots."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from class_report_checks import (
    assert_item_analysis_matches_grades_csv,
    assert_links_resolve,
    assert_self_contained,
    recomputed_items,
    rendered_images,
)
from conftest import PROJECT

from autograder.classroom import gradebook
from autograder.classroom.commands import grade_class
from autograder.classroom.drill_down import drill_down, feedback_link
from autograder.classroom.item_analysis import NEGATIVE, TOO_EASY, TOO_HARD, ItemStats, item_rest_correlation
from autograder.course import Course
from autograder.grading.grader import Grader
from autograder.results.model import FailureKind, SubmissionResult

ODD_NAME = 'o\'neil <b>&amp; "100%" #1'


@pytest.fixture(scope="module")
def graded(
    tmp_path_factory: pytest.TempPathFactory, course: Course
) -> tuple[Path, dict[str, SubmissionResult]]:
    """The samples graded by `batch` (and the material's answer once more, under ODD_NAME)."""
    scratch = tmp_path_factory.mktemp("class-report")
    submissions, out = scratch / "class", scratch / "out"
    shutil.copytree(course.samples, submissions)
    shutil.copytree(course.samples / "material_answer", submissions / ODD_NAME)
    assert grade_class(submissions, out=out, course=course, progress=False) == 0
    with gradebook.open_existing(out / "gradebook.sqlite") as connection:
        return out, gradebook.latest_results(connection)


def test_item_analysis_is_what_grades_csv_gives(
    graded: tuple[Path, dict[str, SubmissionResult]], grader: Grader
) -> None:
    out, _ = graded
    assert assert_item_analysis_matches_grades_csv(out, grader.rubric) >= 10
    with (out / "item_analysis.csv").open(newline="", encoding="utf-8") as source:
        as_data = {row["check_id"]: row for row in csv.DictReader(source) if not row["case"]}
    for check_id, (students, facility, r) in recomputed_items(out / "grades.csv", grader.rubric).items():
        row = as_data[check_id]
        assert int(row["students"]) == students and float(row["facility"]) == pytest.approx(
            facility, abs=1e-6
        )
        assert (
            (row["discrimination"] == "")
            if r is None
            else float(row["discrimination"]) == pytest.approx(r, abs=1e-6)
        )


def test_every_misconception_and_trouble_links_to_its_students_feedback(
    graded: tuple[Path, dict[str, SubmissionResult]],
) -> None:
    out, results = graded
    for page in ("class_report.html", "class_report.md"):
        if page.endswith(".html"):
            linked = assert_links_resolve(out / page)
            assert (out / "feedback" / ODD_NAME / "feedback.html").resolve() in linked
    html = (out / "class_report.html").read_text(encoding="utf-8")
    markdown = (out / "class_report.md").read_text(encoding="utf-8")
    drill = drill_down(results)
    expected = {
        m: {s for s, r in results.items() if any(m in o.misconceptions for o in r.outcomes)}
        for m, _ in drill.misconceptions
    }
    assert {m: set(s) for m, s in drill.misconceptions} == expected and len(expected) >= 15
    for misconception, students in drill.misconceptions:
        row = next(line for line in markdown.splitlines() if line.startswith(f"| {misconception} |"))
        assert all(f"({feedback_link(s)})" in row for s in students)
    kinds = {t.kind for t in drill.troubles}
    assert {FailureKind.TIMED_OUT, FailureKind.PROBE_DIED} <= kinds
    hang = next(t for t in drill.troubles if t.kind is FailureKind.TIMED_OUT)
    assert hang.students == ("hang_lstm_step_loops_forever",) and hang.check_id.startswith("a.")
    assert f"href='{feedback_link('hang_lstm_step_loops_forever')}'" in html
    assert ODD_NAME not in html  # always escaped


def test_the_report_is_one_page_that_chromium_renders_with_its_plots(
    graded: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path
) -> None:
    out, _ = graded
    assert_self_contained(out / "class_report.html")
    *images, (title, text_length) = rendered_images(out / "class_report.html", tmp_path)
    assert title == "Class report" and int(text_length) > 2000
    assert [alt for alt, *_ in images] == ["score distribution", "facility against discrimination"]
    for alt, complete, width, height in images:
        assert complete and int(width) > 300 and int(height) > 200, alt


def test_the_chromium_check_sees_a_broken_plot(
    graded: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path
) -> None:
    """The render check can fail: an image that cannot be decoded has no size."""
    out, _ = graded
    broken = tmp_path / "broken" / "class_report.html"
    broken.parent.mkdir()
    html = (out / "class_report.html").read_text(encoding="utf-8")
    broken.write_text(
        html.replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1), encoding="utf-8"
    )
    images = rendered_images(broken, tmp_path / "broken")[:-1]
    assert int(images[0][2]) == 0 and int(images[1][2]) > 0


def test_item_flags_and_the_correlation() -> None:
    assert item_rest_correlation([1, 0, 1, 0], [5, 1, 4, 2]) == pytest.approx(0.9486832980505138)
    assert item_rest_correlation([1, 1, 1], [3, 4, 5]) is None  # nobody differs on the item
    assert item_rest_correlation([1], [3]) is None
    easy = ItemStats("a", "a", None, 2, 10, 0.95, -0.1)
    assert easy.flags == (TOO_EASY, NEGATIVE)
    assert ItemStats("b", "b", None, 2, 10, 0.1, None).flags == (TOO_HARD,)
    assert ItemStats("c", "c", None, 2, 10, 0.5, 0.4).flags == ()


def test_a_report_written_again_by_export_is_the_same(
    graded: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path
) -> None:
    out, _ = graded
    from autograder.cli import main

    again = tmp_path / "again"
    assert (
        main(["--course", str(PROJECT), "export", "--db", str(out / "gradebook.sqlite"), "--out", str(again)])
        == 0
    )
    assert (again / "class_report.md").read_text(encoding="utf-8") == (out / "class_report.md").read_text(
        encoding="utf-8"
    )
