"""Checks: build each case's inputs, compute the expected value, judge the student's value.

Inputs are made from the rubric's seeded case descriptions; expected values come from the
reference (and, for parameter counts and optimizer state, from the framework figures). Student
values arrive as plain data from the probe. Nothing here runs student code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder import wire_format
from autograder.compare import compare, matches
from autograder.framework_figures import FrameworkFigures
from autograder.results import CheckOutcome
from autograder.rubric import Check
from autograder.variants import References, evaluate_variant

PUBLIC_NAMES: dict[str, tuple[str, ...]] = {
    "lstm_gates": ("sigmoid", "lstm_step", "gate_table"),
    "lstm_gradients": (
        "cell_path_gradient",
        "lstm_cell_gradients",
        "rnn_hidden_gradients",
        "CONCEPT_ANSWERS",
        "EXPLANATION",
    ),
    "lstm_budget": ("weight_shapes", "num_parameters", "training_memory"),
}
TABLE_KEYS = ("f", "i", "c_tilde", "c", "o", "h")
SHOWN_UNITS = 8
CALL_SECONDS = 2.0
INVARIANCE_MISCONCEPTIONS = {"seq_len": "no_seq_len", "bytes_per_value": "one_byte_per_value"}


@dataclass(frozen=True)
class Case:
    label: str
    call: dict[str, Any]  # the probe's plan entry (wire-encoded inputs)
    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    expected: Any


@dataclass(frozen=True)
class StudentValue:
    ok: bool
    value: Any = None
    error: str = ""
    warnings: tuple[str, ...] = ()


def _params(rng: np.random.Generator, input_size: int, hidden_size: int, dtype: str) -> dict[str, np.ndarray]:
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(0.0, 0.5, (hidden_size, hidden_size + input_size)).astype(dtype)
        params[f"b_{gate}"] = rng.normal(0.0, 0.5, hidden_size).astype(dtype)
    return params


def build_inputs(
    function: str, case: Mapping[str, Any], rng: np.random.Generator
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of one case, made from the rubric's description and a seeded generator."""
    dtype = case.get("dtype", "float64")
    size_args = {k: v for k, v in case.items() if k != "label"}
    if function == "sigmoid":
        if case["values"] == "large":
            magnitudes = np.array([1e4, 5e3, 1e3, 800.0, 100.0, 50.0])
            return (np.concatenate([magnitudes, -magnitudes])[: case["size"]],), {}
        return (np.sort(rng.uniform(-9.0, 9.0, case["size"])),), {}
    if function in ("weight_shapes", "num_parameters", "training_memory"):
        return (), size_args
    if function == "cell_path_gradient":
        return (rng.uniform(0.3, 0.99, (case["steps"], case["hidden_size"])),), {}
    input_size, hidden_size = case["input_size"], case["hidden_size"]
    lead = (case["batch"],) if "batch" in case else ()
    if function == "rnn_hidden_gradients":
        steps = case["steps"]
        return (
            rng.normal(size=(steps, input_size)),
            rng.normal(0, 0.9 / np.sqrt(hidden_size), (hidden_size,) * 2),
            rng.normal(size=(hidden_size, input_size)),
            rng.normal(0, 0.3, hidden_size),
            rng.normal(size=hidden_size),
        ), {}
    params = _params(rng, input_size, hidden_size, dtype)
    if function == "lstm_step":
        x, h, c = (rng.normal(size=(*lead, n)).astype(dtype) for n in (input_size, hidden_size, hidden_size))
        return (x, h, c, params), {}
    xs = rng.normal(size=(case["steps"], *lead, input_size)).astype(dtype)
    state: tuple[Any, Any] = (None, None)
    if case.get("initial_state"):
        shape = (hidden_size,) if case["initial_state"] == "shared" else (*lead, hidden_size)
        state = (rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype))
    if function == "gate_table":
        return (xs, params, *state), {}
    if function == "lstm_cell_gradients":
        return (xs, params, rng.normal(size=hidden_size), *state), {}
    raise ValueError(f"no input builder for {function!r}")


def _plan_entry(call_id: str, module: str, name: str, args: Any, kwargs: Any) -> dict[str, Any]:
    entry = {
        "id": call_id,
        "module": module,
        "name": name,
        "timeout": CALL_SECONDS,
        "args": None,
        "kwargs": None,
    }
    if args is not None:
        entry["args"] = wire_format.encode(list(args))
        entry["kwargs"] = wire_format.encode(dict(kwargs))
    return entry


