"""How the warm runner sees a child's progress without keeping anything the child wrote (runs
inside the sandbox).

Every child is forked from the warm runner and inherits a copy of its memory. Had the runner
parsed a child's outcome lines (values, printed text, tracebacks quoting source lines), the freed
but never cleared memory they passed through would hand one student's results to the next
student's code, which can read its own memory. So the runner reads the result file only into one
buffer of its own, which it clears after every read, and keeps of each line no more than whether
it began as the runner writes the next expected outcome (`{"id": "<that call's id>"`). The grader,
outside the sandbox, reads and checks the outcomes themselves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from autograder.probe.wire_format import MAX_JUNK_LINES

CHUNK = 1 << 16


class Progress:
    """The outcome lines a child has begun as expected (`count`), and the lines that are not such
    an outcome (`junk`; past MAX_JUNK_LINES the channel is `flooded`), read as the file grows."""

    def __init__(self, path: str, call_ids: Sequence[str]) -> None:
        self.path = path
        self.expected = [b'{"id": ' + json.dumps(call_id).encode() for call_id in call_ids]
        self.count = 0
        self.junk = 0
        self._offset = 0
        self._buffer = bytearray(CHUNK)
        self._head = bytearray(max((len(p) for p in self.expected), default=0))
        self._head_length = 0  # bytes of the current line's beginning held in _head

    @property
    def flooded(self) -> bool:
        return self.junk > MAX_JUNK_LINES

    def read(self) -> bool:
        """Read what was written since the last read; whether a new outcome was begun and ended."""
        before = self.count
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            while not self.flooded:
                size = os.preadv(fd, [self._buffer], self._offset)
                if size <= 0:
                    break
                self._offset += size
                self._scan(size)
        finally:
            os.close(fd)
            self._clear(self._buffer, len(self._buffer))
        return self.count > before

    def _scan(self, size: int) -> None:
        buffer, head = memoryview(self._buffer), memoryview(self._head)
        start = 0
        while start < size:
            end = self._buffer.find(b"\n", start, size)
            stop = size if end < 0 else end
            room = len(self._head) - self._head_length
            taken = min(room, stop - start)
            if taken > 0:
                head[self._head_length : self._head_length + taken] = buffer[start : start + taken]
                self._head_length += taken
            if end < 0:
                return
            self._line_ended()
            start = end + 1

    def _line_ended(self) -> None:
        expected = self.expected[self.count] if self.count < len(self.expected) else None
        begun = memoryview(self._head)[: self._head_length]
        if expected is not None and self._head_length >= len(expected) and begun[: len(expected)] == expected:
            self.count += 1
        else:
            self.junk += 1
        self._clear(self._head, self._head_length)
        self._head_length = 0

    @staticmethod
    def _clear(buffer: bytearray, length: int) -> None:
        memoryview(buffer)[:length] = bytes(length)
