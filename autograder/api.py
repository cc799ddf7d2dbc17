"""The programmatic API: what the CLI calls, usable from a notebook or a test without a subprocess."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from autograder.grading import grade_submission, load_grader
from autograder.results import SubmissionResult, to_gradescope


def grade(
    submissions: Sequence[Path],
    *,
    rubric: Path | None = None,
    live_frameworks: bool = False,
    sandbox: bool | None = None,
) -> list[SubmissionResult]:
    grader = load_grader(rubric, live_frameworks=live_frameworks)
    return [grade_submission(path, grader, sandbox=sandbox) for path in submissions]


def render(results: Sequence[SubmissionResult], output_format: str, *, summary: bool = False) -> str:
    if output_format == "json":
        documents = [to_gradescope(result) for result in results]
        return json.dumps(documents[0] if len(documents) == 1 else documents, indent=1)
    if output_format == "markdown":
        from autograder.render_markdown import render_markdown

        return "\n\n".join(render_markdown(result) for result in results)
    if output_format == "html":
        from autograder.render_html import render_html

        return "\n".join(render_html(result) for result in results)
    from autograder.render_text import render_summary_table, render_text

    if summary:
        return render_summary_table(results)
    return "\n".join(render_text(result) for result in results)


def grade_and_render(
    submissions: Sequence[Path],
    *,
    rubric: Path | None = None,
    output_format: str = "text",
    live_frameworks: bool = False,
    sandbox: bool | None = None,
    summary: bool = False,
) -> str:
    results = grade(submissions, rubric=rubric, live_frameworks=live_frameworks, sandbox=sandbox)
    return render(results, output_format, summary=summary)
