"""benchmarks/mutation.py on a small fixed sample (the full run is a benchmark, not a test).

The sample (12 mutants, seed 264) holds equivalent mutants and real ones in all three modules,
among them mutants that change num_parameters' result: the oracle's classification and the
grader's marks must agree with each other and with where each mutation sits."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

SAMPLE = ("--sample", "12", "--seed", "264")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    results = tmp_path_factory.mktemp("mutation") / "results.json"
    command = [sys.executable, "benchmarks/mutation.py", *SAMPLE, "--jobs", "2", "--json", str(results)]
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    document["printed"] = done.stdout
    return document


def function_at(module: str, line: int) -> str | None:
    """The name of the top-level function of solutions/<module>.py that holds `line`."""
    tree = ast.parse((PROJECT / "solutions" / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return node.name
    return None


def test_the_sample_holds_equivalent_and_real_mutants_of_every_module(run: dict[str, Any]) -> None:
    mutants, summary = run["mutants"], run["summary"]
    assert summary["mutants"] == len(mutants) == 12
    real = [m for m in mutants if m["real"]]
    assert summary["real"] == len(real) and summary["equivalent"] == 12 - len(real)
    assert summary["equivalent"] >= 2, "pick another seed: the sample must hold equivalent mutants"
    assert {m["module"] for m in real} == {"lstm_gates", "lstm_gradients", "lstm_budget"}
    for mutant in real:  # each real mutant comes with an input on which it differs
        oracle = mutant["oracle"]
        assert oracle["case"] and oracle["detail"] and 1 <= oracle["differing"] <= oracle["checked"]
        assert mutant["original"] != mutant["mutated"]


def test_the_reference_and_equivalent_mutants_get_full_marks(run: dict[str, Any]) -> None:
    reference = run["reference_grade"]
    assert reference["max_score"] > 0 and reference["score"] == reference["max_score"]
    equivalent = [m for m in run["mutants"] if not m["real"]]
    for mutant in equivalent:
        assert mutant["grade"]["lost"] == [] and not mutant["caught"] and not mutant["false_fail"], mutant
        assert mutant["oracle"]["differing"] == 0 and mutant["oracle"]["checked"] > 0
    assert run["summary"]["false_fails"] == []
    assert run["summary"]["public_tests_false_fails"] == []


def test_a_mutant_changing_num_parameters_is_real_and_caught_there(run: dict[str, Any]) -> None:
    changed = [
        m
        for m in run["mutants"]
        if m["oracle"]["function"] == "num_parameters" and "result" in m["oracle"]["detail"]
    ]
    assert changed, "pick another seed: the sample must change num_parameters' result"
    for mutant in changed:
        assert mutant["real"] and function_at(mutant["module"], mutant["line"]) == "num_parameters"
        assert mutant["caught"], mutant
        assert any(check.startswith("c.num_parameters") for check in mutant["grade"]["lost"]), mutant


def test_rates_and_survivors_follow_from_the_records(run: dict[str, Any]) -> None:
    mutants, summary = run["mutants"], run["summary"]
    real = [m for m in mutants if m["real"]]
    caught = [m for m in real if m["caught"]]
    killed = [m for m in real if m["public_killed"] is True]
    assert summary["grader_kill_rate"] == pytest.approx(100.0 * len(caught) / len(real))
    assert summary["public_tests_kill_rate"] == pytest.approx(100.0 * len(killed) / len(real))
    survivors = [m["id"] for m in real if not m["caught"]]
    assert summary["survivors"] == survivors
    for mutant in mutants:
        assert mutant["caught"] == bool(mutant["grade"]["lost"])
        assert isinstance(mutant["public_killed"], bool)
    printed = run["printed"]
    assert f"grader kill rate: {len(caught)}/{len(real)}" in printed
    for survivor in survivors:  # the printout says where each survivor is and where it differs
        block = printed[printed.index(f"  {survivor} ") :]
        assert "differs on" in block.split("\n  m")[0]


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    for options in (["--sample", "0"], ["--jobs", "two"], ["--json", str(tmp_path)]):
        done = subprocess.run(
            [sys.executable, "benchmarks/mutation.py", *options],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "error:" in done.stderr.strip().splitlines()[-1]


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_oracle_never_imports_the_grader() -> None:
    """The oracle's verdicts must not lean on what they measure: nothing it imports, directly or
    through the benchmark's own modules, is the autograder package."""
    package = PROJECT / "benchmarks" / "mutants"
    todo, seen = ["benchmarks.mutants.oracle", "benchmarks.mutants.cases"], set()
    while todo:
        module = todo.pop()
        seen.add(module)
        imports = imported_modules(package / f"{module.rsplit('.', 1)[1]}.py")
        assert not any(name.split(".")[0] == "autograder" for name in imports), module
        todo += [name for name in imports if name.startswith("benchmarks.mutants.") and name not in seen]
    parts = {"behaviour", "case", "array_cases", "budget_cases", "forked", "generate", "operators", "sites"}
    assert {f"benchmarks.mutants.{part}" for part in parts} <= seen, "the import graph was not read"
