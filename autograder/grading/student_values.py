"""The probe's raw outcome of one call, turned into a `StudentValue`: a decoded value or a typed
failure. The probe says what kind of failure it saw; nothing here reads the student's messages.

Every text of a failure (the exception's message, type and line, a warning) is the student's: it
enters the result here, through `untrusted_text`, cut short and with its control characters escaped.
A value over the wire's bounds is an unreadable value saying which bound, never an exception."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.kinds.base import StudentValue
from autograder.probe import wire_format
from autograder.results.model import Failure, FailureKind
from autograder.results.untrusted import untrusted_text

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


MESSAGE_CHARS = 500  # an exception's message (the runner sends no more)
TYPE_CHARS = 100  # an exception's type name
WHERE_CHARS = 200  # the line a traceback ends in
WARNING_CHARS = 200  # one warning


def _where(traceback: str) -> str:
    lines = traceback.strip().splitlines()
    line = next((line.strip() for line in reversed(lines) if line.strip().startswith("File")), "")
    return untrusted_text(line, WHERE_CHARS)


def _lineage(text: str) -> tuple[str, ...]:
    """The built-in exception names the runner listed (a forged list can only describe its own
    failure; names that are not identifiers are dropped)."""
    return tuple(name for name in text.split(",")[:32] if name.isidentifier() and len(name) <= 64)


def _text(error: Mapping[str, Any], key: str, default: str = "") -> str:
    value = error.get(key, default)
    return value if isinstance(value, str) else default


def failure_of(error: Mapping[str, Any], call_seconds: float) -> Failure:
    kind = PROBE_KINDS.get(_text(error, "kind"), FailureKind.RAISED)
    message = _text(error, "message")
    if kind is FailureKind.TIMED_OUT and message == wire_format.TIME_LIMIT_PASSED:
        message = f"it ran longer than {call_seconds:g} s"
    message = untrusted_text(message, MESSAGE_CHARS)
    if kind is FailureKind.RAISED:
        return Failure(
            kind,
            message,
            untrusted_text(_text(error, "type", "Exception"), TYPE_CHARS),
            _where(_text(error, "traceback")),
            _lineage(_text(error, "lineage")),
        )
    return Failure(kind, message, untrusted_text(_text(error, "type"), TYPE_CHARS))


def student_value(raw: Mapping[str, Any] | None, call_seconds: float) -> StudentValue:
    if raw is None:
        return StudentValue(failure=Failure(FailureKind.PROBE_DIED, "no result came back from the probe"))
    if not raw.get("ok"):
        return StudentValue(failure=failure_of(raw.get("error") or {}, call_seconds))
    try:
        value = wire_format.decode(raw.get("value"))
    except wire_format.TooLargeError as error:
        reason = f"it is too large to grade ({error})"
        return StudentValue(failure=Failure(FailureKind.UNREADABLE_VALUE, untrusted_text(reason, 300)))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return StudentValue(failure=Failure(FailureKind.UNREADABLE_VALUE, untrusted_text(str(error), 200)))
    warnings = tuple(
        untrusted_text(w, WARNING_CHARS) for w in list(raw.get("warnings", ()))[:16] if isinstance(w, str)
    )
    return StudentValue(value=value, warnings=warnings)


def unusable(reason: str) -> StudentValue:
    return StudentValue(failure=Failure(FailureKind.UNUSABLE_FILE, reason))
