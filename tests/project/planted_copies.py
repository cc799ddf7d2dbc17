"""Copies planted in a class, as a student would disguise one (the function signatures the stubs
give are kept, so the copy still grades), and an independent notion of "the same program": equal
abstract syntax trees once names, literals and docstrings are abstracted (the similarity check
itself works on tokens, not trees)."""

from __future__ import annotations

import ast
import io
import shutil
import tokenize
from pathlib import Path

MODULES = ("lstm_gates", "lstm_gradients", "lstm_budget")


def local_names(source: str) -> list[tuple[ast.FunctionDef, set[str]]]:
    """Each top-level function with the names it assigns (not its parameters, not a name an
    f-string of it reads: a 3.11 token does not show those)."""
    found = []
    for function in (n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)):
        keep = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
        for text in (n for n in ast.walk(function) if isinstance(n, ast.JoinedStr)):
            keep |= {n.id for n in ast.walk(text) if isinstance(n, ast.Name)}
        assigned = {
            n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        found.append((function, assigned - keep))
    return found


def renamed_and_reformatted(source: str) -> str:
    """Local variables renamed, the layout changed (tokens re-spaced, comments dropped, a comment
    and blank lines added before every function)."""
    scopes = [
        (f.lineno, f.end_lineno or f.lineno, {name: f"my_{name[::-1]}_{f.name}" for name in names})
        for f, names in local_names(source)
    ]
    tokens = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        text = token.string
        if token.type == tokenize.NAME and previous != ".":
            for first, last, renames in scopes:
                if first <= token.start[0] <= last:
                    text = renames.get(text, text)
        if token.type != tokenize.COMMENT:
            tokens.append((token.type, text))
        previous = token.string
    lines = tokenize.untokenize(tokens).splitlines()
    return (
        "\n".join(f"\n\n# copied work, honest\n{line}" if line.startswith("def ") else line for line in lines)
        + "\n"
    )


def renamed_and_unparsed(source: str) -> str:
    """Local variables renamed and the module rewritten by ast.unparse: quotes, parentheses,
    spacing and line breaks its own, comments gone."""
    tree = ast.parse(source)
    for function, names in local_names(source):
        renames = {name: f"tmp{index}" for index, name in enumerate(sorted(names))}
        twin = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.lineno == function.lineno)
        for node in ast.walk(twin):
            if isinstance(node, ast.Name) and node.id in renames:
                node.id = renames[node.id]
    return ast.unparse(tree) + "\n"


def plant(origin: Path, target: Path, disguise: str) -> None:
    shutil.copytree(origin, target)
    change = renamed_and_reformatted if disguise == "reformatted" else renamed_and_unparsed
    for module in MODULES:
        path = target / f"{module}.py"
        if path.is_file():
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


class _Abstracted(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name("V", node.ctx)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = "V"
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(type(node.value).__name__)


def program_class(folder: Path) -> str:
    """Equal for two submissions that are one program up to names, literals, docstrings, comments
    and layout; a file that does not parse is a class of its own."""
    dumps = []
    for module in MODULES:
        path = folder / f"{module}.py"
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return f"unparsable {folder.name}"
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                    body.pop(0)  # a docstring
        dumps.append(ast.dump(_Abstracted().visit(tree), annotate_fields=False))
    return "\n".join(dumps)
