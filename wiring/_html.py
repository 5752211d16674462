"""Small HTML summaries for Jupyter's ``_repr_html_``.

One title, a two-column table of (name, value) rows and optionally a small tidy
table. Every piece of text is escaped; styles are inline; nothing is loaded from
elsewhere (no scripts, fonts, images or links). ``community.detect`` keeps its own
twin of :func:`summary_html`, because ``community`` may import only ``wiring.runs``
and ``wiring.errors``.

Examples
--------
>>> print(summary_html("Net <1>", [("edges", 3), ("rate", 0.123456)]))  # doctest: +ELLIPSIS
<div class="wiring-repr"><b>Net &lt;1&gt;</b><table ...><tr><th ...>edges</th><td ...>3</td></tr>...
>>> fmt(0.123456), fmt(12), fmt(True), fmt(float("nan"))
('0.1235', '12', 'yes', 'nan')
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["fmt", "summary_html"]

_TABLE = 'style="border-collapse:collapse;margin:0.2em 0 0.4em 0"'
_CELL = 'style="text-align:left;padding:0 1em 0 0"'


def fmt(value: Any) -> str:
    """Short text for a value: integers in full, other numbers to 4 significant digits."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return str(value)


def _cells(tag: str, values: Iterable[Any]) -> str:
    return "".join(f"<{tag} {_CELL}>{html.escape(fmt(v))}</{tag}>" for v in values)


def summary_html(title: str, rows: Iterable[tuple[str, Any]], *,
                 table: tuple[str, Sequence[str], Sequence[Sequence[Any]]] | None = None,
                 css_class: str = "wiring-repr") -> str:
    """An escaped HTML block: ``title``, a (name, value) table, then ``table`` =
    ``(caption, columns, rows)`` if given and not empty."""
    parts = [f'<div class="{html.escape(css_class)}"><b>{html.escape(title)}</b>',
             f"<table {_TABLE}>"]
    parts += [f"<tr>{_cells('th', [name])}{_cells('td', [value])}</tr>" for name, value in rows]
    parts.append("</table>")
    if table is not None and len(table[2]):
        caption, columns, body = table
        parts.append(f"<table {_TABLE}><caption style=\"text-align:left\">"
                     f"{html.escape(caption)}</caption><tr>{_cells('th', columns)}</tr>")
        parts += [f"<tr>{_cells('td', row)}</tr>" for row in body]
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)
