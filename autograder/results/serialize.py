"""A result tree to plain JSON data and back (the gradebook and the batch workers use it).

Written by the JSON encoder itself: it walks the lists, dicts and numbers in C and calls back here
only for a dataclass (its fields, evidence tagged with its type) or another mapping. A `StrEnum`
is a str to the encoder, so it is written as its value.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

from autograder.results.model import (
    CaseOutcome,
    CheckOutcome,
    Diagnosis,
    Failure,
    FailureKind,
    FormulaFinding,
    GateTableEvidence,
    GraderError,
    GradientCurvesEvidence,
    Locus,
    ManualGrade,
    SubmissionResult,
)

EVIDENCE_TYPES = {"gate_table": GateTableEvidence, "gradient_curves": GradientCurvesEvidence}
EVIDENCE_TAGS = {kind: tag for tag, kind in EVIDENCE_TYPES.items()}


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _shallow(value: Any) -> Any:
    """One level of a value the JSON encoder does not know: a dataclass's fields (evidence tagged
    with its type), a mapping's items, an enum's value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {name: getattr(value, name) for name in _field_names(type(value))}
        if type(value) in EVIDENCE_TAGS:
            data["type"] = EVIDENCE_TAGS[type(value)]
        return data
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    raise TypeError(f"not plain data: {type(value).__name__}")


def _failure(data: Mapping[str, Any] | None) -> Failure | None:
    if data is None:
        return None
    return Failure(**{**data, "kind": FailureKind(data["kind"]), "lineage": tuple(data["lineage"])})


def _locus(data: Mapping[str, Any] | None) -> Locus | None:
    return None if data is None else Locus(**{**data, "right": tuple(data.get("right", ()))})


def _evidence(data: Mapping[str, Any]) -> GateTableEvidence | GradientCurvesEvidence:
    fields = {k: v for k, v in data.items() if k != "type"}
    if data["type"] == "gate_table":
        return GateTableEvidence(
            **{**fields, "keys": tuple(fields["keys"]), "first_wrong": _locus(fields["first_wrong"])}
        )
    student = fields["student_lstm"]
    return GradientCurvesEvidence(
        case=fields["case"],
        k=tuple(fields["k"]),
        student_lstm=None if student is None else tuple(student),
        reference_lstm=tuple(fields["reference_lstm"]),
        reference_rnn=tuple(fields["reference_rnn"]),
    )


def _case(data: Mapping[str, Any]) -> CaseOutcome:
    return CaseOutcome(**{**data, "failure": _failure(data["failure"]), "locus": _locus(data["locus"])})


def _check(data: Mapping[str, Any]) -> CheckOutcome:
    grade = data["manual_grade"]
    return CheckOutcome(
        **{
            **data,
            "cases": tuple(_case(c) for c in data["cases"]),
            "diagnoses": tuple(
                Diagnosis(d["misconception"], d["feedback"], tuple(d["cases"])) for d in data["diagnoses"]
            ),
            "findings": tuple(
                FormulaFinding(f["subject"], f["student"], f["truth"], tuple(f["differences"]))
                for f in data.get("findings", ())
            ),
            "evidence": tuple(_evidence(e) for e in data["evidence"]),
            "manual_grade": None if grade is None else ManualGrade(**grade),
            "hints": tuple(data["hints"]),
            "not_graded": _failure(data["not_graded"]),
        }
    )


def result_from_plain(data: Mapping[str, Any]) -> SubmissionResult:
    error = data["grader_error"]
    return SubmissionResult(
        submission=data["submission"],
        outcomes=tuple(_check(o) for o in data["outcomes"]),
        isolation=data["isolation"],
        seconds=data["seconds"],
        notes=tuple(data["notes"]),
        grader_error=None if error is None else GraderError(**error),
    )


def result_to_json(result: SubmissionResult) -> str:
    return json.dumps(result, default=_shallow)


def storable_json(result: SubmissionResult) -> str:
    """The result's JSON as text any UTF-8 file or database can hold: a lone surrogate (bytes that
    are not UTF-8, from a file name or a student's output) becomes "?", so the gradebook and the
    exports never meet a string they cannot write."""
    text = json.dumps(result, default=_shallow)  # ASCII: every other character as an escape
    if "\\ud" not in text:  # no surrogate escape at all, so none alone: the common case
        return text
    text = json.dumps(result, default=_shallow, ensure_ascii=False)
    return text.encode("utf-8", "replace").decode("utf-8")


def result_from_json(text: str) -> SubmissionResult:
    return result_from_plain(json.loads(text))
