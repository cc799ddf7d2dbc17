"""Public checks for part (c), parameters and memory. They test the rules, not the figures."""

from __future__ import annotations

import math
from types import ModuleType

import pytest
from public_support import attempt

INPUT, HIDDEN, BATCH, SEQ = 100, 64, 32, 50
NAMES = ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o")
MEMORY_KEYS = ("parameters", "gradients", "optimizer_state", "activations", "total")


def expect_equal(got: object, expected: object, what: str, hint: str = "") -> None:
    if got != expected:
        pytest.fail(f"{what}: got {got!r}, expected {expected!r}. {hint}", pytrace=False)


def test_weight_shapes_cover_h_and_x(budget: ModuleType) -> None:
    shapes = attempt(budget.weight_shapes, INPUT, HIDDEN)
    if not isinstance(shapes, dict) or sorted(shapes) != sorted(NAMES):
        pytest.fail(f"weight_shapes must return a dict with keys {NAMES}, got {shapes!r}", pytrace=False)
    for gate in "fico":
        expect_equal(
            tuple(shapes[f"W_{gate}"]),
            (HIDDEN, HIDDEN + INPUT),
            f"shape of W_{gate}",
            "Each W acts on z_t = [h_{t-1}, x_t], which has H + I entries, and gives H values.",
        )
        expect_equal(tuple(shapes[f"b_{gate}"]), (HIDDEN,), f"shape of b_{gate}")


@pytest.mark.parametrize(("input_size", "hidden_size"), [(INPUT, HIDDEN), (3, 5), (1, 1)])
def test_num_parameters_counts_the_eight_arrays(
    budget: ModuleType, input_size: int, hidden_size: int
) -> None:
    shapes = attempt(budget.weight_shapes, input_size, hidden_size)
    expected = sum(math.prod(shape) for shape in shapes.values())
    got = attempt(budget.num_parameters, input_size, hidden_size)
    hint = "One layer, Keras convention: every value of the eight arrays of weight_shapes."
    if got * 4 == expected:
        hint += " Yours is a quarter of that: there are four gates, each with its own W and b."
    expect_equal(got, expected, f"num_parameters({input_size}, {hidden_size})", hint)


def test_pytorch_keeps_a_second_bias_per_gate(budget: ModuleType) -> None:
    for layers, bidirectional in [(1, False), (2, False), (3, True)]:
        keras = attempt(budget.num_parameters, INPUT, HIDDEN, layers, bidirectional, convention="keras")
        torch = attempt(budget.num_parameters, INPUT, HIDDEN, layers, bidirectional, convention="pytorch")
        directions = 1 + int(bidirectional)
        expect_equal(
            torch - keras,
            4 * HIDDEN * layers * directions,
            f"pytorch minus keras count for {layers} layer(s), bidirectional={bidirectional}",
            "PyTorch adds one more bias of H values per gate, per layer and per direction.",
        )


def test_bidirectional_layer_is_two_lstms(budget: ModuleType) -> None:
    one = attempt(budget.num_parameters, INPUT, HIDDEN, 1, False)
    two = attempt(budget.num_parameters, INPUT, HIDDEN, 1, True)
    expect_equal(two, 2 * one, "bidirectional one-layer count", "One LSTM reads forwards, one backwards.")


@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_layers_read_the_layer_below(budget: ModuleType, bidirectional: bool) -> None:
    directions = 1 + int(bidirectional)
    one = attempt(budget.num_parameters, INPUT, HIDDEN, 1, bidirectional)
    two = attempt(budget.num_parameters, INPUT, HIDDEN, 2, bidirectional)
    upper = attempt(budget.num_parameters, directions * HIDDEN, HIDDEN, 1, bidirectional)
    expect_equal(
        two - one,
        upper,
        f"what layer 2 adds (bidirectional={bidirectional})",
        f"Layer 2 reads the output of layer 1: {directions}H values per step, not I.",
    )