def prepare(check: Check, ref: References, figures: FrameworkFigures) -> list[Case]:
    """Every case of `check`, with the plan entry the probe will run and the expected value."""
    module = {"lstm_gates": ref.gates, "lstm_gradients": ref.grads, "lstm_budget": ref.budget}[check.module]
    if check.kind in ("concepts", "manual"):
        name = check.attribute or ""
        entry = _plan_entry(f"{check.id}#0", check.module, name, None, None)
        return [Case(name, entry, name, (), {}, getattr(module, name))]
    cases = []
    for index, spec in enumerate(check.cases):
        call_id = f"{check.id}#{index}"
        label = str(spec.get("label", f"case {index + 1}"))
        if check.kind == "raises":
            function, args, kwargs = spec["call"], (), dict(spec["args"])
            expected: Any = "ValueError"
        else:
            function = check.function or ""
            args, kwargs = build_inputs(function, spec, np.random.default_rng([check.seed, index]))
            expected = _expected(check, function, module, figures, args, kwargs)
        plan = _plan_entry(call_id, check.module, function, args, kwargs)
        cases.append(Case(label, plan, function, args, kwargs, expected))
    return cases


def _expected(
    check: Check,
    function: str,
    module: Any,
    figures: FrameworkFigures,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    if check.kind == "parameter_count":
        return figures.parameter_count(**kwargs)
    reference = getattr(module, function)(*args, **kwargs)
    if check.kind == "memory":
        held = figures.optimizer_bytes(
            kwargs["input_size"],
            kwargs["hidden_size"],
            kwargs.get("optimizer", "sgd"),
            kwargs.get("bytes_per_value", 4),
        )
        expected = {**held, "activations": int(reference["activations"])}
        expected["total"] = sum(expected.values())
        return expected
    if isinstance(reference, Mapping):
        return {
            key: (np.asarray(value) if isinstance(value, np.ndarray) else value)
            for key, value in reference.items()
        }
    return reference


def student_value(raw: Mapping[str, Any] | None) -> StudentValue:
    if raw is None:
        return StudentValue(False, error="no result came back from the probe")
    if not raw.get("ok"):
        error = raw.get("error") or {}
        kind, message = str(error.get("type", "Error")), str(error.get("message", ""))
        if kind == "NotImplementedError":
            return StudentValue(False, error="not implemented yet (it raises NotImplementedError)")
        if kind == "ProbeFailure":
            return StudentValue(False, error=message)
        if kind == "Timeout":
            return StudentValue(False, error=f"timed out: it ran longer than {CALL_SECONDS:g} s")
        detail = str(error.get("traceback", "")).strip().splitlines()
        where = next((line.strip() for line in reversed(detail) if line.strip().startswith("File")), "")
        return StudentValue(False, error=f"raised {kind}: {message}" + (f" ({where})" if where else ""))
    try:
        value = wire_format.decode(raw.get("value"))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return StudentValue(False, error=f"returned a value that could not be read back: {error}")
    warnings = tuple(str(w) for w in raw.get("warnings", ()) if isinstance(w, str))
    return StudentValue(True, value=value, warnings=warnings)


def _case_verdict(check: Check, case: Case, got: StudentValue) -> tuple[float, str | None]:
    """(fraction of the case earned, failure message or None)."""
    if check.kind == "raises":
        if got.ok:
            return 0.0, "returned a value instead of raising ValueError"
        if got.error.startswith("raised ValueError"):
            return 1.0, None
        return 0.0, f"expected ValueError, but it {got.error}"
    if not got.ok:
        return 0.0, got.error
    overflow = [w for w in got.warnings if "overflow" in w.lower()]
    if overflow and check.function == "sigmoid":
        return 0.0, f"numpy warned: {overflow[0]}"
    if check.kind == "memory" and isinstance(got.value, Mapping):
        mismatches = [compare(got.value.get(k), v, 0, 0, f"[{k!r}]") for k, v in case.expected.items()]
        wrong = [m for m in mismatches if m]
        return 1.0 - len(wrong) / len(case.expected), "; ".join(wrong) or None
    mismatch = compare(got.value, case.expected, check.atol, check.rtol)
    return (0.0, mismatch) if mismatch else (1.0, None)


def _variant_matches(check: Check, case: Case, got: StudentValue, name: str, ref: References) -> bool:
    try:
        outputs = evaluate_variant(name, case.function, ref, case.args, case.kwargs)
    except Exception:
        return False
    for output in outputs:
        if check.kind == "memory" and isinstance(got.value, Mapping) and isinstance(output, Mapping):
            # "total" is derived from the others: two mistakes can share a total by coincidence.
            if any(
                _same_int(got.value.get(k), output[k]) and output[k] != case.expected[k]
                for k in case.expected
                if k != "total"
            ):
                return True
        elif matches(got.value, output, check.atol, check.rtol) and not matches(
            output, case.expected, check.atol, check.rtol
        ):
            return True
    return False


def _same_int(a: Any, b: Any) -> bool:
    """Equal byte counts: both plain ints (a student's value may be an array or anything else)."""
    return type(a) is int and type(b) is int and a == b


def _invariance_misconceptions(cases: Sequence[Case], values: Sequence[StudentValue]) -> set[str]:
    """Activations that stay put when seq_len (or bytes_per_value) changes name a mistake even
    when the student's figure matches no single variant."""
    found = set()
    for (a, got_a), (b, got_b) in (
        (p, q) for p in zip(cases, values, strict=True) for q in zip(cases, values, strict=True)
    ):
        if not (
            got_a.ok and got_b.ok and isinstance(got_a.value, Mapping) and isinstance(got_b.value, Mapping)
        ):
            continue
        relevant = ("input_size", "hidden_size", "batch_size", "seq_len", "bytes_per_value")
        changed = [k for k in relevant if a.kwargs.get(k) != b.kwargs.get(k)]
        if len(changed) == 1 and changed[0] in INVARIANCE_MISCONCEPTIONS:
            same_student = _same_int(got_a.value.get("activations"), got_b.value.get("activations"))
            if same_student and a.expected["activations"] != b.expected["activations"]:
                found.add(INVARIANCE_MISCONCEPTIONS[changed[0]])
    return found


def _first_departure(
    got: Any, expected: Mapping[str, Any], atol: float, rtol: float
) -> dict[str, Any] | None:
    """The first step, then gate, then unit where a gate table leaves the reference."""
    if not isinstance(got, Mapping):
        return None
    steps = len(expected["h"])
    for step in range(steps):
        for key in TABLE_KEYS:
            value = got.get(key)
            if not isinstance(value, np.ndarray) or value.shape != expected[key].shape:
                return {"step": 1, "key": key, "unit": 0}
            row_got, row_expected = value[step].astype(float), expected[key][step].astype(float)
            close = np.isclose(row_got, row_expected, atol=atol, rtol=rtol) & np.isfinite(row_got)
            if not close.all():
                unit = int(np.argwhere(~close.reshape(-1))[0][0])
                return {"step": step + 1, "key": key, "unit": unit}
    return None


def _table_rows(table: Any) -> dict[str, list[list[float]]] | None:
    if not isinstance(table, Mapping):
        return None
    rows = {}
    for key in TABLE_KEYS:
        value = table.get(key)
        if not isinstance(value, np.ndarray) or value.ndim != 2:
            return None
        rows[key] = value[:, :SHOWN_UNITS].astype(float).tolist()
    return rows


def _gradient_curves(case: Case, got: StudentValue, ref: References) -> dict[str, Any]:
    xs = np.asarray(case.args[0])
    steps, input_size = xs.shape
    hidden = np.asarray(case.args[2]).shape[0]
    rng = np.random.default_rng(0)
    rnn = ref.grads.rnn_hidden_gradients(
        xs,
        rng.normal(0, 0.9 / np.sqrt(hidden), (hidden, hidden)),
        rng.normal(size=(hidden, input_size)),
        np.zeros(hidden),
        case.args[2],
    )
    student = None
    if got.ok and isinstance(got.value, np.ndarray) and got.value.shape == case.expected.shape:
        student = np.linalg.norm(got.value.astype(float), axis=1).tolist()
    return {
        "k": list(range(steps + 1)),
        "student_lstm": student,
        "reference_lstm": np.linalg.norm(case.expected, axis=1).tolist(),
        "reference_rnn": np.linalg.norm(rnn, axis=1).tolist(),
    }


def evaluate(
    check: Check, cases: Sequence[Case], raw: Mapping[str, Mapping[str, Any]], ref: References
) -> CheckOutcome:
    """Judge one check from the probe's raw outcomes."""
    values = [student_value(raw.get(case.call["id"])) for case in cases]
    if check.kind == "concepts":
        return _evaluate_concepts(check, cases[0], values[0])
    if check.kind == "manual":
        return _evaluate_manual(check, values[0])
    earned, lines, named = 0.0, [], set()
    details: dict[str, Any] = {}
    for case, got in zip(cases, values, strict=True):
        fraction, message = _case_verdict(check, case, got)
        earned += fraction
        lines.append(f"✓ {case.label}" if message is None else f"✗ {case.label}: {message}")
        if message is None or not got.ok:
            continue
        for misconception in check.misconceptions:
            if misconception.variant and _variant_matches(check, case, got, misconception.variant, ref):
                named.add(misconception.id)
            if misconception.match.get("warning") and any(
                misconception.match["warning"] in w.lower() for w in got.warnings
            ):
                named.add(misconception.id)
        if check.kind == "gate_table" and "first_wrong" not in details:
            departure = _first_departure(got.value, case.expected, check.atol, check.rtol)
            if departure:
                details["first_wrong"] = departure
                lines.append(
                    f"  Your table first leaves the reference at step {departure['step']}, "
                    f"gate {departure['key']!r}, unit {departure['unit']}."
                )
    if check.kind == "memory":
        named |= _invariance_misconceptions(cases, values) & {m.id for m in check.misconceptions}
    if check.kind == "gate_table":
        details = {
            "gate_table": {
                "keys": list(TABLE_KEYS),
                "student": _table_rows(values[0].value),
                "reference": _table_rows(cases[0].expected),
                "first_wrong": details.get("first_wrong"),
            }
        }
    if check.kind == "cell_gradients":
        details = {"gradient_curves": _gradient_curves(cases[0], values[0], ref)}
    return _outcome(check, earned / len(cases), lines, named, details)


def _outcome(
    check: Check, fraction: float, lines: list[str], named: set[str], details: Mapping[str, Any]
) -> CheckOutcome:
    if not check.partial_credit:
        fraction = 1.0 if fraction >= 1.0 else 0.0
    score = round(check.points * fraction, 3)
    ordered = [m for m in check.misconceptions if m.id in named]
    seen: set[str] = set()
    for misconception in ordered:
        if misconception.id not in seen:
            seen.add(misconception.id)
            lines.append(f"Diagnosis ({misconception.id}): {misconception.feedback}")
    return CheckOutcome(
        check_id=check.id,
        name=check.name,
        part=check.part,
        max_score=check.points,
        score=score,
        status="passed" if score >= check.points else "failed",
        feedback="\n".join(lines),
        visibility=check.visibility,
        misconceptions=tuple(sorted(seen)),
        details=details,
    )


def _evaluate_concepts(check: Check, case: Case, got: StudentValue) -> CheckOutcome:
    expected: Mapping[str, str] = case.expected
    if not got.ok:
        return _outcome(check, 0.0, [f"✗ CONCEPT_ANSWERS: {got.error}"], set(), {})
    answers = got.value if isinstance(got.value, Mapping) else {}
    right, lines, named = 0, [], set()
    for question, answer in expected.items():
        given = answers.get(question)
        given_text = given.strip().lower() if isinstance(given, str) else ""
        if given_text == answer:
            right += 1
            lines.append(f"✓ {question}")
        else:
            shown = repr(given) if given_text else "no answer yet"
            lines.append(
                f"✗ {question}: {shown}. {check.questions.get(question, {}).get('feedback', '')}".rstrip()
            )
        for misconception in check.misconceptions:
            wanted = misconception.match.get("answers", {})
            if question in wanted and given_text == wanted[question]:
                named.add(misconception.id)
    return _outcome(check, right / len(expected), lines, named, {})


def _evaluate_manual(check: Check, got: StudentValue) -> CheckOutcome:
    text = got.value if got.ok and isinstance(got.value, str) else ""
    if not text.strip():
        lines = ["No explanation written yet." if got.ok else f"EXPLANATION: {got.error}"]
    else:
        lines = [f"Your explanation ({len(text.split())} words) will be graded by hand."]
        lines += [
            f"Hint: {hint['hint']}"
            for hint in check.hints
            if not re.search(hint["pattern"], text, flags=re.IGNORECASE)
        ]
    return CheckOutcome(
        check_id=check.id,
        name=check.name,
        part=check.part,
        max_score=check.points,
        score=0.0,
        status="manual",
        feedback="\n".join(lines),
        visibility=check.visibility,
        manual=True,
        graded=False,
        details={"text": text[:5000]},
    )
