"""Exceptions that carry an exit-code meaning for the job contract."""


class StorageUnavailable(Exception):
    """The storage endpoint stayed unreachable for the whole retry window. `run()` maps it to exit code 75, which the
    orchestrator treats as an outage (retried, never counted against the trainer)."""

    def __init__(self, endpoint: str, seconds: float, cause: BaseException):
        super().__init__(f"storage at {endpoint} unreachable for {seconds:.0f} s "
                         f"({ENV_RETRY_SECONDS_NAME}): {type(cause).__name__}: {cause}")
        self.endpoint = endpoint


ENV_RETRY_SECONDS_NAME = "GAUNTLET_STORAGE_RETRY_SECONDS"


class BadInput(Exception):
    """Input that no retry can fix (invalid job, missing data object, wrong label column...).

    `run()` maps it to exit code 2. `field` names the offending job field (dotted path, e.g. `data.labelColumn`) so the
    message the orchestrator shows says exactly what to change.
    """

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def describe(value) -> str:
    """Short repr of a user-supplied value for error messages (never the whole document)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
