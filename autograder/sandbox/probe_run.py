"""What a probe run gives back, and the error of a sandbox that cannot run: shared by the cold and
the warm probe. Free of numpy (unlike the wire format), so that a warm sandbox can be started before
the grader has loaded numpy: its own Python and numpy then load meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Call = dict[str, Any]  # one entry of the plan: id, module, name, args, kwargs, timeout
Outcome = dict[str, Any]
RunOnce = Callable[[Sequence[Call]], tuple[list[Outcome], str]]  # calls -> (outcomes, how it ended)


class SandboxError(RuntimeError):
    """The sandbox itself failed to start: a problem of the grading machine, not of the student."""


@dataclass(frozen=True)
class ProbeRun:
    """Raw outcomes by call id (values still wire-encoded), how the probe was isolated, and, by
    module name, why a submitted file was not used."""

    outcomes: dict[str, Outcome]
    isolation: str
    restarts: int
    notes: tuple[str, ...] = ()  # remarks on the run other than unusable files
    unusable: Mapping[str, str] = field(default_factory=dict)
    # Where the run's time went, by stage (the warm sandbox's; benchmarks/throughput.py prints them).
    seconds: Mapping[str, float] = field(default_factory=dict)
