"""Item analysis of a class's results: which checks (and which of their cases) are worth keeping.

For each item, over the students whose result counts it:

- facility: the mean fraction of the item's points the students got (1 = everyone full marks);
- discrimination: the point-biserial (Pearson) correlation of the item's score with the rest of
  the student's total, that is the total without this item's check (the item-rest correlation,
  so the item is not correlated with itself). For a case the item's score is the case's fraction
  and the rest is the total without the whole check the case belongs to. None when either side
  does not vary (everyone alike: nothing to correlate).

The figures read the same scores grades.csv holds: a check's score and the student's total (manual
grades included once entered; a manual item not graded yet is not an item for that student).
"""

from __future__ import annotations

import csv
import io
import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.results.model import SubmissionResult

EASY_FACILITY = 0.9  # nearly everyone gets the points
HARD_FACILITY = 0.2  # nearly no one does

TOO_EASY = "nearly everyone passes"
TOO_HARD = "nearly everyone fails"
NEGATIVE = "discriminates negatively"


@dataclass(frozen=True)
class ItemStats:
    """One check, or one case of a check (`case` set)."""

    check_id: str
    name: str
    case: str | None
    points: float  # the check's points (a case: the check's, shared by its cases)
    students: int  # how many students' results count the item
    facility: float
    discrimination: float | None

    @property
    def item(self) -> str:
        return self.check_id if self.case is None else f"{self.check_id} / {self.case}"

    @property
    def flags(self) -> tuple[str, ...]:
        found = []
        if self.facility >= EASY_FACILITY:
            found.append(TOO_EASY)
        if self.facility <= HARD_FACILITY:
            found.append(TOO_HARD)
        if self.discrimination is not None and self.discrimination < 0:
            found.append(NEGATIVE)
        return tuple(found)


@dataclass(frozen=True)
class ItemAnalysis:
    checks: tuple[ItemStats, ...]
    cases: tuple[ItemStats, ...]


def item_rest_correlation(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson's r of the two (point-biserial when the item scores 0 or full); None when one of
    them does not vary or there are fewer than two students."""
    if len(item) < 2:
        return None
    x, y = np.asarray(item, dtype=float), np.asarray(rest, dtype=float)
    x, y = x - x.mean(), y - y.mean()
    spread = math.sqrt(float(x @ x) * float(y @ y))
    if spread <= 1e-12 * max(1.0, float(np.abs(x).max() * np.abs(y).max())):
        return None
    return float(x @ y) / spread


# An item's column of scores and the column of the rests of the totals (a string: array is not
# subscriptable at run time before Python 3.12).
Columns = tuple["array[float]", "array[float]"]


@dataclass
class ItemTally:
    """The item analysis aggregated as results are read, one at a time: per item only its two
    columns of figures (the item's score, the rest of the total: 16 bytes a student), never the
    results themselves. `merge` appends another tally of the students after these."""

    names: dict[str, str] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    checks: dict[str, Columns] = field(default_factory=dict)
    cases: dict[tuple[str, str], Columns] = field(default_factory=dict)

    def add(self, result: SubmissionResult) -> None:
        total = result.score
        for outcome in (o for o in result.outcomes if o.counts):
            self.names.setdefault(outcome.check_id, outcome.name)
            self.points.setdefault(outcome.check_id, outcome.max_score)
            score = outcome.score
            rest = total - score
            _append(self.checks, outcome.check_id, score, rest)
            for case in outcome.cases if not outcome.manual else ():
                _append(self.cases, (outcome.check_id, case.label), case.fraction, rest)

    def merge(self, other: ItemTally) -> None:
        for key, value in other.names.items():
            self.names.setdefault(key, value)
        for key, figure in other.points.items():
            self.points.setdefault(key, figure)
        _extend(self.checks, other.checks)
        _extend(self.cases, other.cases)

    def analysis(self) -> ItemAnalysis:
        """Every check and case that at least one student's result counts, in rubric order."""
        names, points = self.names, self.points
        checks = tuple(
            _stats(check_id, names[check_id], None, points[check_id], columns, points[check_id])
            for check_id, columns in self.checks.items()
        )
        cases = tuple(
            _stats(check_id, names[check_id], label, points[check_id], columns, 1.0)
            for (check_id, label), columns in self.cases.items()
        )
        return ItemAnalysis(checks, cases)


def _append(columns: dict[Any, Columns], item: Any, score: float, rest: float) -> None:
    found = columns.get(item)
    if found is None:
        found = columns[item] = (array("d"), array("d"))
    found[0].append(score)
    found[1].append(rest)


def _extend(columns: dict[Any, Columns], more: Mapping[Any, Columns]) -> None:
    for item, (scores, rests) in more.items():
        mine = columns.setdefault(item, (array("d"), array("d")))
        mine[0].extend(scores)
        mine[1].extend(rests)


def analyse_items(results: Mapping[str, SubmissionResult]) -> ItemAnalysis:
    """Every check and case that at least one student's result counts, in rubric order."""
    tally = ItemTally()
    for result in results.values():
        tally.add(result)
    return tally.analysis()


def _stats(
    check_id: str,
    name: str,
    case: str | None,
    points: float,
    columns: tuple[Sequence[float], Sequence[float]],
    full: float,
) -> ItemStats:
    item, rest = columns
    facility = sum(item) / len(item) / full if full > 0 else 0.0
    return ItemStats(check_id, name, case, points, len(item), facility, item_rest_correlation(item, rest))


def item_analysis_csv(analysis: ItemAnalysis) -> str:
    """The figures as a table to sort and plot elsewhere: one row per check, then per case."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["check_id", "case", "name", "points", "students", "facility", "discrimination", "flags"])
    for item in (*analysis.checks, *analysis.cases):
        writer.writerow(
            [
                item.check_id,
                item.case or "",
                item.name,
                f"{item.points:g}",
                item.students,
                f"{item.facility:.6f}",
                "" if item.discrimination is None else f"{item.discrimination:.6f}",
                "; ".join(item.flags),
            ]
        )
    return out.getvalue()
