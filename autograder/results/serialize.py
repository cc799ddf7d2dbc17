"""A result tree to plain JSON data and back (the gradebook and the batch workers use it)."""

from __future__ import annotations

import dataclasses
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


def to_plain(value: Any) -> Any:
    """Dataclasses to dicts (evidence tagged with its type), enums to their values, tuples to lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if type(value) in EVIDENCE_TAGS:
            data["type"] = EVIDENCE_TAGS[type(value)]
        return data
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


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
    return json.dumps(to_plain(result))


def result_from_json(text: str) -> SubmissionResult:
    return result_from_plain(json.loads(text))
