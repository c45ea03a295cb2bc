"""The one exception a command raises for a user mistake: printed as a message, never a traceback."""


class UserError(Exception):
    """A mistake the user can fix; `exit_code` is what the process returns."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
