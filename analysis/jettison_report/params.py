"""The scenario's parameters as flattened key paths (the --set syntax: lists indexed by number)."""


def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def flatten(doc, skip=("about",)):
    """[(key.path, value text)] in document order; lists of scalars stay one '[a, b]' value."""
    out = []

    def walk(v, path):
        if isinstance(v, dict):
            if not v:
                out.append((path, "{}"))
            for k, sub in v.items():
                if not path and k in skip:
                    continue
                walk(sub, f"{path}.{k}" if path else str(k))
        elif isinstance(v, list):
            if all(not isinstance(x, (dict, list)) for x in v):
                out.append((path, "[" + ", ".join(_scalar(x) for x in v) + "]"))
            else:
                for i, sub in enumerate(v):
                    walk(sub, f"{path}.{i}")
        else:
            out.append((path, _scalar(v)))

    walk(doc or {}, "")
    return out
