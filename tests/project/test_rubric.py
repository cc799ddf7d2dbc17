"""rubric.yaml: two-stage validation with errors that name the file, the key path and the expectation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder import layout
from autograder.cli import main
from autograder.rubric import RubricError, load_rubric

RUBRIC = layout.project_root() / "rubric.yaml"


def broken(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(RUBRIC.read_text())
    change(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_project_rubric_is_valid() -> None:
    rubric = load_rubric(RUBRIC)
    assert {part.module for part in rubric.parts} == set(layout.EXERCISE_MODULES)
    assert len({check.id for check in rubric.checks}) == len(rubric.checks)


def set_points(data: dict[str, Any]) -> None:
    data["parts"][0]["checks"][1]["points"] = -1


def drop_name(data: dict[str, Any]) -> None:
    del data["parts"][2]["checks"][0]["name"]


def duplicate_id(data: dict[str, Any]) -> None:
    data["parts"][1]["checks"][1]["id"] = data["parts"][1]["checks"][0]["id"]


def unknown_variant(data: dict[str, Any]) -> None:
    data["parts"][2]["checks"][0]["misconceptions"][0]["variant"] = "no_such_mistake"


def variant_of_another_function(data: dict[str, Any]) -> None:
    data["parts"][2]["checks"][0]["misconceptions"][0]["variant"] = "swapped_gates"


def unknown_function(data: dict[str, Any]) -> None:
    data["parts"][0]["checks"][0]["function"] = "lstm_forward"


def wrong_version(data: dict[str, Any]) -> None:
    data["schema_version"] = 99


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (set_points, r"parts\[0\]\.checks\[1\]\.points: -1 is less than or equal to the minimum of 0"),
        (drop_name, r"parts\[2\]\.checks\[0\]: 'name' is a required property"),
        (duplicate_id, r"parts\[1\]\.checks\[1\]\.id: duplicate check id 'b.cell_path_gradient'"),
        (
            unknown_variant,
            r"parts\[2\]\.checks\[0\]\.misconceptions\[0\]\.variant: unknown variant 'no_such_mistake'",
        ),
        (
            variant_of_another_function,
            r"is a wrong lstm_step or gate_table, but this check calls 'weight_shapes'",
        ),
        (unknown_function, r"lstm_gates has no public name 'lstm_forward'"),
        (wrong_version, r"schema_version: 1 was expected"),
    ],
)
def test_broken_rubrics_are_reported_precisely(tmp_path: Path, change: Any, expected: str) -> None:
    path = broken(tmp_path, change)
    with pytest.raises(RubricError, match=expected) as caught:
        load_rubric(path)
    assert str(caught.value).startswith(str(path))


def test_cli_exits_2_with_one_line_on_a_broken_rubric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = broken(tmp_path, set_points)
    solutions = layout.solutions_dir()
    assert main(["grade", str(solutions), "--rubric", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograder: ") and "points" in err and len(err.strip().splitlines()) == 1


def test_not_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text("parts: [unclosed\n")
    with pytest.raises(RubricError, match="not valid YAML"):
        load_rubric(path)
