"""The class report, in Markdown (here) and HTML (class_report_html.py): what the class got right
and wrong, which checks are worth keeping (item analysis), who is behind each misconception and
each crash (linked to their feedback), and which submissions are suspiciously similar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

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


SLOWEST = 10  # the slowest submissions the report lists


@dataclass
class SummaryTally:
    """The class summary aggregated as results are read, one at a time: counts, each student's
    score (for the distribution) and the few slowest, never the results. `merge` appends another
    tally of the students after these."""

    names: dict[str, str] = field(default_factory=dict)
    passed: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)
    misconceptions: Counter[str] = field(default_factory=Counter)
    troubled: list[tuple[str, str]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    max_score: float | None = None
    slowest: list[tuple[str, float]] = field(default_factory=list)

    def add(self, student: str, result: SubmissionResult) -> None:
        for outcome in result.outcomes:
            if outcome.manual:
                continue
            self.names[outcome.check_id] = outcome.name
            self.seen[outcome.check_id] += 1
            self.passed[outcome.check_id] += outcome.score >= outcome.max_score
        self.misconceptions.update({m for outcome in result.outcomes for m in outcome.misconceptions})
        if result.troubles:
            self.troubled.append((student, ", ".join(kind.value for kind in result.troubles)))
        self.scores.append(result.score)
        self._most(result.max_score)
        self._slow([(student, result.seconds)])

    def merge(self, other: SummaryTally) -> None:
        self.names.update(other.names)
        self.passed.update(other.passed)
        self.seen.update(other.seen)
        self.misconceptions.update(other.misconceptions)
        self.troubled += other.troubled
        self.scores += other.scores
        if other.max_score is not None:
            self._most(other.max_score)
        self._slow(other.slowest)

    def _most(self, max_score: float) -> None:
        if self.max_score is None or max_score > self.max_score:
            self.max_score = max_score

    def _slow(self, more: list[tuple[str, float]]) -> None:
        """Keep the SLOWEST slowest so far, the first of equals first (a stable sort: as sorting all)."""
        self.slowest += more
        if len(self.slowest) > 4 * SLOWEST:
            self.slowest = sorted(self.slowest, key=lambda item: -item[1])[:SLOWEST]

    def summary(self) -> ClassSummary:
        names, passed, seen = self.names, self.passed, self.seen
        return ClassSummary(
            students=len(self.scores),
            scores=list(self.scores),
            max_score=0.0 if self.max_score is None else self.max_score,
            pass_rates={c: (names[c], passed[c] / seen[c]) for c in names},
            misconceptions=self.misconceptions.most_common(),
            troubled=list(self.troubled),
            slowest=sorted(self.slowest, key=lambda item: -item[1])[:SLOWEST],
        )


def summarize(results: Mapping[str, SubmissionResult]) -> ClassSummary:
    tally = SummaryTally()
    for student, result in results.items():
        tally.add(student, result)
    return tally.summary()


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
