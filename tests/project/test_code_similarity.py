"""Code similarity: planted copies (variables renamed, code reformatted) are found, and no pair is
listed between distinct programs of the bundled samples. "Distinct" is decided here independently
of the detector (planted_copies.program_class: abstract syntax trees with names, literals and
docstrings abstracted): the samples that are one program up to a renamed variable or a changed
literal (the reference and the three samples that swap two names, for instance) are, to any
detector that ignores names and literals, copies of each other."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from class_report_checks import assert_links_resolve
from planted_copies import plant, program_class, renamed_and_reformatted

from autograder.classroom import code_similarity as similarity
from autograder.classroom.commands import grade_class
from autograder.cli import main
from autograder.course import Course

PLANTED = {  # copy -> (the sample it copies, how it is disguised)
    "copy_of_material": ("material_answer", "reformatted"),
    "copy_of_loops": ("full_marks_loops_float32", "unparsed"),
    "copy_of_four_gates": ("mistake_forgot_four_gates", "reformatted"),
    "copy_of_reference": ("full_marks_reference", "reformatted"),
    "copy_of_garbage": ("garbage_weight_shapes_equals_anything", "unparsed"),
}


def origin(student: str) -> str:
    """The sample a student's submission is (planted copies: the one copied)."""
    return PLANTED[student][0] if student in PLANTED else student


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, course: Course) -> tuple[Path, Path]:
    """The samples and the planted copies, graded by `batch`, then compared by `similarity`."""
    scratch = tmp_path_factory.mktemp("similarity")
    submissions, out = scratch / "class", scratch / "out"
    shutil.copytree(course.samples, submissions)
    for copy, (sample, disguise) in PLANTED.items():
        plant(course.samples / sample, submissions / copy, disguise)
    assert grade_class(submissions, out=out, course=course, progress=False) == 0
    assert main(["--course", str(course.root), "similarity", str(submissions), "--out", str(out)]) == 0
    return submissions, out


def test_planted_copies_are_found_and_distinct_samples_never_paired(
    graded: tuple[Path, Path], course: Course
) -> None:
    from autograder.classroom.similarity_store import read_report

    submissions, out = graded
    report = read_report(out / "similarity.json")
    samples = sum(1 for path in course.samples.iterdir() if path.is_dir())
    assert report is not None and report.students == len(PLANTED) + samples and not report.left_out
    listed = {frozenset((p.a, p.b)) for p in report.pairs}
    for copy, (sample, _) in PLANTED.items():
        assert frozenset((copy, sample)) in listed, copy
    classes = {s.name: program_class(s) for s in submissions.iterdir()}
    assert len(set(classes.values())) >= 20  # the samples are mostly distinct programs
    for pair in report.pairs:
        assert classes[pair.a] == classes[pair.b], pair  # never a pair of distinct programs
    # and every pair of one program (beyond the stubs) is listed
    same = {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(classes), 2)
        if classes[a] == classes[b] and "zero_untouched_stubs" not in (a, b)
    }
    assert same <= listed


def test_the_class_report_shows_the_pairs_side_by_side(graded: tuple[Path, Path]) -> None:
    _, out = graded
    html = (out / "class_report.html").read_text(encoding="utf-8")
    assert "<h3>Most similar pairs, side by side</h3>" in html and html.count("class='side'") >= 10
    assert "copy_of_material" in html and "class='hit'" in html
    linked = assert_links_resolve(out / "class_report.html")
    assert (out / "feedback" / "copy_of_loops" / "feedback.html").resolve() in linked
    markdown = (out / "class_report.md").read_text(encoding="utf-8")
    assert (
        "## Similar submissions" in markdown and "| copy_of_material / material_answer | 1.00 |" in markdown
    )


def test_renamed_and_reformatted_code_normalises_to_the_same_tokens(course: Course) -> None:
    source = (course.samples / "material_answer" / "lstm_budget.py").read_text(encoding="utf-8")
    copy = renamed_and_reformatted(source)
    assert copy != source and "my_" in copy
    assert similarity.normalised_tokens(copy)[0] == similarity.normalised_tokens(source)[0]
    changed = source.replace("4 * hidden_size", "4 * hidden_size - 1")
    assert similarity.normalised_tokens(changed)[0] != similarity.normalised_tokens(source)[0]


def test_winnowing_sees_every_shared_run_of_k_plus_w_minus_1_tokens() -> None:
    """The guarantee of winnowing: a run of K + W - 1 tokens in both documents gives both at
    least one common fingerprint, whatever surrounds it."""
    shared = [f"t{i % 7}" for i in range(similarity.K + similarity.WINDOW - 1)]
    for left, right in [(3, 40), (0, 11), (25, 2)]:
        a = [f"a{i}" for i in range(left)] + shared + [f"b{i}" for i in range(right)]
        b = [f"c{i}" for i in range(right)] + shared + [f"d{i}" for i in range(left)]
        ha, hb = similarity.kgram_hashes(a), similarity.kgram_hashes(b)
        assert set(ha[similarity.winnowed(ha)].tolist()) & set(hb[similarity.winnowed(hb)].tolist())
    few = similarity.kgram_hashes([*shared[:-1], "zz"])
    assert len(similarity.winnowed(few)) >= 1


def test_similarity_says_what_is_wrong_in_one_line(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["--course", str(course.root), "similarity", str(missing), "--out", str(tmp_path)]) == 3
    assert capsys.readouterr().err.strip() == (
        f"autograder: {missing}: expected a folder of submissions or a .zip of them"
    )
    with pytest.raises(SystemExit) as stop:
        main(["--course", str(course.root), "similarity", str(tmp_path), "--threshold", "2"])
    assert stop.value.code == 2 and "expected a number above 0 and at most 1" in capsys.readouterr().err


def test_a_student_without_a_feedback_page_is_named_not_linked(graded: tuple[Path, Path]) -> None:
    """similarity.json may name students the gradebook does not hold (compared, never graded)."""
    from autograder.classroom.similarity_store import read_report
    from autograder.reports.similarity_view import similarity_html, similarity_markdown

    _, out = graded
    report = read_report(out / "similarity.json")
    everyone = {s for group in report.clusters for s in group} if report else set()
    linked = similarity_html(report, "", everyone)
    assert "href='feedback/material_answer/feedback.html'" in linked
    unlinked = similarity_html(report, "", everyone - {"material_answer"})
    assert "href='feedback/material_answer/feedback.html'" not in unlinked and "material_answer" in unlinked
    assert "(feedback/material_answer/" not in "\n".join(similarity_markdown(report, "", set()))
