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
    # YOUR CODE HERE
    raise NotImplementedError("not implemented yet")


def num_parameters(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    convention: str = "keras",
) -> int:
    """Trainable values in a (possibly stacked, possibly bidirectional) LSTM."""
    # YOUR CODE HERE
    raise NotImplementedError("not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("not implemented yet")
