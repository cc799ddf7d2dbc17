"""One case of the oracle: a call inside the contract (or a read of a constant), with a label that
says how to rebuild it and tags naming what is special about it (so a mutant can be described as
differing "only when h0 is left out")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_AN_ARRAY = "an argument that is not a numpy array (list or Python number: ArrayLike)"


@dataclass(frozen=True)
class Case:
    module: str
    name: str  # the function called, or the constant read when `call` is False
    label: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    call: bool = True
    watch_overflow: bool = False  # the contract forbids an overflow warning here
    argument: str | None = None  # an invalid argument: ValueError is due, naming it
    tags: frozenset[str] = frozenset()
