"""Where a reference module may be mutated: the code between `### BEGIN SOLUTION` and
`### END SOLUTION` and the whole of every function such a block sits in (its defaults included),
never an annotation, a docstring or an f-string (whose node positions Python 3.11 gets wrong)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# A node's place in its module: the field names and list indices that lead to it from the root.
Path = tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class Site:
    path: Path
    node: ast.AST
    parent: ast.AST | None
    field: str  # the parent's field holding the node


def solution_blocks(source: str) -> list[tuple[int, int]]:
    """The (first, last) line numbers of every solution block, markers included."""
    blocks, start = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            start = number
        elif line.strip() == END and start is not None:
            blocks.append((start, number))
            start = None
    return blocks


def mutable_ranges(tree: ast.Module, source: str) -> list[tuple[int, int]]:
    """The solution blocks, and the full span of every function that overlaps one."""
    blocks = solution_blocks(source)
    ranges = list(blocks)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            end = node.end_lineno or node.lineno
            if any(first <= end and node.lineno <= last for first, last in blocks):
                ranges.append((node.lineno, end))
    return ranges


def _skipped(node: ast.AST, field: str) -> bool:
    if field in ("annotation", "returns", "type_comment", "decorator_list"):
        return True
    return isinstance(node, ast.JoinedStr | ast.arg | ast.arguments) and field not in (
        "defaults",
        "kw_defaults",
    )


def _is_docstring(parent: ast.AST, index: int | None, node: ast.AST) -> bool:
    return (
        index == 0
        and isinstance(parent, ast.FunctionDef | ast.Module)
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def walk_sites(tree: ast.Module, ranges: list[tuple[int, int]]) -> Iterator[Site]:
    """Every node inside the mutable ranges, with its path, in source order."""

    def inside(node: ast.AST) -> bool:
        first: int | None = getattr(node, "lineno", None)
        if first is None:
            return False
        last: int = getattr(node, "end_lineno", None) or first
        return any(lo <= first and last <= hi for lo, hi in ranges)

    def visit(node: ast.AST, path: Path) -> Iterator[Site]:
        for field, value in ast.iter_fields(node):
            items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, child in items:
                if not isinstance(child, ast.AST) or _is_docstring(node, index, child):
                    continue
                if isinstance(child, ast.JoinedStr) or _skipped(node, field):
                    continue
                child_path = (*path, (field, index))
                if inside(child):
                    yield Site(child_path, child, node, field)
                yield from visit(child, child_path)

    yield from visit(tree, ())


def replace_at(tree: ast.AST, path: Path, new: ast.AST) -> ast.AST:
    """Put `new` where `path` leads (in place); return the node it replaced."""
    node = tree
    for field, index in path[:-1]:
        value = getattr(node, field)
        node = value[index] if index is not None else value
    field, index = path[-1]
    if index is None:
        old: ast.AST = getattr(node, field)
        setattr(node, field, new)
    else:
        old = getattr(node, field)[index]
        getattr(node, field)[index] = new
    return old
