"""The class report's files, computed once from a class's results (at the end of `batch`, by
`export`, after `similarity`): class_report.html (one self-contained file) and class_report.md,
beside the feedback folder they link to, with what `similarity` and `answer-groups` left there;
and item_analysis.csv, the item analysis as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from autograder.classroom.drill_down import DrillTally
from autograder.classroom.export import write_own
from autograder.classroom.item_analysis import ItemTally, item_analysis_csv
from autograder.classroom.similarity_check import SimilarityReport
from autograder.classroom.similarity_store import FILE_NAME, SimilarityFileError, read_report
from autograder.reports.class_report import ClassView, SummaryTally, render_markdown_report
from autograder.reports.class_report_html import render_html_report
from autograder.results.model import SubmissionResult

ANSWER_GROUPS_PAGE = "answer_groups.html"
REPORT_HTML = "class_report.html"
REPORT_MARKDOWN = "class_report.md"
ITEM_ANALYSIS = "item_analysis.csv"


@dataclass
class ClassTally:
    """What the class report needs, aggregated as results are read one at a time (`add`), so a
    report of 10,000 students never holds 10,000 results; `merge` appends another tally of the
    students after these (a tally per chunk of the class, made in parallel)."""

    summary: SummaryTally = field(default_factory=SummaryTally)
    items: ItemTally = field(default_factory=ItemTally)
    drill: DrillTally = field(default_factory=DrillTally)
    graded: set[str] = field(default_factory=set)

    def add(self, student: str, result: SubmissionResult) -> None:
        self.summary.add(student, result)
        self.items.add(result)
        self.drill.add(student, result)
        self.graded.add(student)

    def merge(self, other: ClassTally) -> None:
        self.summary.merge(other.summary)
        self.items.merge(other.items)
        self.drill.merge(other.drill)
        self.graded |= other.graded


def tally_of(results: Mapping[str, SubmissionResult]) -> ClassTally:
    tally = ClassTally()
    for student, result in results.items():
        tally.add(student, result)
    return tally


def class_view(
    results: Mapping[str, SubmissionResult] | ClassTally, out: Path, current: Mapping[str, str] | None = None
) -> ClassView:
    """The report's data; `current` (student -> content hash) tells a similarity report computed
    on older code."""
    tally = results if isinstance(results, ClassTally) else tally_of(results)
    similarity, note = _similarity(out / FILE_NAME, current)
    return ClassView(
        summary=tally.summary.summary(),
        items=tally.items.analysis(),
        drill=tally.drill.drill_down(),
        similarity=similarity,
        similarity_note=note,
        answer_groups_page=ANSWER_GROUPS_PAGE if (out / ANSWER_GROUPS_PAGE).is_file() else "",
        graded=frozenset(tally.graded),
    )


def write_class_report(
    results: Mapping[str, SubmissionResult] | ClassTally, out: Path, current: Mapping[str, str] | None = None
) -> Path:
    """The report's three files, from the results or from a tally of them."""
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
