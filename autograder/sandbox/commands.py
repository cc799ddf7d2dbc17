"""The command lines that start a probe: in bubblewrap, as a plain subprocess (in its own
namespaces when root can give it some), or as the warm runner of a long-lived sandbox."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from autograder.sandbox.limits import SANDBOX_UID, Limits

TOKEN_VARIABLE = "AUTOGRADER_PROBE"
PRIVATE_TMP_VARIABLE = "AUTOGRADER_PRIVATE_TMP"  # set only where /tmp is the probe's own tmpfs
RUNNER_PATH = "/opt/probe/autograder/probe/runner.py"  # where bubblewrap shows the staged runner

# (runner, staged submission, result fd, limits, token) -> the command line of one probe
Command = Callable[[Path, Path, int, Limits, str], list[str]]


def bubblewrap_available() -> bool:
    return shutil.which("bwrap") is not None and os.environ.get("AUTOGRADER_SANDBOX", "") != "none"


def namespaces_available() -> bool:
    """Without bubblewrap, root can still give the probe its own pid and network namespace."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def isolation_summary(use_bwrap: bool) -> str:
    if use_bwrap:
        return "bubblewrap"
    if namespaces_available():
        return "reduced: no bubblewrap; own pid and network namespaces (unshare), the file system is visible"
    return "reduced: plain subprocess, no bubblewrap"


def numpy_dirs() -> list[Path]:
    """numpy's folder and its libraries', found without importing it (a warm sandbox may start
    before the grader has loaded numpy)."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("numpy is not installed")
    package = Path(spec.origin).resolve().parent
    return [d for d in (package, package.parent / "numpy.libs") if d.is_dir()]


def runtime_binds(runner: Path) -> list[str]:
    """The system folders, the Python runtime, numpy (as /opt/site) and the runner, all read-only."""
    binds = ["--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        if Path(f"/{link}").is_symlink():
            binds += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif Path(f"/{link}").is_dir():
            binds += ["--ro-bind", f"/{link}", f"/{link}"]
    # bubblewrap makes missing parent folders 0700: make them 0755 so the unprivileged probe can pass.
    for parent in [*reversed(Path(sys.base_prefix).parents), Path("/opt/site"), Path("/opt/probe")]:
        if str(parent) not in ("/", "/usr"):
            binds += ["--perms", "0755", "--dir", str(parent)]
    binds += ["--ro-bind", sys.base_prefix, sys.base_prefix]
    for directory in numpy_dirs():
        binds += ["--ro-bind", str(directory), f"/opt/site/{directory.name}"]
    return [*binds, "--ro-bind", str(runner.parent.parent), "/opt/probe/autograder"]


def identity_options() -> list[str]:
    """Namespaces, and who the probe starts as."""
    if os.geteuid() == 0:
        # No user namespace: it would map the probe to root outside, which RLIMIT_NPROC exempts.
        # The runner drops to nobody itself, with these capabilities and then none.
        namespaces = "--unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try"
        # CAP_SYS_ADMIN: to bound the private /tmp's inodes (see the runner's limit_private_tmp).
        capabilities = (
            "CAP_SETUID",
            "CAP_SETGID",
            "CAP_KILL",
            "CAP_DAC_OVERRIDE",
            "CAP_FOWNER",
            "CAP_SYS_ADMIN",
        )
        return [*namespaces.split(), *(part for cap in capabilities for part in ("--cap-add", cap))]
    user = ["--unshare-all", "--unshare-user", "--uid", SANDBOX_UID, "--gid", SANDBOX_UID]
    return [*user, "--disable-userns"]


def bubblewrap_sandbox(
    runner: Path, binds: list[str], limits: Limits, token: str, runner_is_init: bool = False
) -> list[str]:
    """The `bwrap ...` prefix: runtime, numpy and runner read-only, `binds` as given, private /tmp,
    no network, an empty environment. `runner_is_init`: the runner is the pid namespace's first
    process (bubblewrap starts no init of its own), so it reaps what its children leave."""
    command = ["bwrap", *(["--as-pid-1"] if runner_is_init else []), *runtime_binds(runner), *binds]
    command += ["--perms", "1777", "--size", str(limits.file_bytes), "--tmpfs", "/tmp"]
    command += ["--proc", "/proc", "--dev", "/dev", *identity_options()]
    command += ["--die-with-parent", "--new-session", "--clearenv", "--setenv", "HOME", "/tmp"]
    command += ["--setenv", "LANG", "C.UTF-8", "--setenv", TOKEN_VARIABLE, token, "--chdir", "/tmp"]
    if os.geteuid() == 0:  # the runner remounts /tmp with an inode bound, then drops to nobody
        command += ["--setenv", PRIVATE_TMP_VARIABLE, str(limits.file_bytes)]
    return [*command, os.path.realpath(sys.executable), "-I", "-B"]


def bubblewrap_command(runner: Path, staged: Path, result_fd: int, limits: Limits, token: str) -> list[str]:
    sandbox = bubblewrap_sandbox(runner, ["--ro-bind", str(staged), "/submission"], limits, token)
    return [*sandbox, RUNNER_PATH, "/submission", str(result_fd), "/opt/site"]


def plain_command(runner: Path, staged: Path, result_fd: int, limits: Limits, token: str) -> list[str]:
    command = [sys.executable, "-I", "-B", str(runner), str(staged), str(result_fd)]
    if namespaces_available():
        # A root probe with no pid namespace could signal every process on the machine.
        unshare = "unshare --pid --fork --kill-child --mount-proc --net --ipc --uts --"
        return [*unshare.split(), *command]
    return command


def warm_command(runner: Path, staging: Path, results: Path, limits: Limits) -> list[str]:
    """The warm runner: the staging folder (one submission at a time) read-only, results writable.
    It also holds CAP_SYS_ADMIN, to give each child a fresh IPC namespace before dropping to nobody.
    It is the pid namespace's init: then a child alone with it sees no other process at all, which
    makes the stray check after each call one system call (`probe/strays.py`)."""
    binds = ["--ro-bind", str(staging), "/staging", "--bind", str(results), "/results"]
    sandbox = bubblewrap_sandbox(runner, binds, limits, uuid.uuid4().hex, runner_is_init=True)
    return [*sandbox, RUNNER_PATH, "--serve", "/staging", "/results", "/opt/site"]
