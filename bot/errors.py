"""Typed errors that services raise; turned into localized messages in one place."""

from __future__ import annotations


class KoordinatError(Exception):
    """An expected failure with a message key and parameters for the person who caused it."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key)


class NotAuthorized(KoordinatError):
    key = "error.not_authorized"


class NotRegistered(KoordinatError):
    key = "error.not_registered"


class InvalidInvite(KoordinatError):
    key = "join.invalid_code"


class InvalidAnswer(KoordinatError):
    key = "error.invalid_answer"


class NotFound(KoordinatError):
    key = "error.not_found"
