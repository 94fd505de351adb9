"""One exception tree for everything spflint raises on purpose."""

from __future__ import annotations

from typing import Any


class SpflintError(Exception):
    """Root of spflint's exceptions; ``str()`` gives a finished, user-facing message.

    Subclasses set ``fmt`` (a ``str.format`` template) and ``exit_code`` (the CLI contract:
    2 for usage or input errors, 3 for DNS failures that prevent a verdict).
    """

    fmt = "{message}"
    exit_code = 2

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            message = self.fmt.format(**kwargs)
        self.message = message
        super().__init__(message)


class InputError(SpflintError):
    """Bad user input: an invalid domain, IP address, file or option value."""


class ConfigError(SpflintError):
    """An invalid ``[tool.spflint]`` / ``.spflint.toml`` configuration."""


class UnknownRuleError(ConfigError):
    """A rule code or name that the registry does not know."""

    fmt = "unknown rule '{rule}'"


class SpfSyntaxError(SpflintError):
    """A record text that does not parse; ``problems`` holds each positioned problem."""

    def __init__(self, problems: list[Any], text: str) -> None:
        self.problems = problems
        self.text = text
        first = problems[0]
        super().__init__(f"{first.message} (at column {first.column})")


class DNSFailure(SpflintError):
    """DNS trouble (timeout, SERVFAIL, unreachable servers) that prevents a verdict."""

    exit_code = 3


class UnknownAnswerError(InputError):
    """Data a command needs that nothing could answer (offline, and no zone file, data file
    or lock entry speaks for the name): the user must give it (exit code 2)."""
