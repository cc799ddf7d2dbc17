"""The three renderings of a result (text, Markdown, HTML), on hand-built results: no student code runs."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from autograder.reports.html import render_html
from autograder.reports.markdown import render_markdown
from autograder.reports.text import render_summary_table, render_text
from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Diagnosis,
    GateTableEvidence,
    GradientCurvesEvidence,
    Locus,
    SubmissionResult,
)

KEYS = ["f", "i", "c_tilde", "c", "o", "h"]


def _table(offset: float = 0.0) -> dict[str, list[list[float]]]:
    """A 3-step, 2-unit gate table with distinct values per cell."""
    return {
        k: [[round(0.1 * g + 0.01 * t + 0.001 * u + offset, 6) for u in range(2)] for t in range(3)]
        for g, k in enumerate(KEYS)
    }


def _gate_evidence(first_wrong: Locus | None, student: Any = "default") -> GateTableEvidence:
    reference = _table()
    if student == "default":
        student = _table()
        if first_wrong is not None:
            student[first_wrong.key][first_wrong.step - 1][first_wrong.unit] = 9.87654321
    return GateTableEvidence("worked question", tuple(KEYS), student, reference, first_wrong)


def _curves(student: list[float] | None) -> GradientCurvesEvidence:
    return GradientCurvesEvidence(
        "worked question",
        (0, 1, 2, 3),
        None if student is None else tuple(student),
        (1.0, 0.9, 0.8, 0.7),
        (1.0, 1e-3, 1e-7, 0.0),
    )


def check(
    check_id: str, name: str, part: str, points: float, *cases: CaseOutcome, **more: Any
) -> CheckOutcome:
    return CheckOutcome(check_id, name, part, points, cases=cases, **more)


def make_result(
    *,
    feedback: str = "f_t must use sigmoid, not tanh; see step 2.",
    gate: GateTableEvidence | None = None,
    curves: GradientCurvesEvidence | None = None,
) -> SubmissionResult:
    outcomes = (
        check("a1", "forward shapes", "a", 1.0, CaseOutcome("shapes", 1.0, "All shapes match.")),
        check(
            "a2",
            "gate table",
            "a",
            2.0,
            CaseOutcome("worked question", 0.0, feedback),
            CaseOutcome("batched", 1.0),
            CaseOutcome("float32", 0.0, "result['f']: got 1, expected 0"),
            CaseOutcome("given h0", 0.0, "result['f']: got 1, expected 0"),
            diagnoses=(Diagnosis("tanh-forget-gate", "The forget gate squashes with a sigmoid."),),
            evidence=(gate,) if gate else (),
        ),
        check(
            "b1",
            "gradient flow",
            "b",
            2.0,
            CaseOutcome("curves", 1.0),
            evidence=(curves,) if curves else (),
        ),
        check(
            "c1",
            "written explanation",
            "c",
            3.0,
            manual=True,
            answer="The cell state is additive.",
            hints=("Explain why the cell state carries gradients further.",),
        ),
    )
    return SubmissionResult("alice", outcomes, isolation="subprocess", seconds=1.25)


def test_manual_ungraded_item_is_excluded_from_the_total() -> None:
    result = make_result()
    assert (result.score, result.max_score) == (3.5, 5.0)


# ---- text ----


def test_text_shows_score_checks_and_failed_feedback() -> None:
    text = render_text(make_result(), width=100)
    assert "alice" in text and "subprocess" in text
    assert "3.5/5" in text
    for name in ("forward shapes", "gate table", "gradient flow", "written explanation"):
        assert name in text
    assert "0.5/2" in text and "1/1" in text
    assert "f_t must use sigmoid, not tanh; see step 2." in text
    assert "tanh-forget-gate" in text
    assert "manual (not graded)" in text
    assert "Explain why the cell state carries gradients further." in text
    assert "All shapes match." not in text  # passed checks show no feedback
    assert "\x1b[" not in text


def test_text_wraps_long_feedback_to_the_width_and_keeps_all_of_it() -> None:
    words = [f"word{i}" for i in range(80)]
    text = render_text(make_result(feedback=" ".join(words)), width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert all(w in text for w in words)


def test_text_does_not_interpret_rich_markup_in_feedback() -> None:
    text = render_text(make_result(feedback="got [bold]x[/bold] and [red]"))
    assert "got [bold]x[/bold] and [red]" in text


def test_summary_table_has_one_row_per_submission() -> None:
    bob = SubmissionResult(
        "bob",
        (
            check(
                "a1", "forward shapes", "a", 4.0, *[CaseOutcome(f"case {n}", float(n == 0)) for n in range(4)]
            ),
        ),
        isolation="docker",
    )
    text = render_summary_table([make_result(), bob])
    alice_row = next(line for line in text.splitlines() if "alice" in line)
    bob_row = next(line for line in text.splitlines() if "bob" in line)
    assert re.search(r"3\.5\D+5\D+70\.0\D+1\D+subprocess", alice_row), alice_row
    assert re.search(r"1\D+4\D+25\.0\D+1\D+docker", bob_row), bob_row


# ---- Markdown ----


def test_markdown_has_heading_total_and_a_row_per_check() -> None:
    md = render_markdown(make_result())
    assert md.startswith("# Feedback: alice\n")
    assert "3.5/5" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    names = ["forward shapes", "gate table", "gradient flow", "written explanation"]
    assert len(rows) == len(names) + 3  # one header row per part
    for name in names:
        assert any(row.startswith(f"| {name} |") for row in rows), name
    assert "| written explanation | -/3 | manual (not graded) |" in md
    assert "f_t must use sigmoid, not tanh; see step 2." in md
    assert "Explain why the cell state" in md


def test_markdown_escapes_pipes_in_table_cells() -> None:
    piped = SubmissionResult(
        "p", (check("x", "a | b", "a", 1.0, CaseOutcome("c", 0.0, "x | y")),), isolation="none"
    )
    md = render_markdown(piped)
    row = next(line for line in md.splitlines() if line.startswith("| a"))
    assert row == "| a \\| b | 0/1 | failed |"
    separators = [line for line in render_markdown(make_result()).splitlines() if line.startswith("| --- |")]
    assert len(separators) == 3  # one table per part


def test_markdown_fences_feedback_that_contains_backticks() -> None:
    md = render_markdown(make_result(feedback="```\n# not a heading\n```"))
    fenced = md[md.index("````text\n") :]
    assert "```\n# not a heading\n```\n" in fenced[: fenced.index("\n````", 8)]


# ---- HTML ----


def test_html_escapes_script_in_feedback() -> None:
    page = render_html(make_result(feedback="<script>alert('x')</script> & more"))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "3.5/5" in page and "manual (not graded)" in page


def test_html_marks_first_wrong_cell() -> None:
    wrong = Locus(step=2, key="c", unit=1)
    page = render_html(make_result(gate=_gate_evidence(wrong)))
    marked = re.findall(r'<td class="num first-wrong"[^>]*>([^<]*)</td>', page)
    assert marked == ["9.877"]
    cell = re.search(
        r'<td class="num first-wrong" data-step="(\d+)" data-key="(\w+)" data-unit="(\d+)">', page
    )
    assert cell is not None and cell.groups() == ("2", "c", "1")
    # the marked cell sits in the student's table, in the columns of gate c
    student_table = page[page.index("Your table</h4>") : page.index("Reference</h4>")]
    row2 = re.findall(r"<tr><th>2</th>(.*?)</tr>", student_table)[0]
    cells = re.findall(r"<td[^>]*>", row2)
    assert "first-wrong" in cells[KEYS.index("c") * 2 + 1]
    assert sum("first-wrong" in c for c in cells) == 1
    assert "your table first leaves the reference at step 2, gate c, unit 1." in page
    assert ">0.311</td>" in page  # the reference value of gate c, step 2, unit 1


def test_html_gate_tables_that_agree_have_no_mark() -> None:
    page = render_html(make_result(gate=_gate_evidence(None)))
    assert 'first-wrong"' not in page.split("</style>")[1]
    assert "agrees with the reference" in page


def test_html_gate_table_without_student_table() -> None:
    page = render_html(make_result(gate=_gate_evidence(None, student=None)))
    assert "no usable gate table" in page
    assert "Reference</h4>" in page and "Your table</h4>" not in page


@pytest.mark.parametrize("student", [[1.0, 0.95, 0.9, 0.85], [1.0, 0.0, -1.0, float("nan")], None])
def test_html_embeds_gradient_plot(student: list[float] | None) -> None:
    page = render_html(make_result(curves=_curves(student)))
    match = re.search(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert match is not None
    assert base64.b64decode(match.group(1)).startswith(b"\x89PNG\r\n\x1a\n")


def test_html_has_no_image_without_gradient_curves() -> None:
    page = render_html(make_result())
    assert "data:image/png;base64," not in page
    assert "<img" not in page
