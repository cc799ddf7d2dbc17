"""The mutants of the reference modules: one operator applied at one site each, written back into
the module's own text (the rest of the file unchanged), checked to parse to exactly the intended
tree, and de-duplicated (two edits giving the same tree are one mutant)."""

from __future__ import annotations

import ast
import copy
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.mutants.operators import SIGMOID_HELPERS, Context, replacements
from benchmarks.mutants.sites import Site, mutable_ranges, replace_at, walk_sites

MODULES = ("lstm_gates", "lstm_gradients", "lstm_budget")
# Replacements that need no parentheses anywhere (a negative number is a unary minus: it does).
ATOMS = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Slice, ast.Constant)


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str  # lstm_gates, lstm_gradients or lstm_budget
    line: int
    operator: str
    original: str  # the source line(s) the change touches, whitespace collapsed
    mutated: str
    source: str  # the whole mutated module

    @property
    def location(self) -> str:
        return f"solutions/{self.module}.py:{self.line}"


def _module_facts(tree: ast.Module) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """What every site of the module shares: its tuples of strings and its sigmoid helpers."""
    strings = tuple(
        tuple(str(e.value) for e in node.value.elts if isinstance(e, ast.Constant))
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Tuple)
        and node.value.elts
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts)
    )
    helpers = tuple(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in SIGMOID_HELPERS
    )
    return strings, helpers


def _context(
    site: Site, parents: dict[int, ast.AST], facts: tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]
) -> Context:
    def is_axis(node: ast.AST) -> bool:
        parent = parents.get(id(node))
        if isinstance(parent, ast.keyword):
            return parent.arg == "axis"
        return isinstance(parent, ast.UnaryOp) and is_axis(parent)

    is_default = isinstance(site.parent, ast.arguments) and site.field in ("defaults", "kw_defaults")
    return Context(site, is_default, is_axis(site.node), *facts)


def _offset(lines: list[str], line: int, col: int) -> int:
    """Character offset of (1-based line, UTF-8 byte column) in the text."""
    before = sum(len(text) for text in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8"))


def _edit(source: str, node: ast.AST, new: ast.AST) -> tuple[str, int]:
    """The source with `node`'s text replaced by `new`, and the line where the change starts."""
    lines = source.splitlines(keepends=True)
    start = _offset(lines, node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = _offset(lines, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
    text = ast.unparse(ast.fix_missing_locations(ast.copy_location(copy.deepcopy(new), node)))
    if isinstance(new, ast.expr) and not isinstance(new, ATOMS):
        text = f"({text})"  # the parser reads it back as one node whatever surrounds it
    edited = source[:start] + text + source[end:]
    return edited, node.lineno  # type: ignore[attr-defined]


def _collapsed(source: str, first: int, last: int) -> str:
    return " ".join(line.strip() for line in source.splitlines()[first - 1 : last])


def _assignments_to(tree: ast.Module, names: Collection[str]) -> list[tuple[int, int]]:
    """The line spans of the module-level assignments to `names`."""
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(isinstance(t, ast.Name) and t.id in names for t in _targets(node))
    ]


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def module_mutants(
    module: str, source: str, hand_graded: Collection[str] = ()
) -> Iterator[tuple[str, int, str, str]]:
    """(tree dump, line, operator, mutated module) for every change of `module`, leaving alone the
    answers graded by hand (`hand_graded`: the grader's automatic checks never read them)."""
    tree = ast.parse(source)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    original_dump = ast.dump(tree)
    left_alone = _assignments_to(tree, hand_graded)
    facts = _module_facts(tree)
    for site in walk_sites(tree, mutable_ranges(tree, source)):
        line = site.node.lineno  # type: ignore[attr-defined]
        if any(first <= line <= last for first, last in left_alone):
            continue
        context = _context(site, parents, facts)
        for operator, new in replacements(context):
            replace_at(tree, site.path, new)
            dump = ast.dump(tree)
            replace_at(tree, site.path, site.node)
            if dump == original_dump:
                continue
            edited, first = _edit(source, site.node, new)
            if ast.dump(ast.parse(edited)) != dump:
                raise AssertionError(f"{module}:{first}: {operator} did not give the intended tree")
            yield dump, first, operator, edited


def hand_graded_names(rubric: Path) -> frozenset[str]:
    """The module constants the rubric grades by hand (its `manual` checks' attributes), read
    from rubric.yaml as plain YAML: a change to them is the instructor's to judge, not the grader's."""
    document = yaml.safe_load(rubric.read_text(encoding="utf-8"))
    return frozenset(
        str(check["attribute"])
        for part in document.get("parts", [])
        for check in part.get("checks", [])
        if check.get("kind") == "manual" and "attribute" in check
    )


def all_mutants(solutions: Path, hand_graded: Collection[str] = ()) -> list[Mutant]:
    """Every distinct mutant of the three reference modules, numbered in a stable order."""
    found: list[Mutant] = []
    for module in MODULES:
        source = (solutions / f"{module}.py").read_text(encoding="utf-8")
        seen: set[str] = set()
        for dump, line, operator, edited in module_mutants(module, source, hand_graded):
            if dump in seen:
                continue
            seen.add(dump)
            original, mutated = changed_lines(source, edited, line)
            found.append(Mutant("", module, line, operator, original, mutated, edited))
    return [
        Mutant(f"m{index:04d}", m.module, m.line, m.operator, m.original, m.mutated, m.source)
        for index, m in enumerate(found, start=1)
    ]


def changed_lines(source: str, edited: str, line: int) -> tuple[str, str]:
    """The lines from `line` on that the edit touches, before and after, whitespace collapsed."""
    old, new = source.splitlines(), edited.splitlines()
    tail = 0
    while tail < min(len(old), len(new)) - line and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return _collapsed(source, line, len(old) - tail), _collapsed(edited, line, len(new) - tail)
