"""Which submissions are suspiciously similar: winnowed fingerprints of normalised code, paired
through an inverted index (sparse), so a class of 1,000 takes seconds, not a million comparisons.

The method is MOSS's (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003), as copydetect implements it too:

1. Normalise (`normalised_tokens`): Python's own tokenizer; every name the student chose becomes
   `V` (keywords, built-ins and attribute names after a dot stay: a copier renames variables, not
   numpy), every number `N`, every string `S` (adjacent strings are one); comments, blank
   lines, layout and trailing commas are dropped. A copy with its variables renamed and its
   code reformatted normalises to the same tokens.
2. Fingerprint: hash every run of K tokens; winnowing keeps the smallest hash of each window of
   W hashes, so any shared run of K + W - 1 tokens is always seen.
3. Leave out what is not evidence: every K-gram of the released stubs (boilerplate), and, as MOSS
   does ("-m": code that appears in too many programs is legitimate sharing), every fingerprint
   that more than COMMON_SHARE of the class has: here that is the reference-like code a
   correct solution converges to. What is left is each program's distinctive code.
4. A pair's score is the share of the smaller program's distinctive fingerprints that the other
   has too (so a copy padded with changes of its own still scores high); pairs at or above the
   threshold with at least MIN_SHARED fingerprints in common are listed. Programs identical
   once normalised (beyond the stubs) are listed too, with score 1, even when nothing in them is
   distinctive: two untouched reference-like programs, renamed, are still copies.

So two submissions are "distinct" when their normalised code differs somewhere no large part of
the class shares; two that differ only in names, literals, comments or layout are the same
program to this (and any token-based) detector.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

K = 12  # tokens per fingerprinted run
WINDOW = 6  # winnowing window: a shared run of K + WINDOW - 1 = 17 tokens is always found
COMMON_SHARE = 0.2  # a fingerprint more than this share of the class has is common code
MIN_COMMON = 5  # ... and never fewer programs than this (small classes)
THRESHOLD = 0.5  # the share of a pair's smaller distinctive code they have in common, to be listed
MIN_SHARED = 4  # distinctive fingerprints a listed pair must share

_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
# Python 3.12 splits an f-string into tokens: its start stands for the string, its literal parts go.
_STRING_STARTS = frozenset({tokenize.STRING, getattr(tokenize, "FSTRING_START", tokenize.STRING)})
_STRING_PARTS = frozenset(
    getattr(tokenize, name) for name in ("FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)
)
_CLOSING = (["]"], [")"], ["}"])  # a comma before one is a formatter's choice (trailing comma)
_DROPPED = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.TYPE_COMMENT}
)


@dataclass(frozen=True)
class Module:
    """One file of a program: its normalised tokens and the source line each one comes from."""

    name: str
    tokens: tuple[str, ...]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Fingerprints:
    """A program's winnowed fingerprints (boilerplate left out), where each first occurs, and the
    digest of its whole normalised code."""

    hashes: frozenset[int]
    places: Mapping[int, tuple[str, int]]  # where each first occurs: module, token index
    digest: str


@dataclass(frozen=True)
class SimilarPair:
    a: str
    b: str
    score: float  # share of the smaller one's distinctive fingerprints in both (1: identical programs)
    shared: int  # distinctive fingerprints in common
    identical: bool  # the same program once normalised


def normalised_tokens(source: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The source's tokens as the detector compares them, and each one's line. A file the
    tokenizer cannot finish (a syntax error) keeps the tokens read before the error."""
    tokens: list[str] = []
    lines: list[int] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            text = _normalised(token, previous)
            if text:
                tokens.append(text)
                lines.append(token.start[0])
            previous = token.string if token.type != tokenize.NL else previous
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    kept = [
        i
        for i, text in enumerate(tokens)
        if not (text == "," and tokens[i + 1 : i + 2] in _CLOSING)
        and not (text == "S" and tokens[i + 1 : i + 2] == ["S"])  # "a" "b" is one string
    ]
    return tuple(tokens[i] for i in kept), tuple(lines[i] for i in kept)


def _normalised(token: tokenize.TokenInfo, previous: str) -> str:
    if token.type in _DROPPED:
        return ""
    if token.type == tokenize.NAME:
        return token.string if token.string in _KEPT_NAMES or previous == "." else "V"
    if token.type == tokenize.NUMBER:
        return "N"
    if token.type in _STRING_STARTS:
        return "S"
    if token.type in _STRING_PARTS:
        return ""
    if token.type == tokenize.NEWLINE:
        return ";"
    if token.type in (tokenize.INDENT, tokenize.DEDENT):
        return tokenize.tok_name[token.type]
    return token.string


def _token_ids(tokens: Sequence[str]) -> np.ndarray:
    """A stable 64-bit number per token (the same in every process and run)."""
    ids = {
        t: int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in set(tokens)
    }
    return np.array([ids[t] for t in tokens], dtype=np.uint64)


