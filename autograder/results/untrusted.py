"""Text that came from a student, made safe once, where it enters the results.

A student controls exception messages and type names, the line a traceback ends in, the values a
function returns (and so the reprs and keys the feedback quotes), concept answers and written
answers. Each enters a result through `untrusted_text`, which cuts it to a limit (saying how much
was left out) and writes every character a terminal, an editor or a browser could act on as a
visible escape: C0 and C1 control characters (ESC starts the terminal's escape sequences: clearing
the screen, writing the clipboard, hiding text), DEL, bidirectional overrides and isolates (which
reorder what is shown), line and paragraph separators, and lone surrogates (which no UTF-8 file can
hold). Newlines stay only in multi-line fields. So no renderer ever sees raw student text, and
`truncated` bounds what the renderers lay out.
"""

from __future__ import annotations

import re

TEXT_LIMIT = 500  # characters, when a field names no limit of its own
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
_INVISIBLE_ORDER = "\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"  # bidi marks, separators, overrides
_SURROGATES = "\ud800-\udfff"
# One line: tab and newline escaped too. Multi-line: kept.
_ONE_LINE = re.compile(f"([\t\n{_CONTROLS}{_INVISIBLE_ORDER}{_SURROGATES}])")
_MULTI_LINE = re.compile(f"([{_CONTROLS}{_INVISIBLE_ORDER}{_SURROGATES}])")


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def visible(character: str) -> str:
    """The escape that shows a character instead of letting it act: \\x1b, \\u202e, \\n."""
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _note(left_out: int) -> str:
    return f"… ({left_out} more characters)"


def truncated(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its start and a note of what was left
    out, `limit` characters in all (for limits of 40 and more)."""
    if len(text) <= limit:
        return text
    room = max(limit - len(_note(len(text))), 0)
    return text[:room] + _note(len(text) - room)


def untrusted_text(text: str, limit: int = TEXT_LIMIT, *, multiline: bool = False) -> str:
    """Student text as it may be shown: escaped (see the module's doc) and at most `limit`
    characters, a note of how much was left out included. Applying it twice changes nothing."""
    pattern = _MULTI_LINE if multiline else _ONE_LINE
    if len(text) <= limit and not pattern.search(text):
        return text
    room = max(limit - len(_note(len(text))), 0)
    shown, used = _escaped_start(text, pattern, limit if len(text) <= limit else room)
    if used == len(text) and len(shown) <= limit:
        return shown
    if len(shown) > room:  # it all fitted as text, not once escaped: cut again with room for the note
        shown, used = _escaped_start(text, pattern, room)
    return shown + _note(len(text) - used)


def _escaped_start(text: str, pattern: re.Pattern[str], room: int) -> tuple[str, int]:
    """The escaped form of the longest start of `text` that fits in `room` characters, and how
    many characters of `text` it covers (work bounded by `room`: each character gives one or more)."""
    pieces: list[str] = []
    size = used = 0
    for index, piece in enumerate(pattern.split(text[:room])):
        shown = visible(piece) if index % 2 else piece
        if size + len(shown) > room:
            if not index % 2:  # plain text: as much of it as fits
                pieces.append(piece[: room - size])
                used += room - size
            break
        pieces.append(shown)
        size += len(shown)
        used += len(piece)
    return "".join(pieces), used
