"""ScenarioError: bad input (a scenario, an override, a trace), as `jettison-sim` reports it."""
import re

# "file:line: key.path", "file:line", "file: key.path", "--set key.path", "--grid key.path"
_LOCATED = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?:: (?P<key>.*))?$")


class ScenarioError(ValueError):
    """Raised for any bad input, before anything runs or is written.

    str(error) is the message `jettison-sim` prints after "jettison-sim: error: " (every error the
    scenario holds, one a line); `origin` is where the first one is ("file:line: key.path", or
    "--set key.path" for an override); `file`, `line` (1-based) and `key` (the dotted key path) are
    its parts, None when the origin has no such part.
    """

    def __init__(self, message, origin="", file=None, line=None):
        super().__init__(message)
        self.message = message
        self.origin = origin
        self.file = file
        self.line = line
        self.key = None
        if origin.startswith(("--set ", "--grid ")):
            self.key = origin.split(" ", 1)[1]
            return
        if file is not None and origin.startswith(file):
            rest = origin[len(file):]
            m = re.match(r"^(?::(\d+))?(?:: (.*))?$", rest)
            if m:
                if self.line is None and m.group(1):
                    self.line = int(m.group(1))
                self.key = m.group(2) or None
                return
        m = _LOCATED.match(origin)
        if m:
            self.file = self.file if self.file is not None else m.group("file")
            self.line = self.line if self.line is not None else int(m.group("line"))
            self.key = m.group("key") or None
        elif origin:
            self.file = self.file if self.file is not None else origin

    def __reduce__(self):
        return (type(self), (self.message, self.origin, self.file, self.line))
