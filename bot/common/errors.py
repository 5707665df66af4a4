"""Exceptions shared by services and handlers."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input. The message is a user-facing explanation, already rendered in the user's
    language, naming what was wrong and the accepted form. Handlers reply with it and change
    nothing."""

    @property
    def text(self) -> str:
        return str(self.args[0])
