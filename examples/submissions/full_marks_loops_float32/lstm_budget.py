"""Part (c) counting array by array."""

from math import prod


def weight_shapes(input_size, hidden_size):
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if int(value) != value or value <= 0:
            raise ValueError(f"{name} must be a positive integer")
    out = {}
    for gate in ("f", "i", "c", "o"):
        out["W_" + gate] = (hidden_size, hidden_size + input_size)
    for gate in ("f", "i", "c", "o"):
        out["b_" + gate] = (hidden_size,)
    return out


def num_parameters(input_size, hidden_size, num_layers=1, bidirectional=False, convention="keras"):
    if convention not in ("keras", "pytorch"):
        raise ValueError("convention must be 'keras' or 'pytorch'")
    if num_layers < 1:
        raise ValueError("num_layers must be at least 1")
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden_size * directions
        one = sum(prod(shape) for shape in weight_shapes(layer_input, hidden_size).values())
        if convention == "pytorch":
            one += 4 * hidden_size
        total += one * directions
    return total


def training_memory(input_size, hidden_size, batch_size, seq_len, *, bytes_per_value=4, optimizer="sgd"):
    buffers = {"sgd": 0, "momentum": 1, "adam": 2}
    if optimizer not in buffers:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    if batch_size <= 0 or seq_len <= 0 or bytes_per_value <= 0:
        raise ValueError("batch_size, seq_len and bytes_per_value must be positive")
    n = num_parameters(input_size, hidden_size) * bytes_per_value
    cached = (input_size + 2 * hidden_size + 4 * hidden_size + hidden_size) * batch_size * seq_len
    result = {"parameters": n, "gradients": n, "optimizer_state": buffers[optimizer] * n,
              "activations": cached * bytes_per_value}
    result["total"] = sum(result.values())
    return result
