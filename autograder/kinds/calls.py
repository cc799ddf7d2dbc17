"""Kinds whose cases are keyword arguments written in the rubric: a reference-backed call, and a
call that must raise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from autograder.kinds.base import CheckKind, CourseFacts, PreparedCase, StudentValue, rubric_error
from autograder.results.model import CaseOutcome, FailureKind
from autograder.rubric.model import Check

SCALAR_ARGS = {
    "type": "object",
    "maxProperties": 32,
    "additionalProperties": {"type": ["integer", "number", "string", "boolean", "null"]},
}
IDENTIFIER = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}


def check_arguments(
    module: str, function: str, args: Mapping[str, Any], where: str, facts: CourseFacts, complete: bool
) -> None:
    """Every argument is a parameter of the reference function (and, if `complete`, every
    parameter without a default is given)."""
    signature = facts.signatures.get(module, {}).get(function)
    if signature is None:
        raise rubric_error(where, f"solutions/{module}.py has no function {function!r}")
    for name in args:
        if name not in signature.parameters:
            raise rubric_error(
                f"{where}.args.{name}",
                f"{function} has no parameter {name!r} (it takes {', '.join(signature.parameters)})",
            )
    missing = [name for name in signature.required if name not in args]
    if complete and missing:
        raise rubric_error(
            f"{where}.args", f"missing {', '.join(map(repr, missing))}, required by {function}"
        )


class Call(CheckKind):
    """The check's function called with each case's `args`; the reference's value is expected.
    Add a part (c) function with no new code: its cases are its keyword arguments."""

    name = "call"
    case_properties: ClassVar[Mapping[str, Any]] = {"args": SCALAR_ARGS}
    case_required = ("args",)

    def validate_case(self, check: Check, case: Mapping[str, Any], where: str, facts: CourseFacts) -> None:
        check_arguments(check.module, check.target, case["args"], where, facts, complete=True)

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (), dict(case["args"])


class Raises(CheckKind):
    """Each case calls a function of the part with invalid arguments; it must raise the check's
    `exception` (ValueError by default) or a subclass of it."""

    name = "raises"
    target_key = None
    case_properties: ClassVar[Mapping[str, Any]] = {
        "call": IDENTIFIER,
        "args": SCALAR_ARGS,
        "mentions": IDENTIFIER,  # a word the error's message must contain (the argument's name)
    }
    case_required = ("call", "args")
    check_properties: ClassVar[Mapping[str, Any]] = {"exception": IDENTIFIER}

    def validate_case(self, check: Check, case: Mapping[str, Any], where: str, facts: CourseFacts) -> None:
        check_arguments(check.module, case["call"], case["args"], where, facts, complete=False)

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (), dict(case["args"])

    def called_function(self, check: Check, spec: Mapping[str, Any]) -> str:
        return str(spec["call"])

    def expected(
        self, check: Check, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], ground: Any
    ) -> Any:
        return str(check.options.get("exception", "ValueError"))

    def judge(self, check: Check, case: PreparedCase, got: StudentValue) -> CaseOutcome:
        wanted = case.expected
        if got.ok:
            return CaseOutcome(case.label, 0.0, message=f"returned a value instead of raising {wanted}")
        failure = got.failure
        if failure is not None and failure.kind is FailureKind.RAISED and wanted in failure.lineage:
            word = str(case.spec.get("mentions", ""))
            if word.lower() in failure.detail.lower():
                return CaseOutcome(case.label, 1.0)
            return CaseOutcome(
                case.label,
                0.0,
                message=f"your {wanted} must say which argument is wrong: name {word!r}",
            )
        return CaseOutcome(case.label, 0.0, message=f"expected {wanted}", failure=failure)
