"""The public tests (tests/public, what students run) on each mutant's submission folder: only the
test file of the mutated module (the other two modules are the reference), one pytest session per
mutant in a forked process, stopping at the first failure. Killed: the session did not pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.mutants.forked import Failed, run_forked

PLUGINS_OFF = ("cacheprovider", "hypothesispytest", "anyio", "platformdirs")


@dataclass(frozen=True)
class PublicRun:
    folder: Path  # the submission
    module: str  # the mutated module: its test file is the one that can fail


def _pytest_session(run: PublicRun, tests: Path) -> int:
    import pytest

    arguments = [str(tests / f"test_{run.module}.py"), "--submission", str(run.folder), "-q", "-x"]
    arguments += ["-o", "addopts=", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for plugin in PLUGINS_OFF:
        arguments += ["-p", f"no:{plugin}"]
    return int(pytest.main(arguments))


def public_kills(runs: Sequence[PublicRun], tests: Path, *, jobs: int, seconds: float) -> list[bool | str]:
    """Per run: True if the public tests fail on it, False if they pass; a reason if the session
    could not finish (timed out or died)."""
    import pytest  # loaded once here, shared by every forked session

    del pytest

    def work(run: PublicRun) -> int:
        return _pytest_session(run, tests)

    results = run_forked(work, runs, jobs=jobs, seconds=seconds, quiet=True)
    return [_verdict(r) for r in results]


def _verdict(result: int | Failed) -> bool | str:
    if isinstance(result, Failed):
        return result.reason
    if result in (0, 1):  # passed, or some test failed
        return result == 1
    return f"pytest could not run the tests (exit code {result})"


def reference_passes(folder: Path, tests: Path, *, seconds: float) -> bool:
    """The public tests pass on the reference (else no kill would mean anything)."""
    return all(
        kill is False
        for kill in public_kills(
            [PublicRun(folder, m) for m in ("lstm_gates", "lstm_gradients", "lstm_budget")],
            tests,
            jobs=1,
            seconds=seconds,
        )
    )
