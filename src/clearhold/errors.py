"""The exceptions every layer raises; interfaces turn them into exit codes or HTTP statuses."""

from __future__ import annotations


class ClearholdError(Exception):
    """Base of every error clearhold raises on purpose."""


class NotFound(ClearholdError, LookupError):
    """A named thing does not exist (operation, record, area ...)."""


class Conflict(ClearholdError):
    """The change clashes with what is stored (duplicate reference, stale version ...)."""


class InvalidInput(ClearholdError, ValueError):
    """A value is not allowed. The message names the field, the value and what is allowed."""


class SourceError(ClearholdError):
    """An outside source (file, archive, web service) gave something we cannot use."""


class PermissionDenied(ClearholdError):
    """The caller's role or authorisation does not allow the action."""


class RowError(InvalidInput):
    """A problem in one row of an input file: names the file, line, field and problem."""

    def __init__(self, path: str, line: int, field: str | None, problem: str, value: object = None) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.problem = problem
        self.value = value
        where = f"{self.path}, line {line}"
        if field:
            where += f", field {field!r}"
        if value is not None:
            where += f", value {value!r}"
        super().__init__(f"{where}: {problem}")
