"""One exception hierarchy for the whole toolkit.

Every error a user can cause is a :class:`TwinError`. It carries a message that says
what was wrong and where, and a ``hint`` that says how to fix it, so that the CLI and
the web server can show it without a traceback. Each subclass also inherits the
matching built-in exception, so library callers can catch ``ValueError`` or
``FileNotFoundError`` as usual. HTTP status codes are mapped in one place
(:data:`HTTP_STATUS`) and used by the viewer; library code never imports FastAPI.
"""

from __future__ import annotations


class TwinError(Exception):
    """Base class of all user-facing errors.

    Parameters
    ----------
    message
        What was wrong and where, in one sentence.
    hint
        How to fix it; shown after the message.
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class ConfigError(TwinError, ValueError):
    """A municipality configuration file is invalid; ``problems`` lists every finding."""

    def __init__(self, message: str, *, problems: list[str] | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class CRSError(TwinError, ValueError):
    """A layer has no CRS, or one that cannot be used for the municipality."""


class DataFileError(TwinError, OSError):
    """A data file is missing, unreadable, corrupt or truncated."""


class LayerValidationError(TwinError, ValueError):
    """A layer's content cannot be imported (empty, no usable feature, wrong types)."""


class UnknownMunicipalityError(TwinError, KeyError):
    """No municipality with this slug exists in the workspace."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return TwinError.__str__(self)


class UnknownLayerError(TwinError, KeyError):
    """No layer (collection) with this name exists, or the caller may not see it."""

    def __str__(self) -> str:
        return TwinError.__str__(self)


class UnknownFeatureError(TwinError, KeyError):
    """No feature with this id exists in the layer."""

    def __str__(self) -> str:
        return TwinError.__str__(self)


class InvalidRequestError(TwinError, ValueError):
    """A request parameter is malformed (bbox, limit, datetime, crs, ...)."""


class PlanError(TwinError, ValueError):
    """A plan or scenario states something that cannot be (a bad edit, a bad XPlanGML file)."""


class AuthenticationError(TwinError, PermissionError):
    """A request's credentials are missing where needed, unknown or revoked."""


class PermissionDeniedError(TwinError, PermissionError):
    """The caller is known but their role may not do this."""


class StoreError(TwinError, RuntimeError):
    """The municipality's store cannot be opened or written."""


class UnavailableError(TwinError, ConnectionError):
    """A service the twin relies on (e.g. the identity provider) cannot be reached."""


HTTP_STATUS: dict[type[TwinError], int] = {
    UnknownMunicipalityError: 404,
    UnknownLayerError: 404,
    UnknownFeatureError: 404,
    InvalidRequestError: 400,
    CRSError: 400,
    LayerValidationError: 422,
    ConfigError: 422,
    DataFileError: 422,
    PlanError: 422,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    StoreError: 500,
    UnavailableError: 503,
}


def http_status(error: TwinError) -> int:
    """Return the HTTP status code for ``error`` (most specific class wins)."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500
