"""One exception for untrusted input, so a page can explain the problem in the student's language."""
from __future__ import annotations


class InputError(ValueError):
    """A ``ValueError`` that also carries a stable ``code`` and its ``params``.

    ``str(error)`` is the English message; a UI looks ``code`` up in its catalogue (``errors.<code>`` in
    text/<lang>/common.toml) and fills in ``params``.
    """

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params
