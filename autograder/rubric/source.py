"""Read a rubric file into plain data, strictly: UTF-8, YAML without duplicate keys, one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from autograder.rubric.model import RubricError

MAX_RUBRIC_BYTES = 1_000_000


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            raise RubricError(f"line {mark.line + 1}: duplicate key {key!r} (each key may appear once)")
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser where PyYAML has it (about 20 times faster). A file it
    rejects is read again by the pure-Python parser, so every error is worded and placed as always."""


_FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_FastStrictLoader)
    except (yaml.YAMLError, RecursionError):
        return yaml.load(text, Loader=_StrictLoader)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"not valid YAML: {where}{' '.join(str(problem).split())}"


def read_rubric_data(path: Path) -> Any:
    """The rubric file's YAML as plain data; RubricError (one line, naming the file) otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RubricError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_RUBRIC_BYTES:
        raise RubricError(f"{path}: larger than {MAX_RUBRIC_BYTES} bytes; expected a rubric")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RubricError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    try:
        return _load(text)
    except RubricError as error:
        raise RubricError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        raise RubricError(f"{path}: {_yaml_problem(error)}") from None
    except RecursionError:
        raise RubricError(f"{path}: nested too deeply; expected a rubric") from None
