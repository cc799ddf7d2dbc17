"""The class report's similarity section: the groups of similar submissions, and the most
similar pairs' matching code side by side (HTML) or listed (Markdown)."""

from __future__ import annotations

from collections.abc import Collection
from html import escape

from autograder.classroom.drill_down import feedback_link
from autograder.classroom.similarity_check import Excerpt, SideBySide, SimilarityReport

SHOWN_MEMBERS = 60  # members of one group listed, the rest counted
SHOWN_GROUPS = 50


def _intro(report: SimilarityReport) -> str:
    return (
        f"{report.students} programs compared ({len(report.left_out)} could not be read), names, literals, "
        "comments and layout left aside and the released stubs not counted. A pair is listed when at least "
        f"{report.threshold:g} of the smaller one's distinctive code (code no more than "
        f"{report.common_limit} programs share) is in the other, or when the two are the same program "
        "once normalised: "
        f"{report.pair_count} pairs, in {len(report.clusters)} groups."
    )


def _md_name(student: str, graded: Collection[str]) -> str:
    """A student's name, linked to their feedback page when the gradebook has one."""
    return f"[{student}]({feedback_link(student)})" if student in graded else student


def _html_name(student: str, graded: Collection[str]) -> str:
    if student not in graded:
        return escape(student)
    return f"<a href='{escape(feedback_link(student))}'>{escape(student)}</a>"


def similarity_markdown(report: SimilarityReport | None, note: str, graded: Collection[str]) -> list[str]:
    lines = ["", "## Similar submissions", ""]
    if report is None:
        return [*lines, note or "Not computed: run `autograder similarity SUBMISSIONS --out OUT`."]
    lines += [note, ""] if note else []
    lines += [_intro(report), ""]
    if not report.clusters:
        return [*lines, "No pair above the threshold."]
    lines += ["| group | submissions | members |", "|---|---|---|"]
    for number, members in enumerate(report.clusters[:SHOWN_GROUPS], 1):
        shown = ", ".join(_md_name(m, graded) for m in members[:SHOWN_MEMBERS])
        more = f" and {len(members) - SHOWN_MEMBERS} more" if len(members) > SHOWN_MEMBERS else ""
        lines.append(f"| {number} | {len(members)} | {shown.replace('|', '/')}{more} |")
    lines += [
        "",
        "| pair | similarity | shared fingerprints | identical once normalised |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {s.pair.a} / {s.pair.b} | {s.pair.score:.2f} | {s.pair.shared} | "
        f"{'yes' if s.pair.identical else 'no'} |"
        for s in report.side_by_side
    ]
    return lines


def similarity_html(report: SimilarityReport | None, note: str, graded: Collection[str]) -> str:
    head = "<h2 id='similarity'>Similar submissions</h2>"
    if report is None:
        return (
            head
            + f"<p>{escape(note or 'Not computed: run autograder similarity SUBMISSIONS --out OUT.')}</p>"
        )
    parts = [head]
    parts += [f"<p class='note'>{escape(note)}</p>"] if note else []
    parts.append(f"<p>{escape(_intro(report))}</p>")
    if not report.clusters:
        return "".join([*parts, "<p>No pair above the threshold.</p>"])
    rows = "".join(
        f"<tr><td>{number}</td><td>{len(members)}</td><td>{_links(members, graded)}</td></tr>"
        for number, members in enumerate(report.clusters[:SHOWN_GROUPS], 1)
    )
    parts.append(f"<table><tr><th>group</th><th>submissions</th><th>members</th></tr>{rows}</table>")
    parts.append("<h3>Most similar pairs, side by side</h3>")
    parts += [_pair_html(shown, graded) for shown in report.side_by_side]
    return "".join(parts)


def _links(members: tuple[str, ...], graded: Collection[str]) -> str:
    shown = ", ".join(_html_name(m, graded) for m in members[:SHOWN_MEMBERS])
    more = f" and {len(members) - SHOWN_MEMBERS} more" if len(members) > SHOWN_MEMBERS else ""
    return shown + more


def _pair_html(shown: SideBySide, graded: Collection[str]) -> str:
    pair = shown.pair
    kind = "identical once normalised" if pair.identical else f"{pair.shared} distinctive fingerprints shared"
    return (
        f"<details><summary>{escape(pair.a)} and {escape(pair.b)}: {pair.score:.2f} ({kind})</summary>"
        f"<div class='sides'>{_side(shown.left, graded)}{_side(shown.right, graded)}</div></details>"
    )


def _side(excerpt: Excerpt, graded: Collection[str]) -> str:
    rows = "".join(
        "<span class='gap'>…</span>\n"
        if number == 0
        else f"<span class='{'hit' if hit else 'ctx'}'>{number:4d}  {escape(text)}</span>\n"
        for number, text, hit in excerpt.lines
    )
    title = _html_name(excerpt.student, graded)
    return f"<div class='side'><div>{title} · {escape(excerpt.module)}.py</div><pre>{rows}</pre></div>"
