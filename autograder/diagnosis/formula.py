"""Recover a student's formula from their function's values: exact polynomial interpolation.

A parameter count is a polynomial in the input size I and the hidden size H; training memory is,
per key, a polynomial in I, H, the batch B, the sequence length T and the bytes per value. Calling
the student's function on a grid of sizes (degree + 1 values per variable) and interpolating in
exact rational arithmetic gives their polynomial; values at points off the grid confirm it (a
function that is not such a polynomial, say one with a special case, is caught there).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Monomial = tuple[int, ...]  # one exponent per variable


@dataclass(frozen=True)
class Polynomial:
    """Exact coefficients by monomial, over named variables."""

    names: tuple[str, ...]
    terms: Mapping[Monomial, Fraction]

    def __call__(self, point: Sequence[int]) -> Fraction:
        total = Fraction(0)
        for exponents, coefficient in self.terms.items():
            power = 1
            for x, e in zip(point, exponents, strict=True):
                power *= x**e
            total += coefficient * power
        return total

    def coefficient(self, **exponents: int) -> Fraction:
        key = tuple(exponents.get(name, 0) for name in self.names)
        return self.terms.get(key, Fraction(0))

    def __sub__(self, other: Polynomial) -> Polynomial:
        return combine(self, other, -1)

    def scaled(self, factor: Fraction | int) -> Polynomial:
        return Polynomial(self.names, _nonzero({m: c * factor for m, c in self.terms.items()}))


def combine(a: Polynomial, b: Polynomial, sign: int) -> Polynomial:
    terms = dict(a.terms)
    for monomial, coefficient in b.terms.items():
        terms[monomial] = terms.get(monomial, Fraction(0)) + sign * coefficient
    return Polynomial(a.names, _nonzero(terms))


def _nonzero(terms: Mapping[Monomial, Fraction]) -> dict[Monomial, Fraction]:
    return {m: c for m, c in terms.items() if c != 0}


@functools.cache
def scaled_inverse(nodes: tuple[int, ...]) -> tuple[tuple[tuple[int, ...], ...], int]:
    """The inverse of the Vandermonde matrix of `nodes` as integers over one denominator
    (`inverse = rows / denominator`): Gauss-Jordan, exactly, once per set of nodes (a pure function
    of them, so kept), so that interpolating is integer arithmetic."""
    size = len(nodes)
    rows = [
        [*(Fraction(x) ** e for e in range(size)), *(Fraction(int(i == j)) for j in range(size))]
        for i, x in enumerate(nodes)
    ]
    for column in range(size):
        pivot = next(r for r in range(column, size) if rows[r][column] != 0)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        lead = rows[column][column]
        rows[column] = [value / lead for value in rows[column]]
        for r in range(size):
            if r != column and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    inverse = [row[size:] for row in rows]
    denominator = math.lcm(*(value.denominator for row in inverse for value in row))
    return tuple(tuple(int(value * denominator) for value in row) for row in inverse), denominator


def interpolate(
    names: Sequence[str], nodes: Sequence[Sequence[int]], value: Callable[[tuple[int, ...]], Fraction | int]
) -> Polynomial:
    """The polynomial of degree < len(nodes[j]) in variable j that takes `value` on the grid.
    The values are scaled to integers over one common denominator, and each variable's solve is
    an integer product with its scaled inverse: exact, without a rational per operation."""
    exact: dict[tuple[int, ...], Fraction | int] = {}
    for index in itertools.product(*(range(len(axis)) for axis in nodes)):
        found = value(tuple(nodes[j][i] for j, i in enumerate(index)))
        exact[index] = found if type(found) is int else Fraction(found)
    denominator = math.lcm(*(v.denominator for v in exact.values()))
    table = {index: int(v * denominator) for index, v in exact.items()}
    for axis, axis_nodes in enumerate(nodes):
        inverse, scale = scaled_inverse(tuple(axis_nodes))
        denominator *= scale
        solved: dict[tuple[int, ...], int] = {}
        for index in table:
            if index[axis] != 0:
                continue
            column = [table[(*index[:axis], i, *index[axis + 1 :])] for i in range(len(axis_nodes))]
            for exponent, weights in enumerate(inverse):
                key = (*index[:axis], exponent, *index[axis + 1 :])
                solved[key] = sum(w * v for w, v in zip(weights, column, strict=True))
        table = solved
    return Polynomial(tuple(names), _nonzero({m: Fraction(c, denominator) for m, c in table.items()}))


def superscript(exponent: int) -> str:
    return "" if exponent == 1 else str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def monomial_text(names: Sequence[str], exponents: Monomial) -> str:
    return "·".join(f"{n}{superscript(e)}" for n, e in zip(names, exponents, strict=True) if e)


def number_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def term_text(names: Sequence[str], exponents: Monomial, coefficient: Fraction) -> str:
    variables = monomial_text(names, exponents)
    if not variables:
        return number_text(coefficient)
    if coefficient == 1:
        return variables
    return f"{number_text(coefficient)}·{variables}"


def sorted_terms(poly: Polynomial) -> list[tuple[Monomial, Fraction]]:
    """Highest total degree first, then in the order of the variables."""
    return sorted(poly.terms.items(), key=lambda item: (-sum(item[0]), [-e for e in item[0]]))


def sum_text(pieces: Sequence[tuple[str, Fraction]]) -> str:
    """`a + b - c` from (text of the term without its sign, sign-carrying coefficient) pairs."""
    text = ""
    for index, (piece, coefficient) in enumerate(pieces):
        if index == 0:
            text = f"-{piece}" if coefficient < 0 else piece
        else:
            text += f" - {piece}" if coefficient < 0 else f" + {piece}"
    return text or "0"


def polynomial_text(poly: Polynomial) -> str:
    """`3·H² + 3·H·I + H`, highest degree first."""
    return sum_text([(term_text(poly.names, m, abs(c)), c) for m, c in sorted_terms(poly)])


def common_factor(poly: Polynomial) -> tuple[Monomial, Polynomial]:
    """The largest monomial dividing every term, and the quotient."""
    if not poly.terms:
        return (0,) * len(poly.names), poly
    lowest = tuple(min(m[j] for m in poly.terms) for j in range(len(poly.names)))
    quotient = {tuple(e - low for e, low in zip(m, lowest, strict=True)): c for m, c in poly.terms.items()}
    return lowest, Polynomial(poly.names, quotient)


def factored_text(poly: Polynomial) -> str:
    """`B·T·bytes·(I + 7·H)`: the common monomial taken out when the rest has several terms."""
    factor, quotient = common_factor(poly)
    if not any(factor) or len(quotient.terms) < 2:
        return polynomial_text(poly)
    return f"{monomial_text(poly.names, factor)}·({polynomial_text(quotient)})"


WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(value: Fraction, singular: str, plural: str) -> str:
    """`three gates`, `one bias vector`, `5/2 gates`."""
    number = WORDS[int(value)] if value.denominator == 1 and 0 <= value < len(WORDS) else number_text(value)
    return f"{number} {singular if value == 1 else plural}"