@pytest.mark.parametrize(
    ("call", "arguments"),
    [
        ("num_parameters", {"input_size": -1, "hidden_size": HIDDEN}),
        ("num_parameters", {"input_size": INPUT, "hidden_size": HIDDEN, "convention": "tensorflow"}),
        ("weight_shapes", {"input_size": INPUT, "hidden_size": -4}),
        (
            "training_memory",
            {
                "input_size": INPUT,
                "hidden_size": HIDDEN,
                "batch_size": BATCH,
                "seq_len": SEQ,
                "optimizer": "rmsprop",
            },
        ),
        ("training_memory", {"input_size": INPUT, "hidden_size": HIDDEN, "batch_size": -2, "seq_len": SEQ}),
    ],
)
def test_invalid_arguments_raise_value_error(
    budget: ModuleType, call: str, arguments: dict[str, object]
) -> None:
    def raises_value_error() -> bool:
        try:
            getattr(budget, call)(**arguments)
        except ValueError:
            return True
        return False

    if not attempt(raises_value_error):
        pytest.fail(f"{call}(**{arguments}) returned instead of raising ValueError", pytrace=False)


def memory(budget: ModuleType, **overrides: object) -> dict[str, int]:
    arguments: dict[str, object] = {
        "input_size": INPUT,
        "hidden_size": HIDDEN,
        "batch_size": BATCH,
        "seq_len": SEQ,
        **overrides,
    }
    result = attempt(budget.training_memory, **arguments)
    if not isinstance(result, dict) or sorted(result) != sorted(MEMORY_KEYS):
        pytest.fail(
            f"training_memory must return a dict with keys {MEMORY_KEYS}, got {result!r}", pytrace=False
        )
    for key, value in result.items():
        if not isinstance(value, int) or isinstance(value, bool):
            pytest.fail(
                f"training_memory[{key!r}] must be an int number of bytes, got {value!r}", pytrace=False
            )
    return result


def test_memory_total_is_the_sum(budget: ModuleType) -> None:
    result = memory(budget, optimizer="adam")
    expect_equal(result["total"], sum(result[key] for key in MEMORY_KEYS[:-1]), "total")


def test_memory_for_parameters_gradients_and_optimizer(budget: ModuleType) -> None:
    count = attempt(budget.num_parameters, INPUT, HIDDEN)
    for bytes_per_value in (4, 2):
        for buffers, optimizer in enumerate(("sgd", "momentum", "adam")):
            result = memory(budget, bytes_per_value=bytes_per_value, optimizer=optimizer)
            what = f"training_memory(..., bytes_per_value={bytes_per_value}, optimizer={optimizer!r})"
            expect_equal(
                result["parameters"],
                bytes_per_value * count,
                f"{what}['parameters']",
                "Every parameter takes bytes_per_value bytes.",
            )
            expect_equal(
                result["gradients"],
                result["parameters"],
                f"{what}['gradients']",
                "Training keeps one gradient per parameter.",
            )
            expect_equal(
                result["optimizer_state"],
                buffers * result["parameters"],
                f"{what}['optimizer_state']",
                "sgd keeps no state, momentum one buffer per parameter, adam two.",
            )


def test_activations_follow_the_stated_cache(budget: ModuleType) -> None:
    for batch, seq, bytes_per_value in [(BATCH, SEQ, 4), (1, 1, 4), (3, 7, 2)]:
        result = memory(budget, batch_size=batch, seq_len=seq, bytes_per_value=bytes_per_value)
        expect_equal(
            result["activations"],
            bytes_per_value * batch * seq * (INPUT + 7 * HIDDEN),
            f"activations for B={batch}, T={seq}, {bytes_per_value} bytes per value",
            "Per step and batch row the cache keeps x_t (I), h_{t-1} and C_{t-1} (2H), the four "
            "gates (4H) and C_t (H), for every one of the T steps.",
        )
