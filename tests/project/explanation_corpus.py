"""Written explanations with known concepts, as a class might hand them in: each answer states a
chosen subset of the rubric's three concepts in one of several phrasings (or leaves the idea out,
or gets it wrong), with filler sentences, in a shuffled order. Deterministic for a seed."""

from __future__ import annotations

import random

# How students say each concept (written from how students phrase it, not from the rubric's patterns).
SAYS: dict[str, tuple[str, ...]] = {
    "cell_path_is_forget_gate": (
        "Along the cell path dC_t/dC_{t-1} = f_t.",
        "The derivative of C_t with respect to C_{t-1} is just the forget gate f_t.",
        "Backpropagating through the cell state, the gradient gets multiplied by the forget gate "
        "at every step.",
        "∂C_t/∂C_{t-1} equals f_t, element-wise, along the cell state.",
        "Going back one step through the cell, the gradient is scaled by f_t only.",
        "dC_t / dC_{t-1} is f_t (the forget gate activation), so the cell path multiplies by f_t.",
        "On the cell state path each step multiplies the gradient by the forget gate values.",
        "The Jacobian of the cell state from one step to the previous is simply the forget gate.",
    ),
    "rnn_repeats_same_matrix": (
        "A vanilla RNN multiplies by the same W_hh again and again.",
        "In a plain RNN the gradient is multiplied by the same recurrent weight matrix and tanh' "
        "at every step.",
        "The simple RNN keeps multiplying by W_hh and the tanh derivative at each time step, so it shrinks.",
        "For the RNN the same matrix W_hh appears in the product over and over.",
        "An RNN's backward pass repeatedly multiplies by the recurrent weight matrix, which shrinks "
        "the signal.",
        "The vanilla RNN gradient contains W_hh^T raised to the number of steps, times tanh derivatives.",
    ),
    "can_still_vanish": (
        "If the forget gates are small the LSTM gradient can still vanish.",
        "When f_t is close to 0 the gradient still vanishes in an LSTM.",
        "The LSTM is not immune: with forget gates well below 1 the gradient vanishes too.",
        "A small forget gate kills the gradient, so vanishing can still happen.",
        "If the network learns f_t near zero, the gradient vanishes as well.",
        "Vanishing gradients can still occur in an LSTM whenever f_t is much less than 1.",
    ),
}
# Sentences that state none of the concepts (some are wrong, some say nothing precise).
FILLER: tuple[str, ...] = (
    "LSTMs were designed to solve the vanishing gradient problem.",
    "The cell state acts like a conveyor belt carrying information through time.",
    "Gates control what information is kept and what is thrown away.",
    "The output gate decides what part of the cell state becomes the hidden state.",
    "This is why LSTMs are good at long sequences such as text.",
    "The input gate chooses how much of the candidate enters the cell.",
    "Exploding gradients are usually handled with gradient clipping.",
    "The additive update of the cell state is the key difference from a plain recurrent network.",
    "Because of the gates, information can flow for many time steps.",
    "The LSTM gradient never vanishes because the cell state is additive.",
)
COMBINATIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("cell_path_is_forget_gate",),
    ("rnn_repeats_same_matrix",),
    ("can_still_vanish",),
    ("cell_path_is_forget_gate", "rnn_repeats_same_matrix"),
    ("cell_path_is_forget_gate", "can_still_vanish"),
    ("rnn_repeats_same_matrix", "can_still_vanish"),
    ("cell_path_is_forget_gate", "rnn_repeats_same_matrix", "can_still_vanish"),
)


def explanations(count: int, seed: int = 13) -> list[tuple[str, tuple[str, ...]]]:
    """`count` (answer, the concepts it states) pairs; a few answers are left empty."""
    generator = random.Random(seed)
    made = []
    for index in range(count):
        if index % 40 == 39:
            made.append(("", ()))
            continue
        concepts = COMBINATIONS[generator.randrange(len(COMBINATIONS))]
        sentences = [generator.choice(SAYS[c]) for c in concepts]
        sentences += generator.sample(FILLER, generator.randint(1, 3))
        generator.shuffle(sentences)
        text = " ".join(sentences)
        made.append((text.lower() if generator.random() < 0.1 else text, concepts))
    return made
