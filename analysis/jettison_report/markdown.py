"""Renders the document as summary.md: the same tables and numbers as index.html, figures as
relative image links, no HTML."""
from .content import Facts, Figure, Heading, Note, Para, Table, cell_text


def _esc(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(t):
    lines = ["| " + " | ".join(_esc(h) for h in t.headers) + " |",
             "|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(t.headers))) + "|"]
    lines += ["| " + " | ".join(_esc(cell_text(c)) for c in row) + " |" for row in t.rows]
    if t.caption:
        lines += ["", f"_{t.caption}_"]
    return "\n".join(lines)


def _block(b):
    if isinstance(b, Heading):
        return "#" * b.level + " " + b.text
    if isinstance(b, Para):
        return b.text
    if isinstance(b, Note):
        return "> " + b.text
    if isinstance(b, Facts):
        return "\n".join(f"- **{k}**: {v}" for k, v in b.items)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Figure):
        return f"![{b.alt}]({b.src})\n\n_{b.caption}_"
    raise TypeError(f"unknown block {type(b).__name__}")


def render(doc):
    parts = [f"# {doc.title}"] + [_block(b) for b in doc.intro]
    for s in doc.sections:
        parts.append(f"## {s.title}")
        parts += [_block(b) for b in s.blocks]
    return "\n\n".join(parts) + "\n"
