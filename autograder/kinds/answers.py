"""Kinds that read a constant instead of calling a function: multiple-choice concept answers, and
a written answer graded by hand (the grader only hints).

Both answers are the student's text: what a result keeps of them (the concept answer quoted back,
the written answer for the person grading it) goes through `untrusted_text` here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from autograder.kinds.base import (
    CheckKind,
    CourseFacts,
    Ground,
    PreparedCase,
    Probe,
    StudentValue,
    plan_entry,
    rubric_error,
)
from autograder.kinds.compare import bounded_repr
from autograder.results.model import CaseOutcome, CheckOutcome, Diagnosis, Failure, FailureKind
from autograder.results.untrusted import untrusted_text
from autograder.rubric.model import Check

MAX_ANSWER_CHARS = 5000  # a written answer kept for the person grading it
CONCEPT_ANSWER_CHARS = 80  # a concept answer quoted back


def answer_said(target: str, answers: Any, given: Any) -> str:
    """What the feedback says of a wrong or missing concept answer: a value that is not a dict of
    text answers is named as such, never reported as "no answer yet"."""
    if not isinstance(answers, Mapping):
        return f"{target} is not a plain dict of answers: got {bounded_repr(answers, CONCEPT_ANSWER_CHARS)}"
    if given is None or (isinstance(given, str) and not given.strip()):
        return "no answer yet"
    if not isinstance(given, str):
        return f"got {bounded_repr(given, CONCEPT_ANSWER_CHARS)}: an answer is a letter, as text"
    return bounded_repr(given, CONCEPT_ANSWER_CHARS)


class Concepts(CheckKind):
    """A dict of question -> letter; each question is a case worth the same."""

    name = "concepts"
    target_key = "attribute"
    case_properties = None
    check_properties: ClassVar[Mapping[str, Any]] = {
        "questions": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["feedback"],
                "additionalProperties": False,
                "properties": {"feedback": {"type": "string", "minLength": 1}},
            },
        }
    }
    match_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "required": ["answers"],
        "additionalProperties": False,
        "properties": {
            "answers": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}
        },
    }

    def validate(self, check: Check, where: str, facts: CourseFacts) -> None:
        answers = facts.constants.get(check.module, {}).get(check.target)
        if not isinstance(answers, Mapping):
            raise rubric_error(
                f"{where}.attribute", f"solutions/{check.module}.py has no dict {check.target}"
            )
        questions = set(check.options.get("questions", {}))
        if questions != set(answers):
            raise rubric_error(
                f"{where}.questions",
                f"expected the reference's questions {sorted(answers)}, got {sorted(questions)}",
            )
        for index, misconception in enumerate(check.misconceptions):
            unknown = set(misconception.match.get("answers", {})) - questions
            if unknown:
                raise rubric_error(
                    f"{where}.misconceptions[{index}].match.answers", f"no question {sorted(unknown)[0]!r}"
                )

    def prepare(self, check: Check, ground: Ground, call_seconds: float) -> tuple[PreparedCase, ...]:
        entry = plan_entry(f"{check.id}#0", check.module, check.target, None, None, call_seconds)
        expected = getattr(ground.references.modules[check.module], check.target)
        return (PreparedCase(check.target, entry, check.target, (), {}, expected),)

    def evaluate(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> CheckOutcome:
        got, expected = values[0], cases[0].expected
        questions = check.options.get("questions", {})
        answers = got.value if got.ok and isinstance(got.value, Mapping) else {}
        outcomes, chosen = [], {}
        for question, answer in expected.items():
            given = answers.get(question)
            text = given.strip(" \t\n().:").lower() if isinstance(given, str) else ""  # "(b)" is b
            chosen[question] = text
            if not got.ok:
                outcomes.append(CaseOutcome(question, 0.0, failure=got.failure))
            elif text == answer:
                outcomes.append(CaseOutcome(question, 1.0))
            else:
                shown = answer_said(check.target, got.value, given)
                hint = str(questions.get(question, {}).get("feedback", ""))
                outcomes.append(CaseOutcome(question, 0.0, message=shown, hint=hint))
        diagnoses = tuple(
            Diagnosis(
                m.id,
                m.feedback,
                tuple(q for q, a in m.match.get("answers", {}).items() if chosen.get(q) == a),
            )
            for m in check.misconceptions
            if any(chosen.get(q) == a for q, a in m.match.get("answers", {}).items())
        )
        return CheckOutcome(
            check.id,
            check.name,
            check.part,
            check.points,
            check.visibility,
            tuple(outcomes),
            credit="all_or_nothing" if check.credit == "all_or_nothing" else "per_case",
            diagnoses=diagnoses,
        )


def _compiled(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise rubric_error(where, f"not a valid regular expression: {error}") from None


class Manual(CheckKind):
    """A written answer: read back, hinted at, and graded by a person (`autograder manual-grade`)."""

    name = "manual"
    target_key = "attribute"
    graded_by_hand = True
    case_properties = None
    credits = ()
    check_properties: ClassVar[Mapping[str, Any]] = {
        "hints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pattern", "hint"],
                "additionalProperties": False,
                "properties": {
                    "pattern": {"type": "string", "minLength": 1},
                    "hint": {"type": "string", "minLength": 1},
                },
            },
        },
        # What a full answer says, each idea with the patterns (any one, case-insensitive) that show
        # an answer mentions it: the answer groups (`autograder answer-groups`) are read by them.
        "concepts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "says", "patterns"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "says": {"type": "string", "minLength": 1},
                    "patterns": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "minLength": 1},
                    },
                },
            },
        },
    }

    def validate(self, check: Check, where: str, facts: CourseFacts) -> None:
        for index, hint in enumerate(check.options.get("hints", ())):
            _compiled(hint["pattern"], f"{where}.hints[{index}].pattern")
        seen: set[str] = set()
        for index, concept in enumerate(check.options.get("concepts", ())):
            if concept["id"] in seen:
                raise rubric_error(f"{where}.concepts[{index}].id", f"{concept['id']!r} is given twice")
            seen.add(concept["id"])
            for number, pattern in enumerate(concept["patterns"]):
                _compiled(pattern, f"{where}.concepts[{index}].patterns[{number}]")

    def prepare(self, check: Check, ground: Ground, call_seconds: float) -> tuple[PreparedCase, ...]:
        entry = plan_entry(f"{check.id}#0", check.module, check.target, None, None, call_seconds)
        return (PreparedCase(check.target, entry, check.target, (), {}, None),)

    def evaluate(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        ground: Ground,
        probes: Sequence[Probe] = (),
    ) -> CheckOutcome:
        got = values[0]
        text = got.value if got.ok and isinstance(got.value, str) else ""
        hints = tuple(
            str(h["hint"])
            for h in check.options.get("hints", ())
            if text.strip() and not re.search(h["pattern"], text, re.IGNORECASE)
        )
        failure = got.failure
        if got.ok and not isinstance(got.value, str):
            failure = Failure(FailureKind.UNREADABLE_VALUE, f"{check.target} is not a str")
        return CheckOutcome(
            check.id,
            check.name,
            check.part,
            check.points,
            check.visibility,
            manual=True,
            answer=untrusted_text(text, MAX_ANSWER_CHARS, multiline=True),
            hints=hints,
            not_graded=failure,
        )
