"""One exception for untrusted input, so a page can explain the problem in the student's language, and the checks
that raise it. Every engine and view validates its arguments with these (never a plain ``ValueError`` that would
reach a student untranslated)."""
from __future__ import annotations

import math
from collections.abc import Collection
from numbers import Integral, Real
from typing import Any


class InputError(ValueError):
    """A ``ValueError`` that also carries a stable ``code`` and its ``params``.

    ``str(error)`` is the English message; a UI looks ``code`` up in its catalogue (``errors.<code>`` in
    text/<lang>/common.toml) and fills in ``params``.
    """

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


def check_choice(name: str, value: Any, choices: Collection) -> Any:
    """``value`` if it is one of ``choices`` (compared by equality; a bool never counts as a number), else
    ``InputError("unknown_choice")``."""
    if isinstance(value, bool) and not any(isinstance(choice, bool) for choice in choices) or value not in choices:
        raise InputError("unknown_choice", f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}"[:200],
                         name=name, value=str(value)[:40])
    return value


def check_integer(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int if it is a whole number (an int, not a bool) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InputError("not_integer", f"{name} must be an integer, got {value!r}"[:120], name=name)
    if not low <= value <= high:
        raise InputError("out_of_range", f"{name} must be between {low} and {high}, got {value}",
                         name=name, low=low, high=high, value=value)
    return int(value)


def check_number(name: str, value: Any, low: float, high: float) -> float:
    """``value`` as a float if it is a finite real number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise InputError("not_finite", f"{name} must be a finite number, got {value!r}"[:120], name=name, position=1,
                         entry=repr(value)[:20])
    if not low <= value <= high:
        raise InputError("out_of_range", f"{name} must be between {low} and {high}, got {value}",
                         name=name, low=low, high=high, value=value)
    return float(value)
