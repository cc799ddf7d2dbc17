"""One source: exercises/ is what solutions/ produces, and the generator keeps its promises."""

from __future__ import annotations

import ast

import pytest

from autograder.authoring import contract, stubs
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader


def test_exercises_and_the_readme_contract_are_in_sync(course: Course, grader: Grader) -> None:
    assert contract.readme_difference(course.readme, grader.rubric) is None, "run `autograder stubs`"
    differences = stubs.stub_differences(course.solutions, course.exercises)
    assert differences == [], "run `python -m autograder stubs`: " + "; ".join(
        f"{d.path}: {d.reason}" for d in differences
    )


def test_stubs_define_exactly_the_contract_and_no_solution_body(course: Course, grader: Grader) -> None:
    for part in grader.rubric.parts:
        solution = (course.solutions / f"{part.module}.py").read_text()
        stub = (course.exercises / f"{part.module}.py").read_text()
        exported = {n for n in stubs.top_level_names(stub) if not n.startswith("_")}
        assert set(part.names) <= exported, part.module
        helpers = exported - set(part.names)
        assert all(n.isupper() for n in helpers), f"{part.module}: {helpers} not in the contract"
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


def test_cli_check_fails_on_a_stale_stub(course_copy: Course, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(course_copy.root)
    assert main(["--course", root, "stubs", "--check"]) == 0
    (course_copy.exercises / "lstm_gates.py").write_text("# edited by hand\n")
    assert main(["--course", root, "stubs", "--check"]) == 1
    assert "lstm_gates.py: differs" in capsys.readouterr().err
    assert main(["--course", root, "stubs"]) == 0
    assert main(["--course", root, "stubs", "--check"]) == 0


def test_the_readme_contract_follows_the_rubric(
    course_copy: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(course_copy.root)
    rubric = course_copy.rubric_path
    rubric.write_text(rubric.read_text().replace("Part (c): parameters and memory", "Part (c): the budget"))
    assert main(["--course", root, "stubs", "--check"]) == 1
    assert "README.md: the contract table differs from rubric.yaml" in capsys.readouterr().err
    assert main(["--course", root, "stubs"]) == 0
    assert "| Part (c): the budget | `exercises/lstm_budget.py` |" in course_copy.readme.read_text()
    assert main(["--course", root, "stubs", "--check"]) == 0
