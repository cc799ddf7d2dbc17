"""The student-facing tests: all pass on the reference, all fail cleanly on the untouched stubs."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import PROJECT

PUBLIC_TESTS = PROJECT / "tests" / "public"


def run_public_tests(submission: Path, report: Path) -> ET.Element:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(PUBLIC_TESTS),
        "--submission",
        str(submission),
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={report}",
        "--rootdir",
        str(PUBLIC_TESTS),
    ]
    subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return ET.parse(report).getroot()


def cases(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("testcase"))


def test_public_tests_all_pass_on_the_reference(tmp_path: Path) -> None:
    root = run_public_tests(PROJECT / "solutions", tmp_path / "report.xml")
    bad = [case.get("name") for case in cases(root) if len(case)]
    assert len(cases(root)) >= 30
    assert bad == []


def test_public_tests_all_fail_on_the_stubs_saying_not_implemented(tmp_path: Path) -> None:
    root = run_public_tests(PROJECT / "exercises", tmp_path / "report.xml")
    results = cases(root)
    assert len(results) >= 30
    for case in results:
        outcomes = [child for child in case if child.tag in ("failure", "error", "skipped")]
        assert [o.tag for o in outcomes] == ["failure"], f"{case.get('name')}: {[o.tag for o in outcomes]}"
        assert "not implemented yet" in (outcomes[0].get("message") or ""), case.get("name")
