"""similarity.json: what `autograder similarity` found, kept beside the class report so every
later export (`batch`, `export`) shows it without comparing the code again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.classroom.code_similarity import SimilarPair
from autograder.classroom.similarity_check import Excerpt, SideBySide, SimilarityReport

FILE_NAME = "similarity.json"
VERSION = 1
STORED_PAIRS = 5000  # the most similar pairs kept in the file (all of them are counted)


class SimilarityFileError(ValueError):
    """A similarity.json that cannot be read: one line."""


def report_json(report: SimilarityReport) -> str:
    document = {
        "version": VERSION,
        "students": report.students,
        "threshold": report.threshold,
        "common_limit": report.common_limit,
        "pair_count": report.pair_count,
        "pairs": [_pair(p) for p in report.pairs[:STORED_PAIRS]],
        "clusters": [list(c) for c in report.clusters],
        "side_by_side": [
            {"pair": _pair(s.pair), "left": _excerpt(s.left), "right": _excerpt(s.right)}
            for s in report.side_by_side
        ],
        "left_out": dict(report.left_out),
        "hashes": dict(report.hashes),
    }
    return json.dumps(document, ensure_ascii=False, indent=None)


def read_report(path: Path) -> SimilarityReport | None:
    """The report kept at `path`, None when there is none; SimilarityFileError if unreadable."""
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != VERSION:
            raise SimilarityFileError(
                f"{path}: written by another version; run `autograder similarity` again"
            )
        return SimilarityReport(
            students=int(document["students"]),
            threshold=float(document["threshold"]),
            common_limit=int(document["common_limit"]),
            pair_count=int(document["pair_count"]),
            pairs=tuple(SimilarPair(**p) for p in document["pairs"]),
            clusters=tuple(tuple(str(s) for s in c) for c in document["clusters"]),
            side_by_side=tuple(
                SideBySide(SimilarPair(**s["pair"]), _read_excerpt(s["left"]), _read_excerpt(s["right"]))
                for s in document["side_by_side"]
            ),
            left_out={str(k): str(v) for k, v in document["left_out"].items()},
            hashes={str(k): str(v) for k, v in document["hashes"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, SimilarityFileError):
            raise
        raise SimilarityFileError(f"{path}: not a similarity report ({error})") from None


def _pair(pair: SimilarPair) -> dict[str, Any]:
    return {"a": pair.a, "b": pair.b, "score": pair.score, "shared": pair.shared, "identical": pair.identical}


def _excerpt(excerpt: Excerpt) -> dict[str, Any]:
    return {
        "student": excerpt.student,
        "module": excerpt.module,
        "lines": [list(line) for line in excerpt.lines],
    }


def _read_excerpt(data: dict[str, Any]) -> Excerpt:
    lines = tuple((int(n), str(text), bool(hit)) for n, text, hit in data["lines"])
    return Excerpt(str(data["student"]), str(data["module"]), lines)
