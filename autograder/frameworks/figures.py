"""Framework figures for every configuration the rubric uses: recorded once, or computed live.

The recorded file (solutions/framework_figures.json in the course) keeps the default grading path
free of torch and Keras imports; `autograder frameworks --write` regenerates it, and a test
re-checks it against the live frameworks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORDED_NAME = "framework_figures.json"  # in the course's solutions/: derived from its rubric


def count_key(input_size: int, hidden_size: int, num_layers: int, bidirectional: bool) -> str:
    return f"I={input_size} H={hidden_size} layers={num_layers} bidirectional={bool(bidirectional)}"


def memory_key(input_size: int, hidden_size: int, optimizer: str, bytes_per_value: int) -> str:
    return f"I={input_size} H={hidden_size} optimizer={optimizer} bytes={bytes_per_value}"


@dataclass(frozen=True)
class FrameworkFigures:
    versions: dict[str, str]
    counts: dict[str, dict[str, int]]  # count_key -> {"keras": n, "pytorch": n}
    memory: dict[str, dict[str, int]]  # memory_key -> {"parameters", "gradients", "optimizer_state"}
    source: str

    def parameter_count(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        convention: str = "keras",
    ) -> int:
        key = count_key(input_size, hidden_size, num_layers, bidirectional)
        if key not in self.counts:
            raise KeyError(f"no framework figure for {key}: run `autograder frameworks --write`")
        return self.counts[key][convention]

    def optimizer_bytes(
        self, input_size: int, hidden_size: int, optimizer: str = "sgd", bytes_per_value: int = 4
    ) -> dict[str, int]:
        key = memory_key(input_size, hidden_size, optimizer, bytes_per_value)
        if key not in self.memory:
            raise KeyError(f"no framework figure for {key}: run `autograder frameworks --write`")
        return self.memory[key]


Configurations = dict[str, set[tuple[Any, ...]]]  # "counts" / "memory" -> configurations


def compute_live(needed: Configurations, weight_shapes: Callable[[int, int], Any]) -> FrameworkFigures:
    """Ask torch and Keras themselves (slow: imports both)."""
    from autograder.frameworks import truth as framework_truth

    counts = {
        count_key(*config): {
            "keras": framework_truth.keras_lstm_parameter_count(*config),
            "pytorch": framework_truth.torch_lstm_parameter_count(*config),
        }
        for config in sorted(needed.get("counts", set()))
    }
    memory = {
        memory_key(i, h, opt, bpv): framework_truth.torch_optimizer_bytes(weight_shapes(i, h), opt, bpv)
        for i, h, opt, bpv in sorted(needed.get("memory", set()))
    }
    return FrameworkFigures(framework_truth.framework_versions(), counts, memory, "live")


def write_recorded(figures: FrameworkFigures, path: Path) -> None:
    data = {
        "versions": figures.versions,
        "lstm_parameter_counts": figures.counts,
        "optimizer_bytes": figures.memory,
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_recorded(path: Path) -> FrameworkFigures:
    """The recorded figures; ValueError (one line) when the file is missing or not of this shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["versions"], data["lstm_parameter_counts"], data["optimizer_bytes"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"{path}: no usable framework figures ({error}); run `autograder frameworks --write`"
        ) from None
    versions = ", ".join(f"{name} {version}" for name, version in sorted(data["versions"].items()))
    return FrameworkFigures(
        data["versions"], data["lstm_parameter_counts"], data["optimizer_bytes"], f"recorded ({versions})"
    )


def missing_configurations(needed: Configurations, figures: FrameworkFigures) -> list[str]:
    missing = [count_key(*c) for c in needed.get("counts", set()) if count_key(*c) not in figures.counts]
    missing += [memory_key(*c) for c in needed.get("memory", set()) if memory_key(*c) not in figures.memory]
    return sorted(missing)
