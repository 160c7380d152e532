"""What a control's value may be, and how it is written in the page address.

A value reaches a widget from four places: a link (untrusted text), the student's last value for the page, the
widget's own state, or the page's default. Each kind of control below knows how to read a value from the address
(``parse``: text → value, or None when refused), how to check a value from anywhere else (``check``: value →
the nearest valid value, or None), and how to write a value back in the one canonical form the address uses
(``write``). Choices are stored and written by their id, never by a translated label.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


def _finite_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Number:
    """A slider or number input: a number in [low, high] on the grid low + k·step (ints when ``integer``)."""
    low: float
    high: float
    step: float | None = None
    integer: bool = False

    @property
    def decimals(self) -> int | None:
        """Decimal places of the step (0.05 → 2, 1e-4 → 4); None without a step."""
        if self.step is None:
            return None
        try:
            exponent = Decimal(repr(float(self.step))).normalize().as_tuple().exponent
        except InvalidOperation:
            return None
        return max(0, -int(exponent))

    def _snap(self, number: float) -> float | int:
        if self.step:
            # the slider's own grid: low + k·step, k a whole number
            number = self.low + round((number - self.low) / self.step) * self.step
        number = min(max(number, self.low), self.high)
        if self.integer:
            return int(round(number))
        return round(number, self.decimals) if self.decimals is not None else float(number)

    def parse(self, text: str) -> float | int | None:
        number = _finite_float(text.strip()) if len(text) <= 40 else None
        if number is None:
            return None
        tolerance = 1e-9 * max(1.0, abs(self.high - self.low))
        if not self.low - tolerance <= number <= self.high + tolerance:
            return None
        if self.integer and not float(number).is_integer():
            return None
        return self._snap(number)

    def check(self, value: Any) -> float | int | None:
        number = _finite_float(value)
        return None if number is None else self._snap(number)

    def write(self, value: float | int) -> str:
        """The shortest plain form on the step's grid: 0.3, 2, -1.25, 0.0001 (never 2.0 or 1e-04)."""
        number = self._snap(float(value))
        if self.integer:
            return str(int(number))
        if self.decimals is None:
            return repr(float(number))
        text = f"{number:.{self.decimals}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Choice:
    """One option of several, by id. A link may also name an option by its label in any language (older links
    did) or, for numeric ids such as "1e-3", by the same number written another way ("0.001")."""
    options: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (label in some language, option id)

    def parse(self, text: str) -> str | None:
        text = text.strip()
        if text in self.options:
            return text
        for label, option in self.labels:
            if text == label:
                return option
        number = _finite_float(text) if len(text) <= 40 else None
        if number is not None:
            for option in self.options:
                if _finite_float(option) == number:
                    return option
        return None

    def check(self, value: Any) -> str | None:
        return value if isinstance(value, str) and value in self.options else None

    def write(self, value: str) -> str:
        return value


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Flag:
    """A toggle: 1/0, true/false, yes/no or on/off in a link; written as 1 or 0."""

    def parse(self, text: str) -> bool | None:
        word = text.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None

    def check(self, value: Any) -> bool | None:
        return value if isinstance(value, bool) else None

    def write(self, value: bool) -> str:
        return "1" if value else "0"


@dataclass(frozen=True)
class Text:
    """Free text of at most ``max_chars`` characters. Its content is checked by the core function that reads it,
    which says what is wrong; the page shows it back escaped, never as Markdown."""
    max_chars: int

    def parse(self, text: str) -> str | None:
        return text if len(text) <= self.max_chars else None

    def check(self, value: Any) -> str | None:
        return value if isinstance(value, str) and len(value) <= self.max_chars else None

    def write(self, value: str) -> str:
        return value


Kind = Number | Choice | Flag | Text
