"""The plain data a statement is made of, shared by extraction, diff and storage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

UNIT_KINDS = ("heading", "paragraph", "item")


@dataclass(frozen=True)
class Unit:
    """A heading, a paragraph or a list item, in document order."""

    kind: str
    text: str


@dataclass(frozen=True)
class Statement:
    """One extracted statement: what ``stmon extract`` prints and what a version stores.

    ``part`` is "" for a page's main statement and a language code for a second-language part
    of the same page (e.g. an English joint statement under a Japanese overview).
    """

    title: str
    date: dt.date | None
    lang: str
    units: tuple[Unit, ...]
    part: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [u.text for u in self.units]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_json(self, input_ref: str) -> dict[str, Any]:
        return {
            "input": input_ref,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "lang": self.lang,
            "paragraphs": self.paragraphs,
            "text": self.text,
            "part": self.part,
            "units": [{"kind": u.kind, "text": u.text} for u in self.units],
        }

    def units_json(self) -> list[list[str]]:
        return [[u.kind, u.text] for u in self.units]

    @classmethod
    def from_units_json(
        cls, title: str, when: dt.date | None, lang: str, units: list[Any], part: str = ""
    ) -> Statement:
        return cls(title, when, lang, tuple(Unit(str(k), str(t)) for k, t in units), part)
