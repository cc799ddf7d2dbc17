"""A Markdown rendering of one submission's result: score, a table per part, feedback sections.

Pure function: takes a result, returns the document as a string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from autograder.reports.feedback import grader_error_text, result_feedback
from autograder.results.model import SubmissionResult
from autograder.results.model import number_text as _num
from autograder.results.model import score_text as _score
from autograder.results.model import status_text as _status


def _cell(text: str) -> str:
    """A table cell: one line, with `|` escaped so that it cannot end the cell."""
    one_line = " ".join(text.replace("\r", "\n").split("\n")).strip()
    return one_line.replace("\\", "\\\\").replace("|", "\\|")


def _inline(text: str) -> str:
    """Text for a heading or list item: one line."""
    return " ".join(text.split())


def _fenced(text: str) -> str:
    """Verbatim text in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def render_markdown(result: SubmissionResult, feedback: Mapping[str, str] | None = None) -> str:
    """The feedback document for one submission, in Markdown (`feedback`: `result_feedback(result)`,
    if the caller has it already)."""
    lines = [
        f"# Feedback: {_inline(result.submission)}",
        "",
        f"**Total score: {_num(result.score)}/{_num(result.max_score)}**",
        "",
        f"Isolation: {_inline(result.isolation)}",
    ]
    notes = list(result.notes)
    if result.grader_error is not None:
        notes.insert(0, grader_error_text(result.grader_error))
    if notes:
        lines.append("")
        lines.extend(f"- {_inline(note)}" for note in notes)
    parts = result.by_part()
    for part, outcomes in parts.items():
        lines += ["", f"## Part {_inline(part)}", "", "| Check | Score | Status |", "| --- | ---: | --- |"]
        lines.extend(f"| {_cell(o.name)} | {_score(o)} | {_cell(_status(o))} |" for o in outcomes)
    flagged = [o for outcomes in parts.values() for o in outcomes if o.status != "passed" or o.manual]
    feedback = result_feedback(result) if feedback is None else feedback
    if flagged:
        lines += ["", "## Feedback"]
    for outcome in flagged:
        lines += ["", f"### Part {_inline(outcome.part)}: {_inline(outcome.name)} [{_status(outcome)}]", ""]
        if outcome.misconceptions:
            lines += ["Misconceptions: " + ", ".join(f"`{m}`" for m in outcome.misconceptions), ""]
        lines.append(_fenced(feedback[outcome.check_id] or "(no feedback)"))
    return "\n".join(lines) + "\n"
