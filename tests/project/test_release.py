"""The student release and nbgrader's release notebook hold no solution and no hidden check."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import PROJECT

from autograder.authoring import stubs
from autograder.cli import main
from autograder.course import Course
from autograder.grading.grader import Grader
from autograder.platforms import notebooks


def solution_lines() -> set[str]:
    """Every non-trivial line between solution markers in solutions/, minus what the stubs show."""
    stub_text = "".join(p.read_text() for p in (PROJECT / "exercises").glob("*.py"))
    found = set()
    for path in (PROJECT / "solutions").glob("*.py"):
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            if text in (stubs.BEGIN_MARK, stubs.END_MARK):
                inside = text == stubs.BEGIN_MARK
            elif inside and len(text) >= 20 and not text.startswith(("#", "for ")) and text not in stub_text:
                found.add(text)
    return found


def hidden_check_lines(source_notebook: dict[str, object]) -> set[str]:
    found = set()
    for cell in source_notebook["cells"]:  # type: ignore[attr-defined]
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", text, flags=re.S):
            found.update(line.strip() for line in region.splitlines() if len(line.strip()) >= 12)
    return found


def leaks(texts: dict[str, str], secrets: set[str]) -> list[str]:
    return [f"{name}: {secret}" for name, text in texts.items() for secret in secrets if secret in text]


def test_the_scan_finds_a_planted_leak() -> None:
    secrets = solution_lines()
    assert len(secrets) > 40
    planted = {"exercises/lstm_gates.py": "def f():\n    " + sorted(secrets)[0] + "\n"}
    assert leaks(planted, secrets)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("release") / "lstm-exercises"
    assert main(["--course", str(PROJECT), "release", str(target)]) == 0
    return target


def test_the_plain_release_has_no_solution_and_no_hidden_check(
    release: Path, grader: Grader, course: Course
) -> None:
    texts = {str(p.relative_to(release)): p.read_text() for p in release.rglob("*") if p.is_file()}
    assert not any(name.startswith("solutions") or name.endswith("rubric.yaml") for name in texts)
    source = notebooks.source_notebook(grader.rubric, course)
    assert leaks(texts, solution_lines() | hidden_check_lines(source)) == []


def test_pytest_in_the_release_fails_only_with_not_implemented(release: Path) -> None:
    report = release.parent / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}"],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    cases = list(ET.parse(report).getroot().iter("testcase"))
    assert len(cases) >= 30
    for case in cases:
        outcomes = [child for child in case if child.tag in ("failure", "error", "skipped")]
        assert [o.tag for o in outcomes] == ["failure"], case.get("name")
        assert "not implemented yet" in (outcomes[0].get("message") or ""), case.get("name")


def test_release_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["--course", str(PROJECT), "release", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err


def test_source_notebook_keeps_the_rubric_points_and_ids(grader: Grader, course: Course) -> None:
    rubric = grader.rubric
    source = json.loads(json.dumps(notebooks.source_notebook(rubric, course)))
    graded = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    }
    assert graded == {notebooks.grade_id(check.id): check.points for check in rubric.checks}
