"""Part (c): how many parameters an LSTM has, and how much memory training it takes.

Worked question: an LSTM layer with input size I = 100 and hidden size H = 64, trained on
mini-batches of B = 32 sequences of length T = 50, with 4-byte (float32) values.

Parameters. Each of the four gates (f, i, c~, o) has its own weight matrix acting on
z_t = [h_{t-1}, x_t], so each W has shape (H, H + I): it covers both the recurrent part (H x H)
and the input part (H x I). Each gate also has a bias vector of shape (H,). Frameworks differ on
the biases: Keras keeps one bias vector per gate; PyTorch keeps two (b_ih and b_hh) that are
simply added, so it has 4H more parameters per layer and direction.

Stacks. In a stack of layers, layer 0 reads the input (I values per step); every later layer reads
the hidden state of the layer below: H values, or 2H when the layers are bidirectional (the
forward and backward outputs are concatenated). A bidirectional layer is two independent LSTMs,
one per direction, so it has twice the parameters of a one-directional layer with the same input.

Memory during training (one layer, one bias per gate, the eight arrays of part (a)):
- parameters: every parameter value, bytes_per_value each;
- gradients: one gradient value per parameter;
- optimizer state: "sgd" keeps none, "momentum" keeps one buffer the size of the parameters,
  "adam" keeps two (first and second moments), as torch.optim keeps them (its step counters are
  not counted);
- activations: what the forward pass must keep for the backward pass. Per time step and per
  sequence in the batch it keeps x_t (I values), h_{t-1} and C_{t-1} (2H), the four gates f, i, c~,
  o (4H) and C_t (H): I + 7H values. tanh(C_t) is recomputed, not kept. Over the whole batch and
  sequence that is bytes_per_value * B * T * (I + 7H) bytes.
- total: the sum of the four.

What to write:

1. `weight_shapes(input_size, hidden_size)`: a dict from each of "W_f", "W_i", "W_c", "W_o",
   "b_f", "b_i", "b_c", "b_o" to its shape as a tuple of ints.
2. `num_parameters(input_size, hidden_size, num_layers=1, bidirectional=False,
   convention="keras")`: the number of trainable values. `convention` is "keras" (one bias per
   gate) or "pytorch" (two).
3. `training_memory(input_size, hidden_size, batch_size, seq_len, *, bytes_per_value=4,
   optimizer="sgd")`: a dict of integer byte counts with the keys "parameters", "gradients",
   "optimizer_state", "activations" and "total".

Sizes must be positive integers and `optimizer` one of "sgd", "momentum", "adam"; anything else
(a negative size, an unknown convention or optimizer) raises ValueError with a message that says
which argument is wrong.
"""

from __future__ import annotations

CONVENTIONS = ("keras", "pytorch")
OPTIMIZERS = ("sgd", "momentum", "adam")


def weight_shapes(input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
    """The shape of each of the eight arrays in `params`."""
    _require_positive(input_size=input_size, hidden_size=hidden_size)
    shapes: dict[str, tuple[int, ...]] = {}
    for gate in "fico":
        shapes[f"W_{gate}"] = (hidden_size, hidden_size + input_size)
    for gate in "fico":
        shapes[f"b_{gate}"] = (hidden_size,)
    return shapes


def num_parameters(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> int:
    """Trainable values in a (possibly stacked, possibly bidirectional) LSTM."""
    _require_positive(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    directions = 2 if bidirectional else 1
    biases_per_gate = 1 if convention == "keras" else 2
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else directions * hidden_size
        per_gate = hidden_size * (hidden_size + layer_input) + biases_per_gate * hidden_size
        total += directions * 4 * per_gate
    return total


def training_memory(
    input_size: int,
    hidden_size: int,
    batch_size: int,
    seq_len: int,
    *,
    bytes_per_value: int = 4,
    optimizer: str = "sgd",
) -> dict[str, int]:
    """Bytes for parameters, gradients, optimizer state and cached activations of one layer."""
    _require_positive(batch_size=batch_size, seq_len=seq_len, bytes_per_value=bytes_per_value)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    parameters = bytes_per_value * num_parameters(input_size, hidden_size)
    buffers_per_parameter = OPTIMIZERS.index(optimizer)
    per_row_and_step = input_size + 7 * hidden_size
    memory = {
        "parameters": parameters,
        "gradients": parameters,
        "optimizer_state": buffers_per_parameter * parameters,
        "activations": bytes_per_value * batch_size * seq_len * per_row_and_step,
    }
    memory["total"] = sum(memory.values())
    return memory


def _require_positive(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not hasattr(value, "__index__") or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


