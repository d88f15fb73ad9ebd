"""Errors the package raises on purpose, with messages an analyst can act on."""


class ReportReadError(ValueError):
    """A report could not be read: the message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path) if path is not None else "<text>"
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
