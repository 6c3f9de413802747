"""The document model: what sections.py builds and html.py / markdown.py render.

Text is plain (the renderers escape it). A table cell is a str, or a (text, css class) pair:
the class marks e.g. a published range we fall outside of; Markdown shows only the text.
"""
from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int
    text: str
    id: str = ""


@dataclass
class Para:
    text: str


@dataclass
class Note:
    """A remark on what is missing or how to read something."""
    text: str


@dataclass
class Facts:
    items: list            # [(term, text)]


@dataclass
class Table:
    headers: list
    rows: list             # [[cell, ...]]
    numeric: tuple = ()    # indexes of right-aligned columns
    caption: str = ""


@dataclass
class Figure:
    src: str               # relative to the report folder: figures/NAME.png
    alt: str
    caption: str
    width: int = 0         # pixels, for the <img> tag
    height: int = 0


@dataclass
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    title: str
    intro: list            # blocks before the sections
    sections: list


def cell_text(c):
    return c[0] if isinstance(c, tuple) else str(c)


def cell_class(c):
    return c[1] if isinstance(c, tuple) else ""
