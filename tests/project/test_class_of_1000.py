"""The class view on a generated class of 1,000: the throughput benchmark's class (the bundled
samples cycled, each copy with a line of its own) and three copies planted in it with their
variables renamed and their code reformatted.

The similarity check reads the 1,000 submissions themselves. The gradebook holds, for each
student, the result `batch` gives their sample (graded once here: the same code grades the same),
so the report's figures are those of the class without grading it 36 times over; the benchmark
(benchmarks/class_view.py) times the real `batch` on such a class."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from class_report_checks import (
    assert_item_analysis_matches_grades_csv,
    assert_links_resolve,
    assert_self_contained,
    rendered_images,
)
from conftest import PROJECT
from planted_copies import plant, program_class

from autograder.classroom import gradebook
from autograder.classroom.commands import export_all, grade_class
from autograder.classroom.similarity_store import read_report
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader

CLASS_SIZE = 1000
PLANTED = {
    "planted_material": ("material_answer", "reformatted"),
    "planted_loops": ("full_marks_loops_float32", "unparsed"),
    "planted_four_gates": ("mistake_forgot_four_gates", "reformatted"),
}


def throughput_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("throughput", PROJECT / "benchmarks" / "throughput.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(PROJECT / "benchmarks")
    sys.path.insert(0, folder)  # the benchmark imports its sibling modules, as it does when run
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    return module


def sample_of(student: str) -> str:
    if student in PLANTED:
        return PLANTED[student][0]
    found = re.fullmatch(r"student\d{5}_(.+)", student)
    assert found, student
    return found.group(1)


@pytest.fixture(scope="module")
def big_class(tmp_path_factory: pytest.TempPathFactory, course: Course) -> tuple[Path, Path]:
    scratch = tmp_path_factory.mktemp("class-of-1000")
    submissions, out = scratch / "class", scratch / "out"
    submissions.mkdir()
    names = throughput_benchmark().make_submissions(submissions, CLASS_SIZE)
    for copy, (sample, disguise) in PLANTED.items():
        plant(course.samples / sample, submissions / copy, disguise)
    samples_out = scratch / "samples"
    assert grade_class(course.samples, out=samples_out, course=course, progress=False) == 0
    with gradebook.open_existing(samples_out / "gradebook.sqlite") as connection:
        by_sample = gradebook.latest_results(connection)
    with gradebook.connect(out.parent / "gradebook.sqlite") as connection:
        for student in [*names, *PLANTED]:
            result = replace(by_sample[sample_of(student)], submission=student)
            gradebook.record(connection, student, f"{student}-hash", result)
    out.mkdir()
    argv = ["--course", str(course.root), "similarity", str(submissions), "--out", str(out), "--jobs", "2"]
    assert main(argv) == 0
    export_all(out.parent / "gradebook.sqlite", out)
    return submissions, out


def test_the_report_of_1000_has_item_analysis_from_grades_csv(
    big_class: tuple[Path, Path], grader: Grader
) -> None:
    _, out = big_class
    assert assert_item_analysis_matches_grades_csv(out, grader.rubric) >= 10
    assert "# Class report (1003 submissions)" in (out / "class_report.md").read_text(encoding="utf-8")


def test_the_links_of_the_report_of_1000_resolve(big_class: tuple[Path, Path]) -> None:
    _, out = big_class
    linked = set(assert_links_resolve(out / "class_report.html"))
    assert len(linked) >= 900  # the students behind the misconceptions, troubles and similar groups


def test_similarity_in_1000_finds_the_planted_copies_and_no_pair_of_distinct_programs(
    big_class: tuple[Path, Path], course: Course
) -> None:
    submissions, out = big_class
    report = read_report(out / "similarity.json")
    assert report is not None and report.students == CLASS_SIZE + len(PLANTED)
    cluster_of = {student: set(group) for group in report.clusters for student in group}
    for copy, (sample, _) in PLANTED.items():
        assert any(sample_of(member) == sample and member not in PLANTED for member in cluster_of[copy]), copy
    samples = {s.name: program_class(s) for s in course.samples.iterdir()}
    planted = {copy: program_class(submissions / copy) for copy in PLANTED}
    assert all(planted[copy] == samples[sample] for copy, (sample, _) in PLANTED.items())
    assert report.pair_count > 20_000  # the class is the samples cycled: every sample ~37 times
    # the groups link every pair found (not only the pairs the file keeps): one program each
    for group in report.clusters:
        assert len({samples[sample_of(member)] for member in group}) == 1, group[:5]
    for pair in report.pairs:
        assert samples[sample_of(pair.a)] == samples[sample_of(pair.b)], pair


def test_the_report_of_1000_is_one_page_chromium_renders(
    big_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = big_class
    assert_self_contained(out / "class_report.html")
    *images, (title, _) = rendered_images(out / "class_report.html", tmp_path)
    assert title == "Class report" and len(images) == 2
    assert all(complete and int(width) > 300 for _, complete, width, _ in images)
