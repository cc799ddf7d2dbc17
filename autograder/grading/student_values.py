"""The probe's raw outcome of one call, turned into a `StudentValue`: a decoded value or a typed
failure. The probe says what kind of failure it saw; nothing here reads the student's messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.kinds.base import StudentValue
from autograder.probe import wire_format
from autograder.results.model import Failure, FailureKind

PROBE_KINDS = {
    "not_implemented": FailureKind.NOT_IMPLEMENTED,
    "raised": FailureKind.RAISED,
    "timeout": FailureKind.TIMED_OUT,
    "missing": FailureKind.MISSING,
    "limit": FailureKind.LIMIT_HIT,
    "probe_died": FailureKind.PROBE_DIED,
    "forged": FailureKind.FORGED,
    "unusable": FailureKind.UNUSABLE_FILE,
}


def _where(traceback: str) -> str:
    lines = traceback.strip().splitlines()
    return next((line.strip() for line in reversed(lines) if line.strip().startswith("File")), "")


def failure_of(error: Mapping[str, Any], call_seconds: float) -> Failure:
    kind = PROBE_KINDS.get(str(error.get("kind", "")), FailureKind.RAISED)
    message = str(error.get("message", ""))
    if kind is FailureKind.TIMED_OUT and message == wire_format.TIME_LIMIT_PASSED:
        message = f"it ran longer than {call_seconds:g} s"
    if kind is FailureKind.RAISED:
        lineage = tuple(name for name in str(error.get("lineage", "")).split(",") if name)
        return Failure(
            kind,
            message,
            str(error.get("type", "Exception")),
            _where(str(error.get("traceback", ""))),
            lineage,
        )
    return Failure(kind, message, str(error.get("type", "")))


def student_value(raw: Mapping[str, Any] | None, call_seconds: float) -> StudentValue:
    if raw is None:
        return StudentValue(failure=Failure(FailureKind.PROBE_DIED, "no result came back from the probe"))
    if not raw.get("ok"):
        return StudentValue(failure=failure_of(raw.get("error") or {}, call_seconds))
    try:
        value = wire_format.decode(raw.get("value"))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return StudentValue(failure=Failure(FailureKind.UNREADABLE_VALUE, str(error)[:200]))
    warnings = tuple(str(w) for w in raw.get("warnings", ()) if isinstance(w, str))
    return StudentValue(value=value, warnings=warnings)


def unusable(reason: str) -> StudentValue:
    return StudentValue(failure=Failure(FailureKind.UNUSABLE_FILE, reason))
