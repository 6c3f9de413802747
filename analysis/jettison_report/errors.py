"""The one error a bad input raises: it names the file (and, where known, the line)."""


class InputError(Exception):
    """A bad input file or folder. str() is 'PATH: message' or 'PATH:LINE: message'."""

    def __init__(self, path, message, line=None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")
