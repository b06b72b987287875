"""Errors cwrap raises for problems the user can fix.

Every one carries a single line that says what went wrong and what to do;
the CLI prints it as-is (exit status 125) instead of a traceback.
"""


class CwrapError(Exception):
    """Base class: a problem with cwrap's own set-up, not the wrapped program."""


class ShimNotFound(CwrapError):
    """A shim library is not where the package expects it."""


class StateDirError(CwrapError):
    """The state directory cannot be created or is unusable (too long, say)."""


class ConfigError(CwrapError, ValueError):
    """An option has a value the shims would reject."""
