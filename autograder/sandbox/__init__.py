"""Run student code in a separate, limited process and collect what it returned.

With bubblewrap (`bwrap`) on the machine, the probe sees only a copy of the submission's exercise
modules, the Python runtime and numpy, all read-only; it gets a private, size-bounded /tmp, no
network, an empty environment, its own process namespace and an unprivileged user id. Without
bubblewrap, the probe is a plain subprocess with the same resource limits, and the result says that
isolation was reduced. See docs/THREAT_MODEL.md for what each mode promises.

`limits` (resource limits), `staging` (what the probe sees), `commands` (how it is started),
`cold` (one fresh probe per submission) and `warm` (one long-lived sandbox per grading worker);
`probe_run` (what both give back).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.sandbox.cold import probe_submission
    from autograder.sandbox.commands import bubblewrap_available
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.probe_run import ProbeRun, SandboxError
    from autograder.sandbox.warm import WarmSandbox

__all__ = ["Limits", "ProbeRun", "SandboxError", "WarmSandbox", "bubblewrap_available", "probe_submission"]
# Each name's module, imported when the name is first used: a warm sandbox starts without waiting
# for numpy, which the cold probe's module loads (for the wire format).
HOMES = {
    "Limits": "limits",
    "ProbeRun": "probe_run",
    "SandboxError": "probe_run",
    "WarmSandbox": "warm",
    "bubblewrap_available": "commands",
    "probe_submission": "cold",
}


def __getattr__(name: str) -> Any:
    if name not in HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{HOMES[name]}"), name)
