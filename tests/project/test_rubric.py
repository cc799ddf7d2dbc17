"""rubric.yaml: every mistake is exit 2 and one line naming the file, the key path and what was
expected; never a traceback, never silently ignored. One case per kind of mistake."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import load_grader

Data = dict[str, Any]


def check(data: Data, check_id: str) -> Data:
    return next(c for part in data["parts"] for c in part["checks"] if c["id"] == check_id)


def setter(check_id: str, *path: Any, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        target: Any = check(data, check_id)
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def renamer(check_id: str, *path: Any, new: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        target: Any = check(data, check_id)
        for key in path[:-1]:
            target = target[key]
        target[new] = target.pop(path[-1])

    return change


def deleter(check_id: str, key: str) -> Callable[[Data], None]:
    return lambda data: check(data, check_id).pop(key)


def policy(*path: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        target = data["policy"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


MISTAKES: dict[str, tuple[Callable[[Data], None], str, str]] = {
    # name: (change, key path in the message, what the message says was expected)
    "misspelled case key": (
        renamer("a.lstm_step", "cases", 0, "hidden_size", new="hiden_size"),
        "parts[0].checks[1].cases[0].hiden_size",
        "did you mean 'hidden_size'",
    ),
    "misspelled check key": (
        renamer("a.sigmoid", "visibility", new="visiblity"),
        "parts[0].checks[0].visiblity",
        "unknown key",
    ),
    "misspelled policy tolerance key": (
        lambda d: d["policy"]["tolerance"].update(atl=d["policy"]["tolerance"].pop("atol")),
        "policy.tolerance.atl",
        "did you mean 'atol'",
    ),
    "misspelled check tolerance key": (
        setter("a.gate_table", "tolerance", value={"rtoll": 1e-3}),
        "parts[0].checks[2].tolerance.rtoll",
        "did you mean 'rtol'",
    ),
    "misspelled match key": (
        setter("a.sigmoid", "misconceptions", 0, "match", value={"warnng": "overflow"}),
        "parts[0].checks[0].misconceptions[0].match.warnng",
        "did you mean 'warning'",
    ),
    "misspelled hint key": (
        renamer("b.explanation", "hints", 0, "pattern", new="patern"),
        "parts[1].checks[4].hints[0].patern",
        "did you mean 'pattern'",
    ),
    "misspelled question key": (
        setter("b.concepts", "questions", "q1", value={"feedbak": "x"}),
        "parts[1].checks[3].questions.q1.feedbak",
        "did you mean 'feedback'",
    ),
    "missing required check key": (
        deleter("c.weight_shapes", "name"),
        "parts[2].checks[0]",
        "missing required key 'name'",
    ),
    "missing case size": (
        lambda d: check(d, "a.gate_table")["cases"][0].pop("steps"),
        "parts[0].checks[2].cases[0]",
        "missing required key 'steps'",
    ),
    "negative size": (
        setter("a.lstm_step", "cases", 1, "input_size", value=-1),
        "parts[0].checks[1].cases[1].input_size",
        ">= 1",
    ),
    "size beyond the wire": (
        setter("b.cell_path_gradient", "cases", 0, "steps", value=10**9),
        "cases[0].steps",
        "<= ",
    ),
    "arrays beyond the wire": (
        setter("a.gate_table", "cases", 0, "hidden_size", value=3000),
        "parts[0].checks[2].cases[0]",
        "the wire carries at most",
    ),
    "non-numeric tolerance": (
        policy("tolerance", "atol", value="small"),
        "policy.tolerance.atol",
        "expected number",
    ),
    "negative tolerance": (policy("tolerance", "rtol", value=-1), "policy.tolerance.rtol", ">= 0"),
    "non-finite tolerance": (policy("tolerance", "atol", value=math.nan), "policy.tolerance.atol", "finite"),
    "non-numeric points": (
        setter("a.sigmoid", "points", value="three"),
        "parts[0].checks[0].points",
        "expected number",
    ),
    "negative points": (setter("a.sigmoid", "points", value=-1), "parts[0].checks[0].points", "> 0"),
    "infinite points": (setter("a.sigmoid", "points", value=math.inf), "parts[0].checks[0].points", "finite"),
    "zero time limit": (
        policy("time_limits", "call_seconds", value=0),
        "policy.time_limits.call_seconds",
        "> 0",
    ),
    "invalid regular expression": (
        setter("b.explanation", "hints", 0, "pattern", value="(forget"),
        "parts[1].checks[4].hints[0].pattern",
        "not a valid regular expression",
    ),
    "hint of the wrong type": (
        setter("b.explanation", "hints", 0, "hint", value=5),
        "parts[1].checks[4].hints[0].hint",
        "expected string",
    ),
    "count with no recorded figure": (
        setter("c.num_parameters.worked", "cases", 0, "input_size", value=101),
        "parts[2].checks[1].cases[0]",
        "no recorded framework figure",
    ),
    "memory with no recorded figure": (
        setter("c.training_memory", "cases", 0, "hidden_size", value=65),
        "parts[2].checks[3].cases[0]",
        "no recorded framework figure",
    ),
    "unknown optimizer": (
        setter("c.training_memory", "cases", 0, "optimizer", value="rmsprop"),
        "cases[0].optimizer",
        "expected one of",
    ),
    "unknown kind": (
        setter("a.sigmoid", "kind", value="numbers"),
        "parts[0].checks[0].kind",
        "expected one of",
    ),
    "unknown variant": (
        setter("c.weight_shapes", "misconceptions", 0, "variant", value="no_such_mistake"),
        "parts[2].checks[0].misconceptions[0].variant",
        "unknown variant 'no_such_mistake'",
    ),
    "variant of another function": (
        setter("c.weight_shapes", "misconceptions", 0, "variant", value="swapped_gates"),
        "misconceptions[0].variant",
        "is a wrong lstm_step or gate_table, but this check calls 'weight_shapes'",
    ),
    "misconception with neither variant nor match": (
        lambda d: check(d, "c.weight_shapes")["misconceptions"][0].pop("variant"),
        "parts[2].checks[0].misconceptions[0]",
        "expected a 'variant' or a 'match'",
    ),
    "function outside the contract": (
        setter("a.sigmoid", "function", value="lstm_forward"),
        "parts[0].checks[0].function",
        "no public name",
    ),
    "contract name the solution lacks": (
        lambda d: d["parts"][0]["names"].append("lstm_forward"),
        "parts[0].names[3]",
        "does not define 'lstm_forward'",
    ),
    "contract missing a solution function": (
        lambda d: d["parts"][0]["names"].remove("sigmoid"),
        "parts[0].names",
        "defines 'sigmoid', which the contract does not list",
    ),
    "unknown parameter in a call": (
        setter("c.weight_shapes", "cases", 0, "args", value={"input_size": 3, "hiden_size": 4}),
        "parts[2].checks[0].cases[0].args.hiden_size",
        "has no parameter 'hiden_size'",
    ),
    "missing argument in a call": (
        setter("c.weight_shapes", "cases", 0, "args", value={"input_size": 3}),
        "parts[2].checks[0].cases[0].args",
        "missing 'hidden_size'",
    ),
    "raises calls an unknown function": (
        setter("c.invalid_arguments", "cases", 0, "call", value="count_params"),
        "parts[2].checks[4].cases[0]",
        "no function 'count_params'",
    ),
    "questions unlike the reference's": (
        lambda d: check(d, "b.concepts")["questions"].pop("q6"),
        "parts[1].checks[3].questions",
        "expected the reference's questions",
    ),
    "duplicate check id": (
        setter("a.lstm_step", "id", value="a.sigmoid"),
        "parts[0].checks[1].id",
        "duplicate check id",
    ),
    "wrong schema version": (lambda d: d.update(schema_version=1), "schema_version", "expected 2"),
    "unknown top-level key": (
        lambda d: d.update(tolerance={"atol": 1, "rtol": 1}),
        "tolerance",
        "unknown key",
    ),
    "not a mapping at all": (lambda d: d.clear(), "(top level)", "missing required key"),
    "unknown credit": (
        setter("a.sigmoid", "credit", value="per_key"),
        "parts[0].checks[0].credit",
        "expected one of",
    ),
}


@pytest.fixture(scope="module")
def rubric_data(course: Course) -> Data:
    data: Data = yaml.safe_load(course.rubric_path.read_text(encoding="utf-8"))
    return data


def broken(tmp_path: Path, data: Data, change: Callable[[Data], None]) -> Path:
    changed = yaml.safe_load(yaml.safe_dump(data))
    change(changed)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    return path


def one_line_error(course: Course, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    sample = str(course.samples / "full_marks_reference")
    assert main(["--course", str(course.root), "grade", sample, "--rubric", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"autograder: {path}: "), err
    return lines[0]


def test_the_project_rubric_is_valid(course: Course) -> None:
    rubric = load_grader(course).rubric
    assert len({check.id for check in rubric.checks}) == len(rubric.checks)
    assert rubric.contract == {part.module: part.names for part in rubric.parts}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_rubric_mistake_is_one_line_naming_where_and_what(
    name: str, tmp_path: Path, rubric_data: Data, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    change, where, expected = MISTAKES[name]
    line = one_line_error(course, broken(tmp_path, rubric_data, change), capsys)
    assert where in line and expected in line, line


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("not UTF-8", b"schema_version: 2\nassignment: \xff\xfe\n", "not UTF-8 text (byte"),
        ("a tab", b"schema_version: 2\nparts:\n\t- id: a\n", "not valid YAML: line 3"),
        ("not YAML", b"parts: [unclosed\n", "not valid YAML: line"),
        ("empty", b"", "(top level): expected object"),
    ],
)
def test_a_file_that_is_not_a_rubric_is_one_line(
    name: str, text: bytes, expected: str, tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_bytes(text)
    assert expected in one_line_error(course, path, capsys)


def test_a_key_given_twice_is_refused(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    text = course.rubric_path.read_text(encoding="utf-8").replace(
        "points: 2\n", "points: 2\n        points: 3\n", 1
    )
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    line = one_line_error(course, path, capsys)
    assert "duplicate key 'points'" in line and "line " in line


def test_a_missing_rubric_or_course_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(tmp_path), "grade", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a course folder" in err[0]
