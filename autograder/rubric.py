"""Load `rubric.yaml` and validate it in two stages: a JSON schema, then its meaning.

Every error names the file, the key path and what was expected, e.g.
`rubric.yaml: parts[0].checks[2].points: expected a number > 0, got -1`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SCHEMA_VERSION = 1
CHECK_KINDS = (
    "cases",
    "gate_table",
    "cell_gradients",
    "parameter_count",
    "memory",
    "raises",
    "concepts",
    "manual",
)
VISIBILITIES = ("public", "hidden")

_number = {"type": "number"}
_misconception = {
    "type": "object",
    "required": ["id", "feedback"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "feedback": {"type": "string", "minLength": 1},
        "variant": {"type": "string"},
        "match": {"type": "object"},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "assignment", "tolerance", "parts"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "assignment": {"type": "string"},
        "tolerance": {
            "type": "object",
            "required": ["atol", "rtol"],
            "additionalProperties": False,
            "properties": {"atol": _number, "rtol": _number},
        },
        "worked_question": {"type": "object"},
        "parts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "module", "checks"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "module": {"type": "string"},
                    "checks": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id", "name", "kind", "points", "visibility"],
                            "additionalProperties": False,
                            "properties": {
                                "id": {"type": "string"},
                                "name": {"type": "string"},
                                "function": {"type": "string"},
                                "attribute": {"type": "string"},
                                "kind": {"enum": list(CHECK_KINDS)},
                                "points": {"type": "number", "exclusiveMinimum": 0},
                                "visibility": {"enum": list(VISIBILITIES)},
                                "partial_credit": {"type": "boolean"},
                                "seed": {"type": "integer"},
                                "tolerance": {"type": "object"},
                                "cases": {"type": "array", "minItems": 1, "items": {"type": "object"}},
                                "questions": {"type": "object"},
                                "hints": {"type": "array"},
                                "misconceptions": {
                                    "type": "array",
                                    "items": {
                                        "anyOf": [_misconception, {"type": "array", "items": _misconception}]
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


class RubricError(ValueError):
    """A rubric that cannot be used; the message names file, key path and expectation."""


@dataclass(frozen=True)
class Misconception:
    id: str
    feedback: str
    variant: str | None
    match: Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    part: str
    module: str
    kind: str
    points: float
    visibility: str
    partial_credit: bool
    function: str | None
    attribute: str | None
    seed: int
    atol: float
    rtol: float
    cases: tuple[Mapping[str, Any], ...]
    misconceptions: tuple[Misconception, ...]
    questions: Mapping[str, Any]
    hints: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    module: str


@dataclass(frozen=True)
class Rubric:
    path: Path
    assignment: str
    parts: tuple[Part, ...]
    checks: tuple[Check, ...]

    @property
    def total_points(self) -> float:
        return sum(check.points for check in self.checks if check.kind != "manual")


def _key_path(parts: Any) -> str:
    text = ""
    for piece in parts:
        text += f"[{piece}]" if isinstance(piece, int) else (f".{piece}" if text else str(piece))
    return text or "(top level)"


def _import_jsonschema() -> Any:
    """jsonschema imports its optional format checkers eagerly, and the IRI one (rfc3987_syntax,
    which Jupyter installs) compiles a grammar for about 0.7 s. The rubric schema uses no "format",
    so that one import is skipped; sys.modules is left as it was."""
    skip = "rfc3987_syntax" not in sys.modules
    if skip:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail fast
    try:
        import jsonschema
    finally:
        if skip and sys.modules.get("rfc3987_syntax", "") is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric file; raise RubricError with a pointed message."""
    jsonschema = _import_jsonschema()

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RubricError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise RubricError(f"{path}: not valid YAML: {error}") from None
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        raise RubricError(f"{path}: {_key_path(first.absolute_path)}: {first.message}")
    return _build(path, raw)


def _flatten(items: list[Any]) -> list[Mapping[str, Any]]:
    flat: list[Mapping[str, Any]] = []
    for item in items:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def _build(path: Path, raw: Mapping[str, Any]) -> Rubric:
    from autograder import checks as check_kinds
    from autograder import variants

    default_tol = raw["tolerance"]
    parts, checks, seen = [], [], set()
    for p_index, part in enumerate(raw["parts"]):
        parts.append(Part(part["id"], part["title"], part["module"]))
        for c_index, spec in enumerate(part["checks"]):
            where = f"{path}: parts[{p_index}].checks[{c_index}]"
            if spec["id"] in seen:
                raise RubricError(f"{where}.id: duplicate check id {spec['id']!r}")
            seen.add(spec["id"])
            target = spec.get("function") or spec.get("attribute")
            if not target:
                raise RubricError(f"{where}: expected a 'function' or an 'attribute' to check")
            if target not in check_kinds.PUBLIC_NAMES.get(part["module"], ()):
                raise RubricError(
                    f"{where}: {part['module']} has no public name {target!r} in the exercise contract"
                )
            if spec["kind"] not in ("concepts", "manual") and not spec.get("cases"):
                raise RubricError(f"{where}.cases: expected at least one case for kind {spec['kind']!r}")
            misconceptions = []
            for m_index, item in enumerate(_flatten(spec.get("misconceptions", []))):
                variant = item.get("variant")
                if variant is not None:
                    known = variants.VARIANTS.get(variant)
                    if known is None:
                        raise RubricError(
                            f"{where}.misconceptions[{m_index}].variant: unknown variant {variant!r}"
                        )
                    if spec.get("function") not in known.functions:
                        raise RubricError(
                            f"{where}.misconceptions[{m_index}].variant: {variant!r} is a wrong "
                            f"{' or '.join(known.functions)}, but this check calls {spec.get('function')!r}"
                        )
                elif not item.get("match"):
                    raise RubricError(f"{where}.misconceptions[{m_index}]: expected a 'variant' or a 'match'")
                misconceptions.append(
                    Misconception(
                        item["id"], " ".join(item["feedback"].split()), variant, item.get("match", {})
                    )
                )
            tolerance = {**default_tol, **spec.get("tolerance", {})}
            checks.append(
                Check(
                    id=spec["id"],
                    name=spec["name"],
                    part=part["id"],
                    module=part["module"],
                    kind=spec["kind"],
                    points=float(spec["points"]),
                    visibility=spec["visibility"],
                    partial_credit=bool(spec.get("partial_credit", False)),
                    function=spec.get("function"),
                    attribute=spec.get("attribute"),
                    seed=int(spec.get("seed", 0)),
                    atol=float(tolerance["atol"]),
                    rtol=float(tolerance["rtol"]),
                    cases=tuple(spec.get("cases", ())),
                    misconceptions=tuple(misconceptions),
                    questions=spec.get("questions", {}),
                    hints=tuple(spec.get("hints", ())),
                )
            )
    return Rubric(path=path, assignment=raw["assignment"], parts=tuple(parts), checks=tuple(checks))
