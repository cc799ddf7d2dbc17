"""The bundled sample submissions that are derived from the reference: one per catalogued
misconception, plus a few that crash, hang or return garbage. Each is the reference with one
precise edit, so the sample shows exactly one mistake. `autograder examples` writes them into
examples/submissions/; a test checks the folder is in sync. Hand-written samples (the material's
own answer, a correct solution written differently) live in the same folder and are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.authoring import stubs
from autograder.course import Course

Edit = tuple[str, str, str]  # (module, text in the reference, replacement)


@dataclass(frozen=True)
class Sample:
    name: str
    description: str
    edits: tuple[Edit, ...] = ()
    from_stubs: bool = False


G, R, B = "lstm_gates", "lstm_gradients", "lstm_budget"
SAMPLES = (
    Sample("full_marks_reference", "the reference solution"),
    Sample("zero_untouched_stubs", "the student stubs, untouched", from_stubs=True),
    Sample(
        "mistake_overflowing_sigmoid",
        "sigmoid as 1 / (1 + exp(-z))",
        (
            (
                G,
                "return np.exp(-np.logaddexp(np.zeros((), dtype=z.dtype), -z))",
                "return 1.0 / (1.0 + np.exp(-z))",
            ),
        ),
    ),
    Sample(
        "mistake_swapped_gates",
        "f and i use each other's weights",
        (
            (
                G,
                'f = sigmoid(z @ np.asarray(params["W_f"]).T + params["b_f"])',
                'f = sigmoid(z @ np.asarray(params["W_i"]).T + params["b_i"])',
            ),
            (
                G,
                'i = sigmoid(z @ np.asarray(params["W_i"]).T + params["b_i"])',
                'i = sigmoid(z @ np.asarray(params["W_f"]).T + params["b_f"])',
            ),
        ),
    ),
    Sample(
        "mistake_x_h_order",
        "z = [x, h] instead of [h, x]",
        ((G, "z = np.concatenate([h_prev, x_t], axis=-1)", "z = np.concatenate([x_t, h_prev], axis=-1)"),),
    ),
    Sample("mistake_h_without_tanh", "h = o * C", ((G, "h = o * np.tanh(c)", "h = o * c"),)),
    Sample(
        "mistake_state_not_carried",
        "every step starts from h0, c0",
        ((G, 'h, c = step["h"], step["c"]', "pass  # the state is never carried"),),
    ),
    Sample(
        "mistake_cumprod_wrong_direction",
        "product of the earlier gates",
        (
            (
                R,
                "suffix_products = np.cumprod(f[::-1], axis=0)[::-1]",
                "suffix_products = np.cumprod(f, axis=0)",
            ),
        ),
    ),
    Sample(
        "mistake_cell_path_only",
        "dL/dC_k without the path through h_k",
        ((R, "d_c = d_c + d_h * o * (1.0 - tanh_c**2)", "d_c = d_c + 0.0 * d_h"),),
    ),
    Sample(
        "mistake_rnn_without_tanh_derivative",
        "W_hh^T alone at each step",
        ((R, "grads.append(W_hh.T @ (grads[-1] * (1.0 - h_t**2)))", "grads.append(W_hh.T @ grads[-1])"),),
    ),
    Sample(
        "mistake_rows_are_input_size",
        "W as I x (H + I)",
        (
            (
                B,
                'shapes[f"W_{gate}"] = (hidden_size, hidden_size + input_size)',
                'shapes[f"W_{gate}"] = (input_size, hidden_size + input_size)',
            ),
        ),
    ),
    Sample(
        "mistake_forgot_four_gates",
        "one gate's weights, four gates' biases",
        (
            (
                B,
                "total += directions * 4 * per_gate",
                "total += directions * (per_gate + 3 * biases_per_gate * hidden_size)",
            ),
        ),
    ),
    Sample(
        "mistake_forgot_biases",
        "no bias vectors",
        (
            (
                B,
                "per_gate = hidden_size * (hidden_size + layer_input) + biases_per_gate * hidden_size",
                "per_gate = hidden_size * (hidden_size + layer_input)",
            ),
        ),
    ),
    Sample(
        "mistake_pytorch_double_bias",
        "two biases per gate whatever the convention",
        ((B, 'biases_per_gate = 1 if convention == "keras" else 2', "biases_per_gate = 2"),),
    ),
    Sample(
        "mistake_keras_single_bias",
        "one bias per gate whatever the convention",
        ((B, 'biases_per_gate = 1 if convention == "keras" else 2', "biases_per_gate = 1"),),
    ),
    Sample(
        "mistake_stacked_input_size",
        "every layer reads the input size",
        (
            (
                B,
                "layer_input = input_size if layer == 0 else directions * hidden_size",
                "layer_input = input_size",
            ),
        ),
    ),
    Sample(
        "mistake_bidirectional_not_doubled",
        "one direction only",
        ((B, "directions = 2 if bidirectional else 1", "directions = 1"),),
    ),
    Sample(
        "mistake_no_gradients", "gradients left out", ((B, '"gradients": parameters,', '"gradients": 0,'),)
    ),
    Sample(
        "mistake_no_optimizer_state",
        "optimizer state left out",
        ((B, '"optimizer_state": buffers_per_parameter * parameters,', '"optimizer_state": 0,'),),
    ),
    Sample(
        "mistake_one_byte_per_value",
        "activations at one byte per value",
        (
            (
                B,
                '"activations": bytes_per_value * batch_size * seq_len * per_row_and_step,',
                '"activations": batch_size * seq_len * per_row_and_step,',
            ),
        ),
    ),
    Sample(
        "mistake_no_seq_len",
        "activations for one time step",
        (
            (
                B,
                '"activations": bytes_per_value * batch_size * seq_len * per_row_and_step,',
                '"activations": bytes_per_value * batch_size * per_row_and_step,',
            ),
        ),
    ),
    Sample(
        "crash_gate_table_raises",
        "gate_table raises an error of its own",
        ((G, "    xs = np.asarray(xs)\n    hidden", '    raise RuntimeError("boom")\n    hidden'),),
    ),
    # Mistakes outside the rubric's catalogue: named from the generated equations, or localised.
    Sample(
        "mistake_output_gate_without_bias",
        "o_t = sigmoid(W_o z_t), the bias left out",
        (
            (
                G,
                'o = sigmoid(z @ np.asarray(params["W_o"]).T + params["b_o"])',
                'o = sigmoid(z @ np.asarray(params["W_o"]).T)',
            ),
        ),
    ),
    Sample(
        "mistake_retain_grad_rows",
        "dL/dC_k stored before the C_k -> h_k term is added (what retain_grad() on nn.LSTM's c gives)",
        (
            (
                R,
                "        d_c = d_c + d_h * o * (1.0 - tanh_c**2)\n        grads[t + 1] = d_c\n",
                "        grads[t + 1] = d_c\n        d_c = d_c + d_h * o * (1.0 - tanh_c**2)\n",
            ),
        ),
    ),
    Sample(
        "mistake_backward_c_for_tanh_c",
        "the backward pass uses C_t where tanh(C_t) is due",
        ((R, 'tanh_c = np.tanh(cache["c"][t])', 'tanh_c = cache["c"][t]'),),
    ),
    Sample(
        "mistake_gradient_of_h_without_tanh",
        "forward pass h = o * C, and the exact backward pass of that forward pass",
        (
            (R, 'h = cache["o"][t] * np.tanh(c)', 'h = cache["o"][t] * c'),
            (R, "d_c = d_c + d_h * o * (1.0 - tanh_c**2)", "d_c = d_c + d_h * o"),
            (R, "d_h * tanh_c * o * (1.0 - o)", 'd_h * cache["c"][t] * o * (1.0 - o)'),
        ),
    ),
    Sample(
        "mistake_gradients_default_state_ones",
        "the gradient's forward pass starts from h_0 = C_0 = 1 when none is given",
        (
            (R, "np.zeros((), xs.dtype) if h0 is None", "np.ones((), xs.dtype) if h0 is None"),
            (R, "np.zeros((), xs.dtype) if c0 is None", "np.ones((), xs.dtype) if c0 is None"),
        ),
    ),
    Sample(
        "mistake_three_gates_count",
        "a layer counted with three gates' weights and one bias vector",
        (
            (
                B,
                "        total += directions * 4 * per_gate\n",
                "        total += directions * (3 * hidden_size * (hidden_size + layer_input)"
                " + hidden_size)\n",
            ),
        ),
    ),
    Sample(
        "mistake_bidirectional_upper_reads_h",
        "a layer above a bidirectional layer reads H inputs, not 2H",
        (
            (
                B,
                "layer_input = input_size if layer == 0 else directions * hidden_size",
                "layer_input = input_size if layer == 0 else hidden_size",
            ),
        ),
    ),
    Sample(
        "hang_lstm_step_loops_forever",
        "lstm_step never returns",
        ((G, "    x_t = np.asarray(x_t)\n", "    while True:\n        pass\n    x_t = np.asarray(x_t)\n"),),
    ),
    Sample(
        "exit_num_parameters_ends_the_process",
        "num_parameters calls os._exit",
        (
            (
                B,
                "    directions = 2 if bidirectional else 1\n",
                "    import os\n\n    os._exit(0)\n    directions = 2 if bidirectional else 1\n",
            ),
        ),
    ),
    Sample(
        "syntax_error_lstm_gates",
        "lstm_gates.py does not parse",
        ((G, "def sigmoid(z: ArrayLike)", "def sigmoid(z: ArrayLike"),),
    ),
    Sample(
        "garbage_weight_shapes_equals_anything",
        "weight_shapes returns an object equal to everything",
        (
            (
                B,
                "    shapes: dict[str, tuple[int, ...]] = {}\n",
                "    class Anything(dict):  # type: ignore[type-arg]\n"
                "        def __eq__(self, other: object) -> bool:\n            return True\n\n"
                "    return Anything()  # type: ignore[return-value]\n"
                "    shapes: dict[str, tuple[int, ...]] = {}\n",
            ),
        ),
    ),
)


def strip_markers(source: str) -> str:
    marks = (stubs.BEGIN_MARK, stubs.END_MARK)
    return "".join(
        line
        for line in source.splitlines(keepends=True)
        if line.strip() not in marks and not line.strip().startswith(stubs.STUB_MARK)
    )


def sample_files(sample: Sample, course: Course) -> dict[str, str]:
    """File name -> text of one derived sample submission."""
    files = {}
    for name in (G, R, B):
        if sample.from_stubs:
            files[f"{name}.py"] = (course.exercises / f"{name}.py").read_text(encoding="utf-8")
            continue
        text = strip_markers((course.solutions / f"{name}.py").read_text(encoding="utf-8"))
        for module, old, new in sample.edits:
            if module == name:
                if text.count(old) != 1:
                    raise ValueError(
                        f"sample {sample.name}: {old!r} occurs {text.count(old)} times in {name}.py"
                    )
                text = text.replace(old, new)
        files[f"{name}.py"] = text
    return files


def write_samples(course: Course) -> list[Path]:
    written = []
    for sample in SAMPLES:
        folder = course.samples / sample.name
        folder.mkdir(parents=True, exist_ok=True)
        for filename, text in sample_files(sample, course).items():
            (folder / filename).write_text(text, encoding="utf-8")
        written.append(folder)
    return written


def sample_differences(course: Course) -> list[str]:
    differences = []
    for sample in SAMPLES:
        for filename, text in sample_files(sample, course).items():
            path = course.samples / sample.name / filename
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                differences.append(f"{path}: missing or stale")
    return differences
