"""Plain-text renderings of results, laid out with rich: one submission's feedback, or a class summary.

Pure functions: they take results and return strings (no colour codes), nothing is printed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from autograder.reports.feedback import grader_error_text, result_feedback
from autograder.results.model import CheckOutcome, SubmissionResult
from autograder.results.model import number_text as _num
from autograder.results.model import score_text as _score
from autograder.results.model import status_text as _status


def _needs_feedback(outcome: CheckOutcome) -> bool:
    return outcome.status in ("failed", "manual") or outcome.manual


def _export(renderables: Sequence[RenderableType], width: int) -> str:
    """Render to plain text in a private console; markup and highlighting stay off."""
    console = Console(
        record=True,
        width=width,
        file=io.StringIO(),
        force_terminal=False,
        color_system=None,
        markup=False,
        emoji=False,
        highlight=False,
    )
    for renderable in renderables:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def _part_table(part: str, outcomes: Sequence[CheckOutcome]) -> Table:
    table = Table(title=Text(f"Part {part}"), box=box.ASCII, title_justify="left", expand=False)
    table.add_column("check", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for outcome in outcomes:
        table.add_row(Text(outcome.name), Text(_score(outcome)), Text(_status(outcome)))
    return table


def _feedback_block(outcome: CheckOutcome, feedback: str) -> RenderableType:
    title = Text(f"{outcome.name} [{_status(outcome)}]")
    parts: list[RenderableType] = [title]
    if outcome.misconceptions:
        parts.append(Padding(Text("misconceptions: " + ", ".join(outcome.misconceptions)), (0, 0, 0, 2)))
    parts.append(Padding(Text(feedback.strip() or "(no feedback)", overflow="fold"), (0, 0, 0, 2)))
    return Group(*parts)


def render_text(result: SubmissionResult, *, width: int = 100) -> str:
    """One submission's feedback: header, a table of checks per part, then what went wrong."""
    header = Text(
        f"Submission: {result.submission}\n"
        f"Score: {_num(result.score)}/{_num(result.max_score)}\n"
        f"Isolation: {result.isolation}"
    )
    renderables: list[RenderableType] = [header]
    if result.grader_error is not None:
        renderables.append(Text(grader_error_text(result.grader_error)))
    renderables.extend(Text(f"Note: {note}") for note in result.notes)
    feedback = result_feedback(result)
    for part, outcomes in result.by_part().items():
        renderables.append(Text(""))
        renderables.append(_part_table(part, outcomes))
        for outcome in outcomes:
            if _needs_feedback(outcome):
                renderables.append(_feedback_block(outcome, feedback[outcome.check_id]))
    return _export(renderables, width)


def render_summary_table(results: Sequence[SubmissionResult], *, width: int = 100) -> str:
    """One row per submission: name, score, max, percentage, failed checks, isolation."""
    table = Table(box=box.ASCII)
    table.add_column("submission", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("max", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("failed", justify="right", no_wrap=True)
    table.add_column("isolation", overflow="fold")
    for result in results:
        percent = f"{100.0 * result.score / result.max_score:.1f}" if result.max_score > 0 else "-"
        failed = sum(1 for o in result.outcomes if o.status == "failed")
        table.add_row(
            Text(result.submission),
            Text(_num(result.score)),
            Text(_num(result.max_score)),
            Text(percent),
            Text(str(failed)),
            Text(result.isolation),
        )
    return _export([table], width)
