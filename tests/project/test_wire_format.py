"""Plain data across the sandbox boundary, without pickle."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from autograder.probe.wire_format import (
    MAX_CELLS,
    MAX_ITEMS,
    MAX_JUNK_LINES,
    MAX_KEYS,
    MAX_LINE_BYTES,
    MAX_LINE_COMMAS,
    MAX_STRING_CHARS,
    READ_CHUNK,
    ChannelReader,
    TooLargeError,
    Unsupported,
    decode,
    encode,
    outcome_line,
    parse_outcome,
)


def test_round_trip_keeps_types_shapes_and_dtypes() -> None:
    value = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": (1, 2.5, "x", None, True),
        "c": [np.int64(3)],
        "d": float("nan"),
    }
    back = decode(encode(value))
    assert back["a"].dtype == np.float32 and back["a"].shape == (2, 3)
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"] == (1, 2.5, "x", None, True) and back["c"] == [3] and np.isnan(back["d"])


class EqualsAnything:
    def __eq__(self, other: object) -> bool:
        return True


class FakeInt(int):
    def __eq__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize("value", [EqualsAnything(), FakeInt(3), np.array(["x"]), {1: 2}, np.array([1 + 2j])])
def test_anything_but_plain_data_becomes_unsupported(value: object) -> None:
    assert isinstance(decode(encode(value)), Unsupported)


@pytest.mark.parametrize(
    "raw",
    [
        {"__ndarray__": ["object", [1], ""]},
        {"__pickle__": "x"},
        {"a": 1, "b": 2},
        {"__ndarray__": ["float64", [-1], ""]},
    ],
)
def test_malformed_input_raises_value_error(raw: object) -> None:
    with pytest.raises(ValueError):
        decode(raw)


# ---- bounds: every decoded value is bounded, and the encoder says which bound a value passed ----


def raw_array(dtype: str, shape: list[int], data: bytes = b"") -> dict[str, object]:
    """An array as a tampered runner could write it (the honest encoder would refuse it)."""
    return {"__ndarray__": [dtype, shape, base64.b64encode(data).decode("ascii")]}


def test_big_endian_arrays_arrive_with_their_values() -> None:
    for dtype in (">f8", ">f4", ">i4", ">u2", "<f8", "=i8", "|u1", "|b1"):
        sent = np.arange(12).reshape(3, 4).astype(dtype)
        back = decode(json.loads(json.dumps(encode(sent))))
        assert back.dtype == sent.dtype.newbyteorder("=") and back.dtype.isnative, dtype
        np.testing.assert_array_equal(back, sent)
    back = decode(encode({"h": np.linspace(0, 1, 5).astype(">f8")}))["h"]
    assert back.dtype.isnative and back.flags.writeable and back[1] == 0.25


def test_the_wire_is_little_endian() -> None:
    raw = raw_array("float64", [2], np.array([1.5, -2.0], dtype="<f8").tobytes())
    np.testing.assert_array_equal(decode(raw), [1.5, -2.0])
    assert encode(np.array([1.0], dtype=">f8"))["__ndarray__"][2] == encode(np.array([1.0]))["__ndarray__"][2]


@pytest.mark.parametrize(
    "value",
    [
        {key: np.zeros((10**6, 0)) for key in ("f", "i", "c_tilde", "c", "o", "h")},  # no data, 6e6 rows
        np.zeros((10**7, 0)),
        np.zeros((0,) * 40),
        {f"k{i}": 0 for i in range(10**6)},
        list(range(MAX_ITEMS + 1)),
        "x" * (MAX_STRING_CHARS + 1),
        ["y" * MAX_STRING_CHARS] * 20,
        np.zeros(MAX_CELLS + 1, dtype=np.int8),
        [np.zeros(MAX_CELLS // 2 + 1)] * 2,
    ],
    ids=["gate-table-1e6x0", "1e7x0", "40-dims", "1e6-keys", "items", "string", "text", "cells", "total"],
)
def test_a_value_over_a_bound_becomes_one_unsupported_marker(value: object) -> None:
    encoded = encode(value)
    assert set(encoded) == {"__unsupported__"} and len(json.dumps(encoded)) < 300, str(encoded)[:300]
    assert "too large" in decode(encoded).what


@pytest.mark.parametrize(
    "raw",
    [
        raw_array("float64", [10**7, 0]),
        {"__dict__": {key: raw_array("float64", [10**6, 0]) for key in ("f", "i", "c_tilde", "c", "o", "h")}},
        raw_array("float64", [0] * 40),
        raw_array("float64", [2**62, 2**62, 0]),
        {"__dict__": {f"k{i}": 0 for i in range(MAX_KEYS + 1)}},
        {"__tuple__": [0] * (MAX_ITEMS + 1)},
        "z" * (MAX_STRING_CHARS + 1),
        [[[[[[[[[[[[1]]]]]]]]]]]],
        [raw_array("float64", [MAX_CELLS // 4, 0])] * 5,
        2**64,
    ],
    ids=[
        "1e7x0",
        "gate-table-1e6x0",
        "40-dims",
        "huge-dims",
        "keys",
        "items",
        "string",
        "depth",
        "total-cells",
        "int",
    ],
)
def test_decoding_a_value_over_a_bound_raises_too_large(raw: object) -> None:
    with pytest.raises(TooLargeError):
        decode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        raw_array("float64", [3], b"\0" * 16),  # data of the wrong length
        {"__ndarray__": {"dtype": 1, "shape": 2, "data": 3}},
        {"__ndarray__": ["float64", [1.5], ""]},
        {"__float__": "1" * 10_000},
        {"__dict__": [1, 2]},
        {"__unsupported__": ["x"]},
    ],
)
def test_malformed_bodies_raise_value_error(raw: object) -> None:
    with pytest.raises(ValueError):
        decode(raw)


def test_values_within_the_bounds_still_cross() -> None:
    value = {
        "table": {key: np.ones((5, 64)) for key in ("f", "i", "c_tilde", "c", "o", "h")},
        "empty": np.zeros((0, 3)),
        "nested": [[[[[[[1]]]]]]],
        "text": "é" * 1000,
        "many": list(range(50_000)),
    }
    back = decode(json.loads(json.dumps(encode(value))))
    assert back["table"]["h"].shape == (5, 64) and back["empty"].shape == (0, 3)
    assert back["nested"] == [[[[[[[1]]]]]]] and back["many"][-1] == 49_999 and back["text"] == value["text"]


def test_an_unsupported_object_with_a_huge_name_stays_small() -> None:
    huge = type("N" * 3_000_000, (), {})
    huge.__qualname__ = "Q" * 3_000_000
    marker = encode([huge()])[0]
    assert len(marker["__unsupported__"]) < 400 and "not plain data" in marker["__unsupported__"]


# ---- the result channel ----


def outcome_bytes(call_id: str, value: object = 1) -> bytes:
    return outcome_line({"id": call_id, "ok": True, "value": encode(value)}).encode()


def test_junk_lines_are_dropped_and_a_flood_stops_the_reading(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    junk = b"x\n" * (30 * 1024 * 1024)  # 60 MB of junk lines
    path.write_bytes(
        outcome_bytes("a#0") + b"{\n[1, 2]\n\n" + outcome_bytes("a#1") + junk + outcome_bytes("a#2")
    )
    reader = ChannelReader()
    with path.open("rb") as source:
        reader.read(source)
        assert source.tell() <= 2 * READ_CHUNK  # it stopped reading soon after the flood began
    assert [o["id"] for o in reader.outcomes] == ["a#0", "a#1"]
    assert reader.flooded and reader.junk == MAX_JUNK_LINES + 1
    assert reader.position < 2 * READ_CHUNK


def test_the_channel_is_read_as_it_grows_each_byte_once(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    line = outcome_bytes("a#0", np.arange(1000.0))
    reader = ChannelReader()
    with path.open("wb") as sink:
        for start in range(0, len(line), 777):  # an outcome written in pieces, read between them
            sink.write(line[start : start + 777])
            sink.flush()
            assert reader.read_file(str(path)) == (1 if start + 777 >= len(line) else 0)
    assert reader.position == len(line) and reader.outcomes[0]["id"] == "a#0"


def test_a_line_longer_than_any_outcome_is_skipped_without_being_kept() -> None:
    reader = ChannelReader()
    piece = b'{"id": "' + b"x" * (1024 * 1024)
    for _ in range(MAX_LINE_BYTES // len(piece) + 2):
        reader.feed(piece)
    assert reader.junk == 1 and reader._pending_bytes == 0  # dropped as it streamed past
    reader.feed(b"tail of the long line\n" + outcome_bytes("a#0"))
    assert [o["id"] for o in reader.outcomes] == ["a#0"] and reader.junk == 1


@pytest.mark.parametrize(
    "line",
    [
        b'{"id": "a#0", "ok": false, "error": {"message": "' + b"m" * 10_000 + b'"}}',
        b'{"id": "a#0", "ok": true, "value": 1, "warnings": ["w"' + b', "w"' * 20 + b"]}",
        b'{"id": "a#0", "ok": true, "value": [' + b"0," * (MAX_LINE_COMMAS + 1) + b"0]}",
        b'["id", "a#0"]',
        b'{"ok": true, "id": "a#0"}',  # not as the runner writes it
    ],
    ids=["long-message", "many-warnings", "too-many-commas", "a-list", "not-the-runner's"],
)
def test_outcomes_beyond_their_bounds_are_rejected(line: bytes) -> None:
    assert parse_outcome(line) is None


def test_an_outcome_keeps_only_its_known_fields() -> None:
    line = b'{"id": "a#0", "ok": true, "value": 1, "extra": [' + b"1, " * 1000 + b'1], "seconds": 0.5}'
    assert parse_outcome(line) == {"id": "a#0", "ok": True, "value": 1, "seconds": 0.5, "warnings": []}


def test_a_dict_subclass_is_carried_as_the_dict_it_is() -> None:
    import collections

    from autograder.probe import wire_format as wire

    class Lying(dict):  # type: ignore[type-arg]
        def items(self):  # type: ignore[no-untyped-def]
            return [("forged", 1)]

    for value in (collections.OrderedDict(a=1), collections.defaultdict(int, {"a": 1}), Lying(a=1)):
        decoded = wire.decode(wire.encode(value))
        assert type(decoded) is dict and decoded == {"a": 1}
