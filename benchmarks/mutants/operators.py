"""The mutation operators: each takes a node in context and yields (operator, replacement node).

One replacement is one mutant: a single-point change of the kind a student makes (an operator,
a constant, a dropped term or statement, a swapped function, a wrong default...)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from benchmarks.mutants.sites import Site

Replacement = tuple[str, ast.AST]

ARITHMETIC: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Div, ast.Mult),
    ast.Mod: (ast.FloorDiv,),
    ast.Pow: (ast.Mult,),
    ast.MatMult: (ast.Mult,),
}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
COMPARISON: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    **{op: (*(o for o in ORDERING if o is not op), ast.Eq, ast.NotEq) for op in ORDERING},
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
# Functions a student may mix up; "<sigmoid>" stands for the module's own sigmoid helper(s).
SWAPS = (
    ("np.tanh", "np.exp", "<sigmoid>"),
    ("np.zeros", "np.ones", "np.empty"),
    ("np.zeros_like", "np.ones_like"),
    ("np.cumprod", "np.cumsum"),
    ("np.concatenate", "np.stack"),
    ("np.logaddexp", "np.add", "np.maximum"),
    ("sum", "max", "min"),
)
MATH_CALLS = {"np.tanh", "np.exp", "np.logaddexp", "<sigmoid>"}
SIGMOID_HELPERS = ("sigmoid", "_sigmoid")


@dataclass(frozen=True)
class Context:
    """What an operator needs to know about a site beyond the node itself."""

    site: Site
    is_default: bool  # a function's default value
    in_axis: bool  # the value of an `axis=` keyword
    string_groups: tuple[tuple[str, ...], ...]  # the module's tuples of strings (CONVENTIONS...)
    helpers: tuple[str, ...]  # the sigmoid helpers the module defines


def _number(value: int | float) -> ast.expr:
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _qualified(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return None


def _named(name: str, ctx: Context) -> str:
    return "<sigmoid>" if name in ctx.helpers else name


def _function_node(name: str) -> ast.expr:
    if "." in name:
        owner, attr = name.split(".")
        return ast.Attribute(ast.Name(owner, ast.Load()), attr, ast.Load())
    return ast.Name(name, ast.Load())


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def arithmetic(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if isinstance(node, ast.BinOp):
        for op in ARITHMETIC.get(type(node.op), ()):
            yield "arithmetic operator swap", ast.BinOp(node.left, op(), node.right)
        yield "term dropped", node.left
        yield "term dropped", node.right
    elif isinstance(node, ast.AugAssign):
        for op in ARITHMETIC.get(type(node.op), ()):
            yield "arithmetic operator swap", ast.AugAssign(node.target, op(), node.value)
        yield "accumulation dropped (+= to =)", ast.Assign([node.target], node.value)


def comparison(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in COMPARISON.get(type(node.ops[0]), ()):
            yield "comparison swap", ast.Compare(node.left, [op()], node.comparators)
    if isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "and/or swap", ast.BoolOp(other, node.values)
        for index in range(len(node.values)):
            rest = node.values[:index] + node.values[index + 1 :]
            yield "term dropped", rest[0] if len(rest) == 1 else ast.BoolOp(node.op, rest)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "negation removed", node.operand
    parent = ctx.site.parent
    if ctx.site.field == "test" and isinstance(parent, ast.If | ast.IfExp | ast.While):
        yield "condition negated", ast.UnaryOp(ast.Not(), node)  # type: ignore[arg-type]


def constant(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    name = "default-argument change" if ctx.is_default else "constant change"
    if isinstance(node, ast.Constant) and _is_number(node) and not ctx.in_axis:
        number: int | float = node.value  # type: ignore[assignment]
        for value in (number + 1, number - 1):
            yield name, _number(value)
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield ("default-argument change" if ctx.is_default else "boolean flip"), ast.Constant(not node.value)
    elif isinstance(node, ast.Constant) and node.value is None and ctx.is_default:
        yield name, ast.Constant(0)
        yield name, ast.Constant(1)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        for group in ctx.string_groups:
            if node.value in group:
                for other in group:
                    if other != node.value:
                        yield name, ast.Constant(other)


def unary(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and not ctx.in_axis:
        yield "unary minus removed", node.operand
    parent = ctx.site.parent
    if (
        ctx.site.field == "args"
        and isinstance(parent, ast.Call)
        and (_named(_qualified(parent.func) or "", ctx) in MATH_CALLS)
        and isinstance(node, ast.expr)
        and not isinstance(node, ast.Starred)
    ):
        yield "unary minus added", ast.UnaryOp(ast.USub(), node)


def axis(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if not (isinstance(ctx.site.parent, ast.keyword) and ctx.site.parent.arg == "axis"):
        return
    try:
        current = ast.literal_eval(node)
    except ValueError:
        return
    if isinstance(current, int):
        for value in sorted({-1, 0, 1, current - 1, current + 1} - {current}):
            yield "axis change", _number(value)


def slicing(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if not isinstance(node, ast.Slice):
        return
    lower, upper, step = node.lower, node.upper, node.step
    if lower is not None:
        yield "slice change", ast.Slice(None, upper, step)
    if upper is not None:
        yield "slice change", ast.Slice(lower, None, step)
    if step is not None:
        yield "slice change", ast.Slice(lower, upper, None)
    if lower is not None and upper is None:
        yield "slice change", ast.Slice(None, lower, step)
    if upper is not None and lower is None:
        yield "slice change", ast.Slice(upper, None, step)
    for op in (ast.Add, ast.Sub):
        if lower is not None and not isinstance(lower, ast.Constant | ast.UnaryOp):
            yield "slice change", ast.Slice(ast.BinOp(lower, op(), ast.Constant(1)), upper, step)
        if upper is not None and not isinstance(upper, ast.Constant | ast.UnaryOp):
            yield "slice change", ast.Slice(lower, ast.BinOp(upper, op(), ast.Constant(1)), step)


def function_swap(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    parent = ctx.site.parent
    if not (isinstance(parent, ast.Call) and ctx.site.field == "func" and isinstance(node, ast.expr)):
        return
    name = _qualified(node)
    if name is None:
        return
    for group in SWAPS:
        if _named(name, ctx) in group:
            for other in group:
                targets = ctx.helpers if other == "<sigmoid>" else (other,)
                for target in targets:
                    # np.empty is never a replacement: its garbage would make the mutant flaky.
                    if target not in (name, "np.empty"):
                        yield "function swap", _function_node(target)


def statements(node: ast.AST, ctx: Context) -> Iterator[Replacement]:
    if not isinstance(node, ast.stmt) or isinstance(node, ast.FunctionDef | ast.Pass):
        return
    yield "statement deleted", ast.Pass()
    if isinstance(node, ast.Return) and not (
        isinstance(node.value, ast.Constant) and node.value.value is None
    ):
        yield "return value changed", ast.Return(ast.Constant(None))


OPERATORS: tuple[Callable[[ast.AST, Context], Iterator[Replacement]], ...] = (
    arithmetic,
    comparison,
    constant,
    unary,
    axis,
    slicing,
    function_swap,
    statements,
)


def replacements(ctx: Context) -> Iterator[Replacement]:
    """Every single-point change of the node at `ctx.site`."""
    for operator in OPERATORS:
        yield from operator(ctx.site.node, ctx)
