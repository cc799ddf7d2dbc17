"""The material's part (c), transcribed: its shapes, its 10752 and its memory arithmetic."""


def weight_shapes(input_size, hidden_size):
    # The material: Wx = 100x100, Wh = 64x64, stacked here as [Wh, Wx] with the input's rows.
    shapes = {}
    for gate in "fico":
        shapes[f"W_{gate}"] = (input_size, hidden_size + input_size)
        shapes[f"b_{gate}"] = (hidden_size,)
    return shapes


def num_parameters(input_size, hidden_size, num_layers=1, bidirectional=False, convention="keras"):
    # "64 biases for each of 4 gates: 64x4=256, and 2 matrices: 100*64+64*64" = 10752
    return 4 * hidden_size + input_size * hidden_size + hidden_size * hidden_size


def training_memory(input_size, hidden_size, batch_size, seq_len, *, bytes_per_value=4, optimizer="sgd"):
    parameters = num_parameters(input_size, hidden_size) * bytes_per_value  # "10752*4 = 43008B"
    # "For each sample in a batch + gradients: hidden state + cell state + input", one byte each
    # (the material added these six terms up to 396 by hand; they sum to 456).
    per_sample = 2 * (hidden_size + hidden_size + input_size)
    activations = per_sample * batch_size  # "396B*32samples"
    return {
        "parameters": parameters,
        "gradients": 0,
        "optimizer_state": 0,
        "activations": activations,
        "total": parameters + activations,
    }
