"""An exception's traceback as text, the way Python prints it but without the caret lines.

Python 3.11's `traceback.format_exception` places its carets (`^^^^`) by finding each frame's
instruction positions and parsing the frame's source line with `ast.parse`: about a millisecond for
a few failing calls, in a probe where many checks fail on purpose. Here the frames come from
`traceback.walk_tb`, which carries no column positions, so `StackSummary.format` writes each
frame's "File" line and source line only (repeated frames still collapse). The chain of causes and
contexts is followed as Python follows it, at most MAX_CHAIN deep and never round a loop.
"""

from __future__ import annotations

import traceback

MAX_CHAIN = 16  # exceptions in one chain of causes and contexts
CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _chain(error: BaseException) -> list[tuple[str, BaseException]]:
    """The exceptions to print, newest first, each with the sentence that leads to it from the
    one printed before it (its cause or context)."""
    found: list[tuple[str, BaseException]] = []
    seen: set[int] = set()
    current = error
    while id(current) not in seen and len(found) < MAX_CHAIN:
        seen.add(id(current))
        if current.__cause__ is not None:
            found.append((CAUSE, current))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            found.append((CONTEXT, current))
            current = current.__context__
        else:
            found.append(("", current))
            return found
    found[-1] = ("", found[-1][1])  # what it leads from is not printed
    return found


def format_exception(error: BaseException) -> list[str]:
    """The lines `traceback.format_exception(type(error), error, error.__traceback__)` gives, minus
    the caret lines (and an exception group's members, which are shown by their group's line)."""
    lines: list[str] = []
    for lead, current in reversed(_chain(error)):
        lines.append(lead)
        if current.__traceback__ is not None:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.StackSummary.extract(traceback.walk_tb(current.__traceback__)).format())
        lines.extend(traceback.format_exception_only(type(current), current))
    return [line for line in lines if line]
