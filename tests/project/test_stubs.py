"""One source: exercises/ is what solutions/ produces, and the generator keeps its promises."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder import layout, stubs
from autograder.cli import main


def test_exercises_are_in_sync_with_solutions() -> None:
    differences = stubs.stub_differences(layout.solutions_dir(), layout.exercises_dir())
    assert differences == [], "run `python -m autograder stubs`: " + "; ".join(
        f"{d.path}: {d.reason}" for d in differences
    )


def test_stubs_keep_every_public_name_and_no_solution_body() -> None:
    for name in layout.EXERCISE_MODULES:
        solution = (layout.solutions_dir() / f"{name}.py").read_text()
        stub = (layout.exercises_dir() / f"{name}.py").read_text()
        public = {n for n in stubs.top_level_names(solution) if not n.startswith("_")}
        exported = {n for n in stubs.top_level_names(stub) if not n.startswith("_")}
        solution_only = {"GATES", "lstm_forward_with_cache", "lstm_backward_cell"}
        assert public - solution_only == exported, name
        assert stubs.BEGIN_MARK not in stub and stubs.END_MARK not in stub
        assert ast.get_docstring(ast.parse(stub)) == ast.get_docstring(ast.parse(solution))


def test_indented_region_becomes_not_implemented_and_top_level_region_is_dropped() -> None:
    source = "\n".join(
        [
            "### BEGIN SOLUTION",
            "import secret",
            "### END SOLUTION",
            "def f(x):",
            "    '''Doc.'''",
            "    ### BEGIN SOLUTION",
            "    return secret.g(x)",
            "    ### END SOLUTION",
            "### STUB: ANSWER = ''",
        ]
    )
    stub = stubs.make_stub(source)
    assert "secret" not in stub
    assert "    raise NotImplementedError" in stub
    assert "ANSWER = ''" in stub and "### STUB" not in stub
    namespace: dict[str, object] = {}
    exec(compile(stub, "<stub>", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="not implemented yet"):
        namespace["f"](1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "no ### BEGIN SOLUTION"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside the region"),
    ],
)
def test_unbalanced_markers_are_reported_with_the_line(source: str, message: str) -> None:
    with pytest.raises(stubs.MarkerError, match=message):
        stubs.make_stub(source, "broken.py")


def test_cli_check_fails_on_a_stale_stub(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exercises = tmp_path / "exercises"
    assert main(["stubs", "--exercises", str(exercises)]) == 0
    assert main(["stubs", "--check", "--exercises", str(exercises)]) == 0
    (exercises / "lstm_gates.py").write_text("# edited by hand\n")
    assert main(["stubs", "--check", "--exercises", str(exercises)]) == 1
    assert "lstm_gates.py: differs" in capsys.readouterr().err
