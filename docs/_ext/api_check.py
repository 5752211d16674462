"""Fail the build when a public name is missing from the API reference.

``api.rst`` groups the public names by topic, by hand. When Sphinx reads it, every name in
the ``__all__`` of :mod:`wiring`, :mod:`community` and (when it exists) :mod:`wiring.sklearn`
must be listed in one of its ``autosummary`` tables, under the matching ``currentmodule``;
each one that is not is a warning naming it, so a build with ``-W`` fails until the page
is brought up to date.
"""

from __future__ import annotations

import importlib
import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Packages whose ``__all__`` the API page must cover (a missing optional one is skipped).
PACKAGES = ("wiring", "community", "wiring.sklearn")


def listed_names(rst: str) -> set[str]:
    """Fully qualified names in the autosummary tables of an RST text."""
    names: set[str] = set()
    module = ""
    in_table = False
    for line in rst.splitlines():
        current = re.match(r"\.\.\s+(?:py:)?currentmodule::\s*(\S+)", line.strip())
        if current:
            module, in_table = current.group(1), False
            continue
        if re.match(r"\.\.\s+autosummary::", line.strip()):
            in_table = True
            continue
        if in_table:
            if line.strip() and not line[:1].isspace():
                in_table = False
            elif line.strip() and not line.strip().startswith(":"):
                name = line.strip().lstrip("~")
                names.add(f"{module}.{name}" if module else name)
    return names


def _check(app, docname: str, source: list[str]) -> None:
    if docname != "api":
        return
    listed = listed_names(source[0])
    for package in PACKAGES:
        try:
            mod = importlib.import_module(package)
        except ImportError:
            continue
        missing = [n for n in mod.__all__ if f"{package}.{n}" not in listed]
        if missing:
            logger.warning("api.rst does not list %s: %s", package, ", ".join(missing),
                           location=docname, type="api_check")


def setup(app) -> dict:
    app.connect("source-read", _check)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
