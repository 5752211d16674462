"""Docstrings for the API pages of module constants (registries, allowed values).

A constant has no docstring of its own: autodoc falls back to its type's (``dict``'s,
``tuple``'s), and a constant re-exported by a package (``wiring.RULES``) has no ``#:`` doc
comment where the page looks for it. This extension replaces such a docstring with the
``#:`` comment of the module that defines the constant, followed by its names as the code
holds them (the keys of a registry, the items of a tuple of allowed values), so the page
can never list a name the code does not accept.
"""

from __future__ import annotations

import sys

from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docstrings import prepare_docstring

PACKAGES = ("wiring", "community")


def doc_comment(obj: object, name: str) -> list[str]:
    """The ``#:`` comment of ``name`` in a module of :data:`PACKAGES` binding ``obj`` to it."""
    for modname in sorted(sys.modules):
        if modname.split(".")[0] not in PACKAGES:
            continue
        if getattr(sys.modules[modname], name, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # no source (a compiled or dynamic module)
            continue
        if ("", name) in docs:
            return [line for line in docs[("", name)] if line.strip()]
    return []


def names(obj: object) -> list[str]:
    """``"a"``, ``"b"``: the string keys or items of a registry or tuple, else nothing."""
    items = list(obj) if isinstance(obj, dict | tuple | list | frozenset) else []
    if not items or not all(isinstance(item, str) for item in items):
        return []
    return [", ".join(f'``"{item}"``' for item in items)]


def _process(app, what, name, obj, options, lines) -> None:
    if what != "data":
        return
    inherited = prepare_docstring(type(obj).__doc__ or "")
    own = [line for line in lines if line.strip()]
    if own and own != [line for line in inherited if line.strip()]:
        comment = own  # a doc comment autodoc found itself
    else:
        comment = doc_comment(obj, name.rsplit(".", 1)[-1])
    listed = names(obj)
    lines[:] = comment + ([""] + ["Names: " + listed[0] + "."] if listed else [])


def setup(app) -> dict:
    # before numpydoc (priority 500), which formats whatever docstring it is given
    app.connect("autodoc-process-docstring", _process, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