def kgram_hashes(tokens: Sequence[str], k: int = K) -> np.ndarray:
    """The hash of every run of k tokens (a polynomial over the tokens' ids, modulo 2**64)."""
    if len(tokens) < k:
        return np.zeros(0, dtype=np.uint64)
    ids = _token_ids(tokens)
    powers = np.array([pow(1_000_003, k - 1 - j, 2**64) for j in range(k)], dtype=np.uint64)
    windows = np.lib.stride_tricks.sliding_window_view(ids, k)
    with np.errstate(over="ignore"):
        hashes: np.ndarray = (windows * powers).sum(axis=1, dtype=np.uint64)
    return hashes


def winnowed(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Indexes of the hashes winnowing keeps: the smallest of each window (the rightmost one on a
    tie), each index once, in order."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    views = np.lib.stride_tricks.sliding_window_view(hashes, window)[:, ::-1]
    chosen = np.arange(len(views)) + window - 1 - views.argmin(axis=1)
    return np.unique(chosen)


def fingerprints(modules: Sequence[Module], boilerplate: frozenset[int]) -> Fingerprints:
    """A program's fingerprints less the boilerplate's K-grams."""
    places: dict[int, tuple[str, int]] = {}
    digest = hashlib.sha256()
    for module in modules:
        digest.update(f"\0{module.name}\0".encode() + " ".join(module.tokens).encode())
        hashes = kgram_hashes(module.tokens)
        for index in winnowed(hashes):
            value = int(hashes[index])
            if value not in boilerplate:
                places.setdefault(value, (module.name, int(index)))
    return Fingerprints(frozenset(places), places, digest.hexdigest())


def normalised_module(name: str, source: str) -> Module:
    return Module(name, *normalised_tokens(source))


def boilerplate_hashes(stubs: Iterable[str]) -> frozenset[int]:
    """Every K-gram of the released stub code: what every student starts from."""
    found: set[int] = set()
    for source in stubs:
        found.update(int(h) for h in kgram_hashes(normalised_tokens(source)[0]))
    return frozenset(found)


def common_limit(students: int, share: float = COMMON_SHARE) -> int:
    """How many programs may have a fingerprint before it is common code."""
    return max(MIN_COMMON, int(share * students))


def distinctive(programs: Mapping[str, Fingerprints], limit: int) -> dict[str, frozenset[int]]:
    """Each program's fingerprints that at most `limit` programs have."""
    counts: dict[int, int] = {}
    for program in programs.values():
        for value in program.hashes:
            counts[value] = counts.get(value, 0) + 1
    return {s: frozenset(h for h in p.hashes if counts[h] <= limit) for s, p in programs.items()}


def similar_pairs(
    programs: Mapping[str, Fingerprints],
    *,
    threshold: float = THRESHOLD,
    share: float = COMMON_SHARE,
) -> list[SimilarPair]:
    """Every pair above the threshold, or identical once normalised, most similar first."""
    from scipy import sparse

    own = distinctive(programs, common_limit(len(programs), share))
    students = sorted(programs)
    columns: dict[int, int] = {}
    rows, cols = [], []
    for row, student in enumerate(students):
        for value in own[student]:
            rows.append(row)
            cols.append(columns.setdefault(value, len(columns)))
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), (len(students), len(columns))
    )
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    pairs: dict[tuple[str, str], SimilarPair] = {}
    for i, j, count in zip(shared.row, shared.col, shared.data, strict=True):
        a, b = students[i], students[j]
        score = int(count) / min(len(own[a]), len(own[b]))
        if count >= MIN_SHARED and score >= threshold:
            same = programs[a].digest == programs[b].digest
            pairs[(a, b)] = SimilarPair(a, b, 1.0 if same else score, int(count), same)
    for group in _identical_groups(programs):
        for index, a in enumerate(group):
            for b in group[index + 1 :]:
                pairs[(a, b)] = SimilarPair(a, b, 1.0, len(own[a] & own[b]), True)
    return sorted(pairs.values(), key=lambda p: (-p.score, -p.shared, p.a, p.b))


def _identical_groups(programs: Mapping[str, Fingerprints]) -> list[list[str]]:
    """Programs with the same normalised code and something beyond the stubs in it."""
    by_digest: dict[str, list[str]] = {}
    for student in sorted(programs):
        if programs[student].hashes:
            by_digest.setdefault(programs[student].digest, []).append(student)
    return [group for group in by_digest.values() if len(group) > 1]


def clusters(pairs: Iterable[SimilarPair]) -> list[list[str]]:
    """The groups the listed pairs link (connected components), largest first."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = {}
    for node in sorted(parent):
        groups.setdefault(root(node), []).append(node)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))
