"""The class report, in Markdown (here) and HTML (class_report_html.py): what the class got right
and wrong, which checks are worth keeping (item analysis), who is behind each misconception and
each crash (linked to their feedback), and which submissions are suspiciously similar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from autograder.classroom.drill_down import DrillDown, feedback_link
from autograder.classroom.item_analysis import ItemAnalysis, ItemStats
from autograder.classroom.similarity_check import SimilarityReport
from autograder.reports.similarity_view import similarity_markdown
from autograder.results.model import SubmissionResult


@dataclass(frozen=True)
class ClassSummary:
    students: int
    scores: list[float]
    max_score: float
    pass_rates: dict[str, tuple[str, float]]  # check id -> (name, share of students with full marks)
    misconceptions: list[tuple[str, int]]
    troubled: list[tuple[str, str]]  # (student, what went wrong)
    slowest: list[tuple[str, float]]


@dataclass(frozen=True)
class ClassView:
    """Everything the report shows, computed once at the end of a batch or an export."""

    summary: ClassSummary
    items: ItemAnalysis
    drill: DrillDown
    similarity: SimilarityReport | None = None
    similarity_note: str = ""  # why the similarity shown may be out of date, or could not be read
    answer_groups_page: str = ""  # the answer groups' page beside the report, once written
    graded: frozenset[str] = frozenset()  # the students with a feedback page beside the report


def summarize(results: Mapping[str, SubmissionResult]) -> ClassSummary:
    names: dict[str, str] = {}
    passed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    misconceptions: Counter[str] = Counter()
    troubled = []
    for student, result in results.items():
        for outcome in result.outcomes:
            if outcome.manual:
                continue
            names[outcome.check_id] = outcome.name
            seen[outcome.check_id] += 1
            passed[outcome.check_id] += outcome.score >= outcome.max_score
        misconceptions.update({m for outcome in result.outcomes for m in outcome.misconceptions})
        if result.troubles:
            troubled.append((student, ", ".join(kind.value for kind in result.troubles)))
    slowest = sorted(((s, r.seconds) for s, r in results.items()), key=lambda item: -item[1])[:10]
    return ClassSummary(
        students=len(results),
        scores=[r.score for r in results.values()],
        max_score=max((r.max_score for r in results.values()), default=0.0),
        pass_rates={c: (names[c], passed[c] / seen[c]) for c in names},
        misconceptions=misconceptions.most_common(),
        troubled=troubled,
        slowest=slowest,
    )


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def figure(value: float | None) -> str:
    """A facility or a discrimination as the report writes it (2 decimals; n/a when undefined)."""
    return "n/a" if value is None else f"{value:.2f}"


def cell(text: str) -> str:
    """Text in a Markdown table cell: no pipe, no line break."""
    return text.replace("|", "/").replace("\n", " ")


def student_links(students: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"[{cell(s).replace(']', ')')}]({feedback_link(s)})" for s in students)


def render_markdown_report(view: ClassView) -> str:
    summary = view.summary
    lines = [
        f"# Class report ({summary.students} submissions)",
        "",
        f"Mean score {mean(summary.scores):.2f} of {summary.max_score:g}.",
        "",
        *_items_markdown(view.items),
        "## Pass rate per check (full marks)",
        "",
        "| check | name | pass rate |",
        "|---|---|---|",
    ]
    for check_id, (name, rate) in sorted(summary.pass_rates.items(), key=lambda item: item[1][1]):
        lines.append(f"| {check_id} | {cell(name)} | {rate:.0%} |")
    lines += [
        "",
        "## Misconceptions diagnosed",
        "",
        "| misconception | submissions | students |",
        "|---|---|---|",
    ]
    lines += [f"| {m} | {len(s)} | {student_links(s)} |" for m, s in view.drill.misconceptions]
    lines += [] if view.drill.misconceptions else ["| (none) | 0 | |"]
    lines += ["", "## Crashes, hangs and limits, per check", ""]
    lines += ["| check | what | submissions | students |", "|---|---|---|---|"] if view.drill.troubles else []
    lines += [
        f"| {t.check_id} | {t.kind.value} | {len(t.students)} | {student_links(t.students)} |"
        for t in view.drill.troubles
    ] or ["None."]
    lines += ["", "## Submissions that crashed, hung or hit a limit", ""]
    lines += [f"- {student_links([s])}: {why}" for s, why in summary.troubled] or ["None."]
    lines += similarity_markdown(view.similarity, view.similarity_note, view.graded)
    if view.answer_groups_page:
        lines += [
            "",
            "## Answer groups",
            "",
            f"The written answers, grouped: [{view.answer_groups_page}]({view.answer_groups_page}).",
        ]
    lines += ["", "## Slowest submissions", "", "| student | seconds |", "|---|---|"]
    lines += [f"| {cell(student)} | {seconds:.2f} |" for student, seconds in summary.slowest]
    return "\n".join(lines) + "\n"


def _items_markdown(items: ItemAnalysis) -> list[str]:
    lines = [
        "## Item analysis",
        "",
        "Facility: the mean fraction of the check's points. Discrimination: the correlation of the "
        "check's score with the rest of the total (item-rest, point-biserial); n/a when either does "
        "not vary.",
        "",
        "| check | name | points | students | facility | discrimination | flags |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_item_row(item, item.name) for item in items.checks]
    lines += [
        "",
        "### Per case",
        "",
        "| check / case | students | facility | discrimination | flags |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {cell(i.item)} | {i.students} | {figure(i.facility)} | {figure(i.discrimination)} | "
        f"{', '.join(i.flags)} |"
        for i in items.cases
    ]
    return [*lines, ""]


def _item_row(item: ItemStats, name: str) -> str:
    return (
        f"| {item.check_id} | {cell(name)} | {item.points:g} | {item.students} | {figure(item.facility)} | "
        f"{figure(item.discrimination)} | {', '.join(item.flags)} |"
    )
