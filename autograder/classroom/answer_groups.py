"""Answer groups for a written answer graded by hand: similar answers are read and graded once.

Two answers land in the same group only if they mention the same concepts of the rubric (the
manual check's `concepts`, each found by its patterns), since the grade follows the concepts;
within those, answers are grouped by wording (TF-IDF vectors, agglomerative clustering with a
cosine distance threshold, from scikit-learn), so one group reads as one kind of answer and a
group of answers saying the same things in different ways (or adding a wrong claim) is split.
Any class size works: one answer is one group, empty answers are a group of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograder.results.model import ManualGrade, SubmissionResult
from autograder.rubric.model import Check

WORDING_DISTANCE = 0.8  # cosine distance (average linkage) below which answers share a group
MAX_CLUSTERED = 2000  # answers of one concept set clustered at once (memory grows with the square)


class AnswerGroupError(ValueError):
    """A check that is not a written answer with concepts, or no answers to group: one line."""


@dataclass(frozen=True)
class Concept:
    id: str
    says: str
    patterns: tuple[re.Pattern[str], ...]

    def mentioned_in(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)


@dataclass(frozen=True)
class Answer:
    student: str
    text: str
    concepts: tuple[str, ...]  # the concept ids it mentions, in the rubric's order
    grade: ManualGrade | None  # the manual grade entered so far


@dataclass(frozen=True)
class AnswerGroup:
    id: str  # "G1", "G2", ... in the order shown
    concepts: tuple[str, ...]
    answers: tuple[Answer, ...]

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(answer.student for answer in self.answers)


def manual_check(checks: Sequence[Check], check_id: str | None) -> Check:
    """The written answer to group: `check_id`, or the only manual check with concepts."""
    manual = [c for c in checks if c.manual]
    if check_id is not None:
        found = next((c for c in manual if c.id == check_id), None)
        if found is None:
            names = ", ".join(c.id for c in manual) or "none"
            raise AnswerGroupError(f"{check_id!r}: not a manual check of the rubric (those are: {names})")
    else:
        with_concepts = [c for c in manual if c.options.get("concepts")]
        if len(with_concepts) != 1:
            names = ", ".join(c.id for c in with_concepts) or "none"
            raise AnswerGroupError(f"name the manual check to group with --check (with concepts: {names})")
        found = with_concepts[0]
    if not found.options.get("concepts"):
        raise AnswerGroupError(f"{found.id}: the rubric gives it no concepts ({found.where}.concepts)")
    return found


def rubric_concepts(check: Check) -> tuple[Concept, ...]:
    return tuple(
        Concept(str(c["id"]), str(c["says"]), tuple(re.compile(p, re.IGNORECASE) for p in c["patterns"]))
        for c in check.options.get("concepts", ())
    )


def mentioned(text: str, concepts: Sequence[Concept]) -> tuple[str, ...]:
    return tuple(concept.id for concept in concepts if concept.mentioned_in(text))


def class_answers(
    results: Mapping[str, SubmissionResult], check_id: str, concepts: Sequence[Concept]
) -> list[Answer]:
    """Each student's answer to the check (empty when there is none), with its concepts."""
    answers = []
    for student, result in results.items():
        outcome = next((o for o in result.outcomes if o.check_id == check_id), None)
        if outcome is None:
            continue
        text = outcome.answer.strip()
        answers.append(Answer(student, text, mentioned(text, concepts), outcome.manual_grade))
    if not answers:
        raise AnswerGroupError(f"no result in the gradebook has an answer to {check_id}")
    return answers


def group_answers(answers: Sequence[Answer], distance: float = WORDING_DISTANCE) -> list[AnswerGroup]:
    """The groups: by concepts mentioned (most first), then by wording; largest first within."""
    by_concepts: dict[tuple[str, ...], list[Answer]] = {}
    for answer in answers:
        by_concepts.setdefault(answer.concepts, []).append(answer)
    found: list[tuple[tuple[str, ...], list[Answer]]] = []
    for concepts, members in by_concepts.items():
        empty = [a for a in members if not a.text]
        written = [a for a in members if a.text]
        if empty:
            found.append((concepts, empty))
        found += [(concepts, cluster) for cluster in _by_wording(written, distance)]
    found.sort(key=lambda item: (-len(item[0]), item[0], not item[1][0].text, -len(item[1])))
    return [
        AnswerGroup(f"G{number}", concepts, tuple(sorted(members, key=lambda a: a.student)))
        for number, (concepts, members) in enumerate(found, 1)
    ]


def _by_wording(answers: list[Answer], distance: float) -> list[list[Answer]]:
    if len(answers) < 2:
        return [answers] if answers else []
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    clusters: list[list[Answer]] = []
    for start in range(0, len(answers), MAX_CLUSTERED):
        chunk = answers[start : start + MAX_CLUSTERED]
        if len(chunk) < 2:
            clusters.append(chunk)
            continue
        try:
            vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
                a.text for a in chunk
            )
        except ValueError:  # no word that is not a stop word in any of them
            clusters.append(chunk)
            continue
        worded = [index for index, norm in enumerate(vectors.multiply(vectors).sum(axis=1).A1) if norm > 0]
        unworded = [chunk[index] for index in sorted(set(range(len(chunk))) - set(worded))]
        clusters += [unworded] if unworded else []
        if len(worded) < 2:
            clusters += [[chunk[index] for index in worded]] if worded else []
            continue
        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
        ).fit_predict(vectors[worded].toarray())
        grouped: dict[int, list[Answer]] = {}
        for index, label in zip(worded, labels, strict=True):
            grouped.setdefault(int(label), []).append(chunk[index])
        clusters += grouped.values()
    return clusters
