"""The one exception type users see: the CLI prints its message as a single line and exits non-zero."""


class NbaPropsError(Exception):
    """An error with a message meant for the user, and the exit code the CLI should return."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class WarehouseLockedError(NbaPropsError):
    """Another process holds the DuckDB file (one writer at a time)."""


class DbtFailure(NbaPropsError):
    """A dbt invocation finished with failed nodes or could not start."""

    exit_code = 1
