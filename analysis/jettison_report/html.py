"""Renders the document as one self-contained index.html: inline CSS, no scripts, no external
resources; figures are <img> tags pointing at figures/NAME.png in the same folder, their captions
linking the other formats written (NAME.pdf, NAME.svg with --formats)."""
from html import escape

from .content import (Facts, Figure, Heading, Note, Para, Table, cell_class, cell_text)

CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 14px; color: #222;
       max-width: 1080px; margin: 0 auto; padding: 16px 24px 48px; line-height: 1.45; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin-top: 40px; padding-top: 8px; border-top: 2px solid #ddd; }
h3 { font-size: 16px; margin-top: 28px; }
nav { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 8px 16px; }
nav ul { margin: 4px 0; padding-left: 20px; }
nav li { margin: 1px 0; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 13px; }
th, td { border: 1px solid #d4d4d4; padding: 3px 8px; text-align: left; vertical-align: top; }
td { white-space: nowrap; }
td:not(.num) { white-space: normal; min-width: 6em; max-width: 28em; overflow-wrap: anywhere; }
th { background: #eef1f5; }
tr:nth-child(even) td { background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ok { color: #1a7f37; font-weight: bold; }
td.bad { color: #c62828; font-weight: bold; }
td.unknown { color: #8a6d00; }
td.swept { color: #5b3fa0; font-style: italic; }
caption { caption-side: bottom; text-align: left; font-size: 12px; color: #555; padding-top: 4px; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 13px; }
dl.facts dt { font-weight: bold; color: #444; }
dl.facts dd { margin: 0; word-break: break-all; }
figure { margin: 12px 0 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 12px; color: #555; }
p.note { background: #fff8e1; border-left: 4px solid #f0c040; padding: 6px 10px; }
.scroll { overflow-x: auto; }
"""


def _block(b, formats=("png",)):
    if isinstance(b, Heading):
        hid = f' id="{escape(b.id)}"' if b.id else ""
        return f"<h{b.level}{hid}>{escape(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        return f"<p>{escape(b.text)}</p>"
    if isinstance(b, Note):
        return f'<p class="note">{escape(b.text)}</p>'
    if isinstance(b, Facts):
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in b.items)
        return f'<dl class="facts">{items}</dl>'
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Figure):
        size = f' width="{b.width}" height="{b.height}"' if b.width else ""
        stem = b.src.rsplit(".", 1)[0]
        other = " ".join(f'<a href="{escape(stem)}.{f}">{f.upper()}</a>'
                         for f in formats if f != "png")
        also = f" (also as {other})" if other else ""
        return (f'<figure><a href="{escape(b.src)}"><img src="{escape(b.src)}" '
                f'alt="{escape(b.alt)}"{size}></a>'
                f"<figcaption>{escape(b.caption)}{also}</figcaption></figure>")
    raise TypeError(f"unknown block {type(b).__name__}")


def _table(t):
    def cls(i, extra=""):
        names = (["num"] if i in t.numeric else []) + ([extra] if extra else [])
        return f' class="{" ".join(names)}"' if names else ""
    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(t.headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i, cell_class(c))}>{escape(cell_text(c))}</td>"
                         for i, c in enumerate(row)) + "</tr>\n" for row in t.rows)
    caption = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    return (f'<div class="scroll"><table>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>\n{body}</tbody></table></div>")


def _toc(doc):
    items = []
    for s in doc.sections:
        subs = "".join(f'<li><a href="#{escape(b.id)}">{escape(b.text)}</a></li>'
                       for b in s.blocks if isinstance(b, Heading) and b.id)
        items.append(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a>'
                     + (f"<ul>{subs}</ul>" if subs else "") + "</li>")
    return "<nav><strong>Contents</strong><ul>" + "".join(items) + "</ul></nav>"


def render(doc, formats=("png",)):
    """formats: the figure files written beside each PNG (the captions link the others)."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(doc.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
             f"<h1>{escape(doc.title)}</h1>"]
    parts += [_block(b, formats) for b in doc.intro]
    parts.append(_toc(doc))
    for s in doc.sections:
        parts.append(f'<section id="{escape(s.id)}">')
        parts.append(f"<h2>{escape(s.title)}</h2>")
        parts += [_block(b, formats) for b in s.blocks]
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
