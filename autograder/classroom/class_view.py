"""The class report's files, computed once from a class's results (at the end of `batch`, by
`export`, after `similarity`): class_report.html (one self-contained file) and class_report.md,
beside the feedback folder they link to, with what `similarity` and `answer-groups` left there;
and item_analysis.csv, the item analysis as data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from autograder.classroom.drill_down import drill_down
from autograder.classroom.export import write_own
from autograder.classroom.item_analysis import analyse_items, item_analysis_csv
from autograder.classroom.similarity_check import SimilarityReport
from autograder.classroom.similarity_store import FILE_NAME, SimilarityFileError, read_report
from autograder.reports.class_report import ClassView, render_markdown_report, summarize
from autograder.reports.class_report_html import render_html_report
from autograder.results.model import SubmissionResult

ANSWER_GROUPS_PAGE = "answer_groups.html"
REPORT_HTML = "class_report.html"
REPORT_MARKDOWN = "class_report.md"
ITEM_ANALYSIS = "item_analysis.csv"


def class_view(
    results: Mapping[str, SubmissionResult], out: Path, current: Mapping[str, str] | None = None
) -> ClassView:
    """The report's data; `current` (student -> content hash) tells a similarity report computed
    on older code."""
    similarity, note = _similarity(out / FILE_NAME, current)
    return ClassView(
        summary=summarize(results),
        items=analyse_items(results),
        drill=drill_down(results),
        similarity=similarity,
        similarity_note=note,
        answer_groups_page=ANSWER_GROUPS_PAGE if (out / ANSWER_GROUPS_PAGE).is_file() else "",
        graded=frozenset(results),
    )


def write_class_report(
    results: Mapping[str, SubmissionResult], out: Path, current: Mapping[str, str] | None = None
) -> Path:
    view = class_view(results, out, current)
    write_own(out / ITEM_ANALYSIS, item_analysis_csv(view.items))
    write_own(out / REPORT_MARKDOWN, render_markdown_report(view))
    write_own(out / REPORT_HTML, render_html_report(view))
    return out / REPORT_HTML


def _similarity(path: Path, current: Mapping[str, str] | None) -> tuple[SimilarityReport | None, str]:
    try:
        report = read_report(path)
    except SimilarityFileError as error:
        return None, str(error)
    if report is None or current is None:
        return report, ""
    changed = [
        s for s, digest in report.hashes.items() if s in current and current[s].split("-")[0] != digest
    ]
    if not changed:
        return report, ""
    return report, (
        f"{len(changed)} submission(s) changed since `autograder similarity` compared them "
        f"(such as {changed[0]}): run it again"
    )
