"""The class report as one self-contained HTML page: styles inline, plots as inline PNG, no
script and nothing fetched; links go only to the feedback pages written beside it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from autograder.classroom.drill_down import feedback_link
from autograder.classroom.item_analysis import ItemStats
from autograder.reports.class_plots import distribution_png, facility_discrimination_png
from autograder.reports.class_report import ClassView, figure, mean
from autograder.reports.similarity_view import similarity_html

STYLE = (
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}.flag{color:#a33;font-weight:bold}"
    "nav a{margin-right:1em}details{margin:.3em 0}summary{cursor:pointer}.note{color:#a33}"
    ".sides{display:flex;gap:1em}.side{flex:1;min-width:0}.side pre{overflow-x:auto;font-size:12px;"
    "background:#fafafa;border:1px solid #ddd;padding:.4em}.hit{background:#fde2a1}.ctx{color:#666}"
    ".gap{color:#999}img{max-width:100%}"
)


def render_html_report(view: ClassView) -> str:
    summary = view.summary
    scatter = facility_discrimination_png(view.items.checks)
    body = [
        f"<h1>Class report ({summary.students} submissions)</h1>",
        "<nav><a href='#items'>item analysis</a><a href='#misconceptions'>misconceptions</a>"
        "<a href='#troubles'>crashes, hangs, limits</a><a href='#similarity'>similar submissions</a>"
        + ("<a href='#groups'>answer groups</a>" if view.answer_groups_page else "")
        + "</nav>",
        f"<p>Mean score {mean(summary.scores):.2f} of {summary.max_score:g}.</p>",
        f"<img alt='score distribution' src='data:image/png;base64,"
        f"{distribution_png(summary.scores, summary.max_score)}'>",
        "<h2 id='items'>Item analysis</h2>",
        "<p>Facility: the mean fraction of the check's points. Discrimination: the correlation of the "
        "check's score with the rest of the total (item-rest, point-biserial); n/a when either does not "
        "vary. Flagged: nearly everyone passes (facility at least 0.9), nearly everyone fails (at most "
        "0.2), or a negative discrimination.</p>",
        f"<img alt='facility against discrimination' src='data:image/png;base64,{scatter}'>",
        _items_table(view.items.checks, cases=False),
        f"<details><summary>Per case ({len(view.items.cases)})</summary>"
        f"{_items_table(view.items.cases, cases=True)}</details>",
        _pass_rates(view),
        _misconceptions(view),
        _troubles(view),
        similarity_html(view.similarity, view.similarity_note, view.graded),
        _answer_groups(view),
        _slowest(view),
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _links(students: Sequence[str]) -> str:
    return ", ".join(f"<a href='{escape(feedback_link(s))}'>{escape(s)}</a>" for s in students)


def _items_table(items: Sequence[ItemStats], *, cases: bool) -> str:
    head = "<tr><th>check / case</th>" if cases else "<tr><th>check</th><th>name</th><th>points</th>"
    head += "<th>students</th><th>facility</th><th>discrimination</th><th>flags</th></tr>"
    rows = "".join(
        "<tr>"
        + (
            f"<td>{escape(i.item)}</td>"
            if cases
            else f"<td>{escape(i.check_id)}</td><td>{escape(i.name)}</td><td>{i.points:g}</td>"
        )
        + f"<td>{i.students}</td><td>{figure(i.facility)}</td><td>{figure(i.discrimination)}</td>"
        f"<td class='flag'>{escape(', '.join(i.flags))}</td></tr>"
        for i in items
    )
    return f"<table>{head}{rows}</table>"


def _pass_rates(view: ClassView) -> str:
    rows = "".join(
        f"<tr><td>{escape(c)}</td><td>{escape(n)}</td><td>{r:.0%}</td></tr>"
        for c, (n, r) in sorted(view.summary.pass_rates.items(), key=lambda item: item[1][1])
    )
    return (
        "<h2>Pass rate per check (full marks)</h2>"
        f"<table><tr><th>check</th><th>name</th><th>pass rate</th></tr>{rows}</table>"
    )


def _misconceptions(view: ClassView) -> str:
    rows = (
        "".join(
            f"<tr><td>{escape(m)}</td><td>{len(s)}</td><td><details><summary>students</summary>{_links(s)}"
            "</details></td></tr>"
            for m, s in view.drill.misconceptions
        )
        or "<tr><td>(none)</td><td>0</td><td></td></tr>"
    )
    return (
        "<h2 id='misconceptions'>Misconceptions diagnosed</h2>"
        f"<table><tr><th>misconception</th><th>submissions</th><th>students</th></tr>{rows}</table>"
    )


def _troubles(view: ClassView) -> str:
    rows = "".join(
        f"<tr><td>{escape(t.check_id)}</td><td>{escape(t.kind.value)}</td><td>{len(t.students)}</td>"
        f"<td><details><summary>students</summary>{_links(t.students)}</details></td></tr>"
        for t in view.drill.troubles
    )
    per_check = (
        f"<table><tr><th>check</th><th>what</th><th>submissions</th><th>students</th></tr>{rows}</table>"
        if rows
        else "<p>None.</p>"
    )
    troubled = (
        "".join(f"<li>{_links([s])}: {escape(w)}</li>" for s, w in view.summary.troubled) or "<li>None.</li>"
    )
    return (
        "<h2 id='troubles'>Crashes, hangs and limits, per check</h2>"
        f"{per_check}<h2>Submissions that crashed, hung or hit a limit</h2><ul>{troubled}</ul>"
    )


def _answer_groups(view: ClassView) -> str:
    if not view.answer_groups_page:
        return ""
    page = escape(view.answer_groups_page)
    return (
        f"<h2 id='groups'>Answer groups</h2><p>The written answers, grouped: <a href='{page}'>{page}</a>.</p>"
    )


def _slowest(view: ClassView) -> str:
    rows = "".join(f"<tr><td>{escape(s)}</td><td>{t:.2f}</td></tr>" for s, t in view.summary.slowest)
    return f"<h2>Slowest submissions</h2><table><tr><th>student</th><th>seconds</th></tr>{rows}</table>"
