"""The formula behind a student's `num_parameters`, recovered and read term by term.

The student's function is swept over a grid of sizes for each structure (layers, directions,
convention); interpolation gives one polynomial in H and I per structure. Differences of those are
the formula per component: the first layer, a bidirectional first layer, a layer above the first.
Each component is compared with the reference's (recovered the same way, never typed in), in the
terms an LSTM is made of: gates' weights H·(H + width), bias vectors of H.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from autograder.diagnosis.formula import (
    Polynomial,
    count_words,
    interpolate,
    number_text,
    polynomial_text,
)
from autograder.results.model import FormulaFinding

NAMES = ("H", "I")
NODES = ((2, 4, 7), (3, 5, 8))  # hidden sizes, input sizes: degree two in each
CONFIRM = ((5, 13), (9, 6), (11, 1))  # (H, I) off the grid
STRUCTURES = ((1, False), (2, False), (3, False), (1, True), (2, True))  # (layers, bidirectional)
CONVENTIONS = ("keras", "pytorch")

Key = tuple[str, int, bool, int, int]  # convention, layers, bidirectional, H, I


def sweep_points() -> list[dict[str, Any]]:
    """Every call of the sweep, as keyword arguments."""
    sizes = [*itertools.product(*NODES), *CONFIRM]
    return [
        {"input_size": i, "hidden_size": h, "num_layers": layers, "bidirectional": bi, "convention": c}
        for c, (layers, bi), (h, i) in itertools.product(CONVENTIONS, STRUCTURES, sizes)
    ]


def point_key(point: Mapping[str, Any]) -> Key:
    return (
        point["convention"],
        point["num_layers"],
        point["bidirectional"],
        point["hidden_size"],
        point["input_size"],
    )


def exact(value: Any) -> Fraction | int:
    """A number the student returned, exactly (an int as it is, a finite float as a Fraction);
    LookupError otherwise."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return Fraction(value)
    raise LookupError


def recover(values: Mapping[Key, Any], convention: str, layers: int, bi: bool) -> Polynomial | None:
    """The polynomial through the grid, if the function gave ints everywhere and it holds off the grid."""

    def at(point: tuple[int, ...]) -> Fraction | int:
        return exact(values.get((convention, layers, bi, point[0], point[1])))

    try:
        poly = interpolate(NAMES, NODES, at)
        if all(poly(point) == at(point) for point in CONFIRM):
            return poly
    except LookupError:
        return None
    return None


@dataclass(frozen=True)
class Components:
    """The formula of each part of the count, per convention (None: not a polynomial)."""

    first: Polynomial | None
    bidirectional: Polynomial | None  # both directions of a first layer
    upper: Polynomial | None  # a layer above a one-directional layer
    third: Polynomial | None  # the third layer, to compare with the second
    upper_bidirectional: Polynomial | None  # both directions of a layer above a bidirectional one


def _minus(a: Polynomial | None, b: Polynomial | None) -> Polynomial | None:
    return None if a is None or b is None else a - b


def components(values: Mapping[Key, Any], convention: str) -> Components:
    total = {(layers, bi): recover(values, convention, layers, bi) for layers, bi in STRUCTURES}
    return Components(
        first=total[1, False],
        bidirectional=total[1, True],
        upper=_minus(total[2, False], total[1, False]),
        third=_minus(total[3, False], total[2, False]),
        upper_bidirectional=_minus(total[2, True], total[1, True]),
    )


def reference_values(function: Callable[..., Any]) -> dict[Key, Any]:
    return {point_key(p): function(**p) for p in sweep_points()}


# --- reading a component ----------------------------------------------------------------------


def parts(poly: Polynomial) -> tuple[Fraction, Fraction, Fraction, Polynomial]:
    """(H·H coefficient, H·I coefficient, H coefficient, every other term)."""
    rec, inp, bias = poly.coefficient(H=2), poly.coefficient(H=1, I=1), poly.coefficient(H=1)
    known = {(2, 0), (1, 1), (1, 0)}
    return rec, inp, bias, Polynomial(poly.names, {m: c for m, c in poly.terms.items() if m not in known})


