"""Pieces shared by the report's sections: a section with highlights, p-value text and
figure items (:mod:`community.paper.report` and the section modules use them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from community.report.kit import Item, Section

__all__ = ["Sec", "fmt_p", "add_figure", "Context"]


@dataclass
class Sec(Section):
    """A report section whose key sentences also go to the summary at the top."""

    highlights: list[str] = field(default_factory=list)

    def key(self, text: str) -> None:
        self.text(text)
        self.highlights.append(text)


def fmt_p(v: float) -> str:
    return "n/a" if not np.isfinite(v) else (f"{v:.2g}" if v >= 1e-3 else f"{v:.1e}")


def add_figure(section: Section, out: Path, path: Path | None, caption: str,
            number: list[int]) -> None:
    if path is None or not Path(path).is_file():
        section.text(f"(Figure not drawn: its table is empty. {caption})")
        return
    number[0] += 1
    section.items.append(Item("figure", caption=caption, png=Path(path).read_bytes(),
                               number=number[0], file=str(Path(path).relative_to(out))))




@dataclass
class Context:
    """Where a section's figures come from: the report directory, the drawn figures (name
    -> PNG path) and the running figure number shared by every section."""

    out: Path
    figs: dict = field(default_factory=dict)
    number: list[int] = field(default_factory=lambda: [0])

    def figure(self, section: Section, name: str, caption: str) -> None:
        """Add the figure ``name`` to ``section`` (a note if it was not drawn)."""
        add_figure(section, self.out, self.figs.get(name), caption, self.number)
