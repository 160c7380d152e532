"""Parsing of numbers typed by a student ("0.5, 0.2, 0.3"). Untrusted text: bounded length, no eval."""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from core.errors import InputError

MAX_TEXT_LENGTH = 200
_SEPARATORS = re.compile(r"[,\s;，、]+")  # commas (also the full-width Chinese ones), spaces, semicolons


def parse_vector(text: str, length: int | None = None, name: str = "values") -> np.ndarray:
    """Turn "0.5, 0.2, 0.3" into array([0.5, 0.2, 0.3]); ``ValueError`` says what is wrong otherwise.

    Refused: text over ``MAX_TEXT_LENGTH`` characters, an entry that is not a number, NaN or inf, and a count other
    than ``length`` when one is given.
    """
    if not isinstance(text, str):
        raise InputError("not_text", f"{name}: expected text, got {type(text).__name__}", name=name)
    if len(text) > MAX_TEXT_LENGTH:
        raise InputError("too_long", f"{name}: the text is longer than {MAX_TEXT_LENGTH} characters", name=name,
                         limit=MAX_TEXT_LENGTH)
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    if not parts:
        raise InputError("no_numbers", f"{name}: no numbers given", name=name)
    values = []
    for position, part in enumerate(parts, start=1):
        try:
            value = float(part)
        except ValueError:
            raise InputError("not_a_number", f"{name}: entry {position} ({part[:20]!r}) is not a number", name=name,
                             position=position, entry=part[:20]) from None
        if not np.isfinite(value):
            raise InputError("not_finite", f"{name}: entry {position} is {part[:20]}, not a finite number", name=name,
                             position=position, entry=part[:20])
        values.append(value)
    if length is not None and len(values) != length:
        raise InputError("wrong_count", f"{name}: expected {length} numbers, got {len(values)}", name=name,
                         expected=length, got=len(values))
    return np.array(values)


def format_vector(values: Iterable[float], digits: int = 3) -> str:
    """array([0.5, 0.2, 0.3]) → "0.5, 0.2, 0.3" (the inverse of ``parse_vector`` up to rounding)."""
    return ", ".join(f"{float(v):.{digits}g}" for v in values)
