"""The class report, in HTML and Markdown: what the class got right and wrong, and what broke."""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

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


def distribution_png(summary: ClassSummary) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.5), dpi=100)
    axes = figure.subplots()
    axes.hist(
        summary.scores,
        bins=min(20, max(5, summary.students)),
        range=(0, summary.max_score or 1),
        color="#4c78a8",
        edgecolor="white",
    )
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_title(f"Score distribution ({summary.students} submissions)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def render_markdown_report(summary: ClassSummary) -> str:
    lines = [
        f"# Class report ({summary.students} submissions)",
        "",
        f"Mean score {_mean(summary.scores):.2f} of {summary.max_score:g}.",
        "",
        "## Pass rate per check (full marks)",
        "",
        "| check | name | pass rate |",
        "|---|---|---|",
    ]
    for check_id, (name, rate) in sorted(summary.pass_rates.items(), key=lambda item: item[1][1]):
        lines.append(f"| {check_id} | {name.replace('|', '/')} | {rate:.0%} |")
    lines += ["", "## Misconceptions diagnosed", "", "| misconception | submissions |", "|---|---|"]
    lines += [f"| {m} | {n} |" for m, n in summary.misconceptions] or ["| (none) | 0 |"]
    lines += ["", "## Submissions that crashed, hung or hit a limit", ""]
    lines += [f"- {student}: {why}" for student, why in summary.troubled] or ["None."]
    lines += ["", "## Slowest submissions", "", "| student | seconds |", "|---|---|"]
    lines += [f"| {student} | {seconds:.2f} |" for student, seconds in summary.slowest]
    return "\n".join(lines) + "\n"


def render_html_report(summary: ClassSummary) -> str:
    rows = "".join(
        f"<tr><td>{escape(c)}</td><td>{escape(n)}</td><td>{r:.0%}</td></tr>"
        for c, (n, r) in sorted(summary.pass_rates.items(), key=lambda item: item[1][1])
    )
    misconceptions = "".join(f"<tr><td>{escape(m)}</td><td>{n}</td></tr>" for m, n in summary.misconceptions)
    troubled = "".join(f"<li>{escape(s)}: {escape(w)}</li>" for s, w in summary.troubled) or "<li>None.</li>"
    slowest = "".join(f"<tr><td>{escape(s)}</td><td>{t:.2f}</td></tr>" for s, t in summary.slowest)
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Class report</title><style>{style}</style>"
        f"</head><body><h1>Class report ({summary.students} submissions)</h1>"
        f"<p>Mean score {_mean(summary.scores):.2f} of {summary.max_score:g}.</p>"
        f"<img alt='score distribution' src='data:image/png;base64,{distribution_png(summary)}'>"
        "<h2>Pass rate per check (full marks)</h2>"
        f"<table><tr><th>check</th><th>name</th><th>pass rate</th></tr>{rows}</table>"
        "<h2>Misconceptions diagnosed</h2>"
        f"<table><tr><th>misconception</th><th>submissions</th></tr>{misconceptions}</table>"
        f"<h2>Submissions that crashed, hung or hit a limit</h2><ul>{troubled}</ul>"
        f"<h2>Slowest submissions</h2><table><tr><th>student</th><th>seconds</th></tr>{slowest}</table>"
        "</body></html>\n"
    )
