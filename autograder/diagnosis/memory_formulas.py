"""The formula behind each key of a student's `training_memory`, recovered and compared with the
reference's term by term: which factor is missing (the sequence length, the bytes per value), which
coefficient is off (6·H where the cache keeps 7·H)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from autograder.diagnosis.count_formulas import exact, first_layer_readings
from autograder.diagnosis.formula import (
    Polynomial,
    common_factor,
    factored_text,
    interpolate,
    monomial_text,
    number_text,
    term_text,
)
from autograder.results.model import FormulaFinding

NAMES = ("B", "T", "bytes", "H", "I")
NODES = ((2, 3), (2, 5), (2, 4), (2, 4, 7), (3, 5, 8))  # linear in B, T, bytes; quadratic in H, I
CONFIRM = ((5, 3, 8, 5, 13), (7, 11, 2, 9, 6))
OPTIMIZERS = ("sgd", "momentum", "adam")
KEYS = ("parameters", "gradients", "optimizer_state", "activations", "total")
FACTORS = {"B": "the batch size B", "T": "the sequence length T", "bytes": "bytes_per_value"}

Key = tuple[str, int, int, int, int, int]  # optimizer, B, T, bytes, H, I


def sweep_points() -> list[dict[str, Any]]:
    sizes = [*itertools.product(*NODES), *CONFIRM]
    return [
        {
            "input_size": i,
            "hidden_size": h,
            "batch_size": b,
            "seq_len": t,
            "bytes_per_value": by,
            "optimizer": optimizer,
        }
        for optimizer, (b, t, by, h, i) in itertools.product(OPTIMIZERS, sizes)
    ]


def point_key(point: Mapping[str, Any]) -> Key:
    return (
        point["optimizer"],
        point["batch_size"],
        point["seq_len"],
        point["bytes_per_value"],
        point["hidden_size"],
        point["input_size"],
    )


def reference_values(function: Callable[..., Any]) -> dict[Key, Any]:
    return {point_key(p): dict(function(**p)) for p in sweep_points()}


def recover(values: Mapping[Key, Any], optimizer: str, key: str) -> Polynomial | None:
    def at(point: tuple[int, ...]) -> Fraction | int:
        found = values.get((optimizer, *point))  # type: ignore[arg-type]
        return exact(found.get(key) if isinstance(found, Mapping) else None)

    try:
        poly = interpolate(NAMES, NODES, at)
        return poly if all(poly(point) == at(point) for point in CONFIRM) else None
    except LookupError:
        return None


def agrees(student: Mapping[Key, Any], truth: Mapping[Key, Any], optimizer: str, key: str) -> bool:
    """The student's `key` equals the reference's, exactly, at every point swept for `optimizer`."""
    for point, right in truth.items():
        if point[0] != optimizer:
            continue
        found = student.get(point)
        try:
            if exact(found.get(key) if isinstance(found, Mapping) else None) != exact(right[key]):
                return False
        except LookupError:
            return False
    return True


def differences(student: Polynomial, truth: Polynomial) -> list[str]:
    """What the student's formula does differently: a missing or extra factor when the rest is the
    same, else the terms that differ (inside the common factor when both share it)."""
    if not student.terms:
        return ["it is always 0"]
    times = proportion(student, truth)
    if times is not None:
        return [f"it is {number_text(times)} times the right value"]
    s_factor, s_rest = common_factor(student)
    t_factor, t_rest = common_factor(truth)
    factors = []
    for name, s_exp, t_exp in zip(NAMES, s_factor, t_factor, strict=True):
        if s_exp < t_exp:
            factors.append(f"it does not grow with {FACTORS.get(name, name)}")
        elif s_exp > t_exp:
            factors.append(f"an extra factor {name}")
    constant = proportion(s_rest, t_rest)
    if constant is not None:
        return ([] if constant == 1 else [f"a fixed factor {number_text(constant)}"]) + factors
    counted = count_readings(student, truth)
    if counted is not None:
        return counted
    if any(s_factor) and factors:  # a factor missing, and inside it other terms: say both
        return factors + [f"inside: {d}" for d in term_differences(s_rest, t_rest)]
    return term_differences(student, truth)


def count_readings(student: Polynomial, truth: Polynomial) -> list[str] | None:
    """For bytes that are bytes_per_value times a parameter count: what the count gets wrong, in
    the terms of an LSTM layer (None when either is not such a multiple)."""
    counts = []
    for poly in (student, truth):
        if any(m[0] or m[1] or m[2] != 1 for m in poly.terms):  # B, T or no single bytes factor
            return None
        counts.append(Polynomial(("H", "I"), {(m[3], m[4]): c for m, c in poly.terms.items()}))
    multiple = truth.coefficient(bytes=1, H=1) / 4 if truth.coefficient(bytes=1, H=1) else None
    if not multiple:
        return None
    said = first_layer_readings(counts[0].scaled(1 / multiple), counts[1].scaled(1 / multiple))
    return [f"the parameter count in it has {reading}" for reading in said] or None


def proportion(a: Polynomial, b: Polynomial) -> Fraction | None:
    """r when a = r·b for a constant r, else None."""
    if not a.terms or set(a.terms) != set(b.terms):
        return None
    ratios = {a.terms[m] / b.terms[m] for m in a.terms}
    return next(iter(ratios)) if len(ratios) == 1 else None


def term_differences(student: Polynomial, truth: Polynomial) -> list[str]:
    said = []
    for monomial in sorted(set(student.terms) | set(truth.terms), key=lambda m: (-sum(m), m)):
        s_c, t_c = student.terms.get(monomial), truth.terms.get(monomial)
        if s_c == t_c:
            continue
        theirs = term_text(NAMES, monomial, s_c) if s_c is not None else ""
        right = term_text(NAMES, monomial, t_c) if t_c is not None else ""
        if not right:
            said.append(f"an extra term {theirs}")
        elif not theirs:
            said.append(f"no {monomial_text(NAMES, monomial) or 'constant'} term ({right})")
        else:
            said.append(f"{theirs} where it should be {right}")
    return said or ["its formula differs"]


ReferenceFormula = Callable[[str, str], Polynomial | None]  # (optimizer, key) -> the reference's


def memory_findings(
    student: Mapping[Key, Any], truth: Mapping[Key, Any], reference: ReferenceFormula | None = None
) -> tuple[FormulaFinding, ...]:
    """Per key, the first optimizer whose formula differs (the optimizer state per optimizer).
    `reference`: the reference's formulas, when they are kept (else recovered from `truth`)."""
    formula = reference or (lambda optimizer, key: recover(truth, optimizer, key))
    found: list[FormulaFinding] = []
    for key in KEYS:
        if key == "total" and found:
            break  # a wrong total is read only when every key it sums is right
        optimizers = OPTIMIZERS if key in ("optimizer_state", "total") else OPTIMIZERS[:1]
        for optimizer in optimizers:
            if agrees(student, truth, optimizer, key):
                continue  # the same value at every point: the same formula, nothing to recover
            s, t = recover(student, optimizer, key), formula(optimizer, key)
            if t is None or s == t:
                continue
            subject = f"{key!r} ({optimizer})" if key == "optimizer_state" else repr(key)
            buffers = OPTIMIZERS.index(optimizer)
            times = proportion(s, t) if s is not None and key == "optimizer_state" else None
            if s is not None and times is not None and buffers:
                kept = number_text(times * buffers)
                said = (f"it keeps {kept} buffers the size of the parameters; {optimizer} keeps {buffers}",)
                found.append(FormulaFinding(subject, factored_text(s), factored_text(t), said))
            elif s is None:
                said = ("it does not follow one formula at every size",)
                found.append(FormulaFinding(subject, "", factored_text(t), said))
            else:
                found.append(
                    FormulaFinding(subject, factored_text(s), factored_text(t), tuple(differences(s, t)))
                )
            break
    return tuple(found)
