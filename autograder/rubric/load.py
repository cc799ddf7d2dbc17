"""Load `rubric.yaml` and validate it in two stages: JSON schemas (the top level, then each check
against its kind's own schema), then meaning (against the solutions, the framework figures and the
known variants). Every mistake is a `RubricError` of one line naming the file, the key path and
what was expected, e.g. `rubric.yaml: parts[0].checks[1].points: expected a number > 0, got -1`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder.kinds import KINDS
from autograder.kinds.base import CheckKind, CourseFacts
from autograder.rubric.model import Check, Misconception, Part, Rubric, RubricError, TimeLimits, Tolerance
from autograder.rubric.schema import (
    CHECK_COMMON,
    MISCONCEPTION_COMMON,
    TOP_LEVEL,
    first_non_finite,
    first_problem,
    key_path,
)
from autograder.rubric.source import read_rubric_data


def load_rubric(path: Path, facts: CourseFacts) -> Rubric:
    """Read and validate a rubric file; raise RubricError with a pointed message."""
    data = read_rubric_data(path)
    problem = first_non_finite(data) or first_problem(TOP_LEVEL, data)
    if problem:
        raise RubricError(f"{path}: {problem}")
    try:
        return _build(path, data, facts)
    except RubricError as error:
        raise RubricError(f"{path}: {error}") from None


def _kind(spec: Mapping[str, Any], where: list[Any]) -> CheckKind:
    name = spec.get("kind")
    if name not in KINDS:
        expected = ", ".join(KINDS)
        raise RubricError(f"{key_path([*where, 'kind'])}: expected one of {expected}, got {name!r}")
    return KINDS[str(name)]


def _misconception_items(items: Sequence[Any], where: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Each misconception with its key path; a YAML alias may put a list of them in one item."""
    for index, item in enumerate(items):
        if isinstance(item, list):
            yield from (([*where, index, inner], value) for inner, value in enumerate(item))
        else:
            yield [*where, index], item


def _misconceptions(
    kind: CheckKind, spec: Mapping[str, Any], where: list[Any], facts: CourseFacts
) -> tuple[Misconception, ...]:
    schema = kind.misconception_schema(MISCONCEPTION_COMMON)
    found, seen = [], set()
    for at, item in _misconception_items(spec.get("misconceptions", []), [*where, "misconceptions"]):
        problem = first_problem(schema, item, at)
        if problem:
            raise RubricError(problem)
        variant = item.get("variant")
        if variant is None and not item.get("match"):
            raise RubricError(f"{key_path(at)}: expected a 'variant' or a 'match'")
        if variant is not None:
            _check_variant(variant, kind, spec, at, facts)
        if item["id"] in seen:
            raise RubricError(
                f"{key_path([*at, 'id'])}: duplicate misconception {item['id']!r} in this check"
            )
        seen.add(item["id"])
        found.append(
            Misconception(item["id"], " ".join(item["feedback"].split()), variant, item.get("match", {}))
        )
    return tuple(found)


def _check_variant(
    variant: str, kind: CheckKind, spec: Mapping[str, Any], at: list[Any], facts: CourseFacts
) -> None:
    known = facts.variants.get(variant)
    if known is None:
        raise RubricError(f"{key_path([*at, 'variant'])}: unknown variant {variant!r}")
    target = spec.get(kind.target_key or "")
    if target not in known.functions:
        raise RubricError(
            f"{key_path([*at, 'variant'])}: {variant!r} is a wrong {' or '.join(known.functions)}, "
            f"but this check calls {target!r}"
        )


def _check(
    part: Mapping[str, Any],
    spec: Mapping[str, Any],
    where: list[Any],
    rubric: Mapping[str, Any],
    facts: CourseFacts,
) -> Check:
    kind = _kind(spec, where)
    problem = first_problem(kind.check_schema(CHECK_COMMON), spec, where)
    if problem:
        raise RubricError(problem)
    target = str(spec.get(kind.target_key or "", ""))
    if kind.target_key and target not in part["names"]:
        raise RubricError(
            f"{key_path([*where, kind.target_key])}: {part['module']} has no public name {target!r} "
            f"in the exercise contract (parts[].names: {', '.join(part['names'])})"
        )
    tolerance = {**rubric["policy"]["tolerance"], **spec.get("tolerance", {})}
    own = set(kind.check_properties)
    check = Check(
        id=spec["id"],
        name=spec["name"],
        part=part["id"],
        module=part["module"],
        kind=kind.name,
        points=float(spec["points"]),
        visibility=spec["visibility"],
        target=target,
        seed=int(spec.get("seed", 0)),
        tolerance=Tolerance(float(tolerance["atol"]), float(tolerance["rtol"])),
        comparison=spec.get("compare", "close"),
        credit=spec.get("credit", "per_case"),
        fail_on_warning=spec.get("fail_on_warning"),
        cases=tuple(spec.get("cases", ())),
        misconceptions=_misconceptions(kind, spec, where, facts),
        options={key: value for key, value in spec.items() if key in own},
        where=key_path(where),
        manual=kind.graded_by_hand,
    )
    kind.validate(check, check.where, facts)
    return check


def _check_contract(part: Mapping[str, Any], where: list[Any], facts: CourseFacts) -> None:
    """The part's names are the public functions its stub keeps and the answer constants, no more, no less."""
    module = part["module"]
    functions = facts.signatures.get(module)
    if functions is None:
        raise RubricError(f"{key_path([*where, 'module'])}: no solutions/{module}.py")
    defined = set(functions) | set(facts.constants.get(module, {}))
    for index, name in enumerate(part["names"]):
        if name not in defined:
            raise RubricError(
                f"{key_path([*where, 'names', index])}: solutions/{module}.py does not define {name!r}"
            )
    unlisted = sorted(name for name in functions if not name.startswith("_") and name not in part["names"])
    if unlisted:
        raise RubricError(
            f"{key_path([*where, 'names'])}: solutions/{module}.py defines {unlisted[0]!r}, which the "
            "contract does not list (add it, or make it private with a leading underscore)"
        )


def _build(path: Path, data: Mapping[str, Any], facts: CourseFacts) -> Rubric:
    parts: list[Part] = []
    checks: list[Check] = []
    check_ids: set[str] = set()
    modules: set[str] = set()
    for p_index, part in enumerate(data["parts"]):
        where = ["parts", p_index]
        if part["module"] in modules or part["id"] in {p.id for p in parts}:
            raise RubricError(
                f"{key_path(where)}: duplicate part id {part['id']!r} or module {part['module']!r}"
            )
        modules.add(part["module"])
        _check_contract(part, where, facts)
        parts.append(Part(part["id"], part["title"], part["module"], tuple(part["names"])))
        for c_index, spec in enumerate(part["checks"]):
            at = [*where, "checks", c_index]
            check = _check(part, spec, at, data, facts)
            if check.id in check_ids:
                raise RubricError(f"{key_path([*at, 'id'])}: duplicate check id {check.id!r}")
            check_ids.add(check.id)
            checks.append(check)
    policy = data["policy"]
    return Rubric(
        path=path,
        assignment=data["assignment"],
        parts=tuple(parts),
        checks=tuple(checks),
        tolerance=Tolerance(**{k: float(v) for k, v in policy["tolerance"].items()}),
        time_limits=TimeLimits(**{k: float(v) for k, v in policy["time_limits"].items()}),
    )
