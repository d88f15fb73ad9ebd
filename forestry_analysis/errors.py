"""Errors the package raises on purpose, with messages an analyst can act on."""


class ReportReadError(ValueError):
    """A report could not be read: the message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path) if path is not None else "<text>"
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class LexiconError(ValueError):
    """A lexicon data file holds a bad entry: the message names the file, the line and the problem."""

    def __init__(self, path, line: int | None, problem: str):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {problem}")