def layer_text(poly: Polynomial, gates: Fraction | None) -> str:
    """`4·H·(H+I) + 4·H`, `4·H·(H+2H) + 4·H`, or the plain polynomial when it has no such shape."""
    rec, inp, bias, rest = parts(poly)
    if rest.terms:
        return polynomial_text(poly)
    size = "" if abs(bias) == 1 else f"{number_text(abs(bias))}·"
    bias_text = "" if bias == 0 else f" {'-' if bias < 0 else '+'} {size}H"
    if inp > 0 and rec == inp:
        return f"{'' if rec == 1 else number_text(rec) + '·'}H·(H+I){bias_text}"
    if inp == 0 and gates and rec % gates == 0 and rec // gates > 1:
        width = Fraction(rec // gates - 1)
        below = "H" if width == 1 else f"{number_text(width)}H"
        return f"{number_text(gates)}·H·(H+{below}){bias_text}"
    return polynomial_text(poly)


def plain(value: Fraction) -> str:
    """`four`, `5/2`: a count on its own."""
    return count_words(value, "", "").strip()


def extra_terms(rest: Polynomial) -> list[str]:
    return [
        f"a term {polynomial_text(Polynomial(rest.names, {m: c}))} that an LSTM's count does not have"
        for m, c in rest.terms.items()
    ]


def first_layer_readings(student: Polynomial, truth: Polynomial) -> list[str]:
    rec, inp, bias, rest = parts(student)
    rec_t, _, bias_t, _ = parts(truth)
    found = []
    if rec == inp and rec != rec_t:
        found.append(f"{count_words(rec, 'gate’s', 'gates’')} weights instead of {plain(rec_t)}")
    elif rec != inp:
        found.append(
            f"the recurrent block H·H counted {number_text(rec)} times and the input block H·I "
            f"{number_text(inp)} times: each of the {count_words(rec_t, 'gate', 'gates')} has one of each"
        )
    if bias != bias_t:
        found.append(f"{count_words(bias, 'bias vector', 'bias vectors')} of H instead of {plain(bias_t)}")
    return found + extra_terms(rest)


def upper_layer_readings(student: Polynomial, truth: Polynomial, gates: Fraction) -> list[str]:
    rec, inp, bias, rest = parts(student)
    rec_t, _, bias_t, _ = parts(truth)
    width_t = rec_t / 4 - 1
    below = "H outputs" if width_t == 1 else f"{number_text(width_t)}H outputs"
    found = []
    if not student.terms:
        return ["a layer above the first adds nothing to your count: each layer has weights of its own"]
    if inp != 0:
        found.append(f"it reads the input's I values; a layer above the first reads the {below} below it")
    elif gates and rec != gates * (1 + width_t):
        width = rec / gates - 1
        said = "H" if width == 1 else f"{number_text(width)}H"
        found.append(f"it reads {said} values; a layer above the first reads the {below} below it")
    if bias != bias_t:
        found.append(f"{count_words(bias, 'bias vector', 'bias vectors')} of H instead of {plain(bias_t)}")
    return found + extra_terms(rest)


def _gates(first: Polynomial) -> Fraction:
    rec, inp, _, _ = parts(first)
    return rec if rec == inp and rec > 0 else Fraction(4)


def _same_structure_upper(first: Polynomial, width: int) -> Polynomial:
    """A layer above the first built like the student's first layer, reading `width`·H values."""
    bias = parts(first)[2]
    gates = _gates(first)
    return Polynomial(NAMES, {m: c for m, c in {(2, 0): gates * (1 + width), (1, 0): bias}.items() if c})


def convention_findings(student: Components, truth: Components, conv: str) -> list[FormulaFinding]:
    s, t = student, truth
    if s.first is None or t.first is None:
        said = ("it does not follow one formula at every size",)
        return [FormulaFinding(f"your count ({conv})", "", "", said)]
    found = []
    gates = _gates(s.first)
    title = conv.capitalize()
    if s.first != t.first:
        found.append(
            FormulaFinding(
                f"one layer, one direction ({title})",
                layer_text(s.first, gates),
                layer_text(t.first, Fraction(4)),
                tuple(first_layer_readings(s.first, t.first)),
            )
        )
    upper_like = _same_structure_upper(s.first, 1)
    if s.upper is not None and t.upper is not None and s.upper != t.upper and s.upper != upper_like:
        found.append(
            FormulaFinding(
                f"a layer above the first, one direction ({title})",
                layer_text(s.upper, gates),
                layer_text(t.upper, Fraction(4)),
                tuple(upper_layer_readings(s.upper, t.upper, gates)),
            )
        )
    found += _bidirectional_findings(s, t, title)
    if s.third is not None and s.upper is not None and s.third != s.upper:
        found.append(
            FormulaFinding(
                f"the third layer ({title})",
                layer_text(s.third, gates),
                layer_text(t.upper, Fraction(4)) if t.upper is not None else "",
                ("your second and third layers differ: every layer above the first has the same size",),
            )
        )
    return found


def _bidirectional_findings(s: Components, t: Components, title: str) -> list[FormulaFinding]:
    found = []
    assert s.first is not None
    gates = _gates(s.first)
    if s.bidirectional is not None and t.bidirectional is not None:
        doubled = s.first.scaled(2)
        if s.bidirectional != t.bidirectional and s.bidirectional != doubled:
            reading = (
                "one direction counted: a bidirectional layer is two LSTMs, one per direction"
                if s.bidirectional == s.first
                else f"twice your one-directional layer would be {polynomial_text(doubled)}"
            )
            found.append(
                FormulaFinding(
                    f"one bidirectional layer, both directions ({title})",
                    polynomial_text(s.bidirectional),
                    polynomial_text(t.bidirectional),
                    (reading,),
                )
            )
    upper, truth = s.upper_bidirectional, t.upper_bidirectional
    adds_nothing = not upper.terms and s.upper is not None and not s.upper.terms if upper else False
    if upper is None or truth is None or upper == truth or adds_nothing:
        return found  # (a layer that adds nothing is said once, for one-directional stacks)
    if s.upper is not None and s.upper != t.upper and upper.scaled(Fraction(1, 2)) == s.upper:
        return found  # the same layer whatever is below it: said once, for one-directional stacks
    if upper == truth.scaled(Fraction(1, 2)) or (s.upper is not None and upper == s.upper):
        said: tuple[str, ...] = ("one direction counted: each bidirectional layer is two LSTMs",)
        student_text = polynomial_text(upper)
    elif upper.scaled(Fraction(1, 2)) == _same_structure_upper(s.first, 2):
        return found  # explained by the first layer's own mistakes
    else:
        per_direction = upper.scaled(Fraction(1, 2))
        said = tuple(upper_layer_readings(per_direction, truth.scaled(Fraction(1, 2)), gates))
        student_text = layer_text(per_direction, gates)
    found.append(
        FormulaFinding(
            f"a bidirectional layer above the first, per direction ({title})",
            student_text,
            layer_text(truth.scaled(Fraction(1, 2)), Fraction(4)),
            said or ("its count differs",),
        )
    )
    return found


def reference_components(truth: Mapping[Key, Any]) -> dict[str, Components]:
    """The reference's components per convention (what `count_findings` compares with)."""
    return {convention: components(truth, convention) for convention in CONVENTIONS}


def count_findings(
    student: Mapping[Key, Any], truth: Mapping[Key, Any], known: Mapping[str, Components] | None = None
) -> tuple[FormulaFinding, ...]:
    """What the student's formula gets wrong, component by component. The PyTorch convention is
    read only where its difference from Keras's is itself wrong (else it repeats the Keras finding).
    `known`: the reference's components, when already recovered (`reference_components`)."""
    reference = known if known is not None else reference_components(truth)
    s_k, t_k = components(student, "keras"), reference["keras"]
    keras = convention_findings(s_k, t_k, "keras")
    s_p, t_p = components(student, "pytorch"), reference["pytorch"]
    if s_p.first is None:
        return (*keras, *convention_findings(s_p, t_p, "pytorch"))
    if s_k.upper is not None and t_k.upper is not None and s_p.upper is not None and t_p.upper is not None:
        added, added_t = s_p.upper - s_k.upper, t_p.upper - t_k.upper
        if added != added_t:
            keras.append(
                FormulaFinding(
                    "what PyTorch's convention adds to a layer above the first, one direction",
                    polynomial_text(added),
                    polynomial_text(added_t),
                    (
                        "every layer and direction has PyTorch's two bias vectors per gate, "
                        "not only the first",
                    ),
                )
            )
    if s_k.first is not None and t_k.first is not None and t_p.first is not None:
        added, added_t = s_p.first - s_k.first, t_p.first - t_k.first
        if added != added_t:
            keras.append(
                FormulaFinding(
                    "what PyTorch's convention adds to one layer, one direction",
                    polynomial_text(added),
                    polynomial_text(added_t),
                    (
                        "your count does not change with the convention"
                        if not added.terms
                        else "PyTorch keeps two bias vectors per gate (b_ih and b_hh), Keras one",
                    ),
                )
            )
    return tuple(keras)
