"""The answer groups' page: each group with the rubric's concepts its answers mention (and those
they do not), one answer to read, every member's answer to check, and how to grade the group."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from autograder.classroom.answer_groups import AnswerGroup, Concept
from autograder.classroom.drill_down import feedback_link
from autograder.results.model import number_text
from autograder.rubric.model import Check

STYLE = (
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}"
    ".group{border:1px solid #ccc;border-radius:4px;margin:1em 0;padding:.5em 1em}"
    ".yes{background:#d8f0d2;border-radius:3px;padding:0 .3em;margin-right:.4em}"
    ".no{background:#f6d5d5;border-radius:3px;padding:0 .3em;margin-right:.4em;text-decoration:line-through}"
    "blockquote{white-space:pre-wrap;border-left:3px solid #ccc;margin:.5em 0;padding-left:.8em}"
    "td,th{border-bottom:1px solid #eee;padding:.3em .6em;text-align:left;vertical-align:top}"
    "table{border-collapse:collapse}td.answer{white-space:pre-wrap}"
)


def render_answer_groups(
    groups: Sequence[AnswerGroup], check: Check, concepts: Sequence[Concept], csv_name: str
) -> str:
    answers = sum(len(group.answers) for group in groups)
    legend = "".join(f"<li><b>{escape(c.id)}</b>: {escape(c.says)}</li>" for c in concepts)
    body = [
        f"<h1>Answer groups: {escape(check.name)} "
        f"({escape(check.id)}, {number_text(check.points)} points)</h1>",
        f"<p>{answers} answers in {len(groups)} groups. Answers in one group mention the same concepts "
        "and are worded alike.</p>",
        f"<p>To grade: in <code>{escape(csv_name)}</code>, give a group's score on its <code>*</code> row "
        "(every member gets it) and, for an exception, a score on that student's row; then run "
        f"<code>autograder answer-groups --db GRADEBOOK --import {escape(csv_name)}</code>.</p>",
        f"<p>The rubric's concepts:</p><ul>{legend}</ul>",
        *(_group(group, concepts) for group in groups),
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Answer groups</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _group(group: AnswerGroup, concepts: Sequence[Concept]) -> str:
    chips = "".join(
        f"<span class='{'yes' if c.id in group.concepts else 'no'}'>{escape(c.id)}</span>" for c in concepts
    )
    first = group.answers[0].text if group.answers else ""
    rows = "".join(
        f"<tr><td><a href='{escape(feedback_link(a.student))}'>{escape(a.student)}</a></td>"
        f"<td>{escape(number_text(a.grade.score)) if a.grade else ''}</td>"
        f"<td class='answer'>{escape(a.text) or '<i>no answer</i>'}</td></tr>"
        for a in group.answers
    )
    return (
        f"<div class='group' id='{escape(group.id)}'><h2>{escape(group.id)}: {len(group.answers)} "
        f"answer(s)</h2><p>{chips}</p><blockquote>{escape(first) or '<i>no answer</i>'}</blockquote>"
        "<details><summary>every answer</summary><table>"
        "<tr><th>student</th><th>grade</th><th>answer</th></tr>"
        f"{rows}</table></details></div>"
    )
