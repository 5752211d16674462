"""The site's own Sphinx extensions (``docs/_ext``), tested without building the site.

The Markdown changelog converter must turn whatever CHANGELOG.md holds into
reStructuredText that docutils parses without a single warning (the site is built with
``-W``), keeping the structure and the text; the API-page check must read the names the
autosummary tables list; the MathML renderer must give browsers MathML for the LaTeX the
pages use.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="sphinx is not installed: pip install -e '.[docs]'")

from docutils import nodes  # noqa: E402
from docutils.core import publish_doctree  # noqa: E402

EXT = Path(__file__).resolve().parents[2] / "docs" / "_ext"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"docs_ext_{name}", EXT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


changelog = _load("changelog")
api_check = _load("api_check")
mathml = _load("mathml")

CHANGELOG = """# Changelog

All notable changes; the format follows *Keep a Changelog*.

## [0.2.0] - 2026-01-31

### Added
**Engine (`wiring`)**
- `wiring.sklearn.GraphNetClassifier`: a **scikit-learn** estimator, see [the docs](docs/index.rst)
  and the |W| graph of weight_mode `abs`.
- A sentence with snake_case_names_, *emphasis*, stars * alone, a backslash \\ and `code`.
  - nested: `x_i = σ(s_i)` and W[i, j] with ||x||^2
  - another nested item ending with ::
- Back at the top level.

```bash
bash dev.sh docs
```

### Fixed
1. numbered items stay text
: a line starting with a colon
.. a line starting with two dots

## [0.1.0]
- first release

[0.2.0]: https://example.org/compare/v0.1.0...v0.2.0
"""


def _parse(rst: str):
    messages = []
    doctree = publish_doctree(
        "Changelog\n=========\n\n" + rst,
        settings_overrides={"report_level": 5, "halt_level": 5, "warning_stream": False})
    messages = [m for m in doctree.findall(nodes.system_message) if m["level"] >= 2]
    return doctree, messages


def test_changelog_markdown_converts_without_warnings():
    rst = changelog.markdown_to_rst(CHANGELOG)
    doctree, messages = _parse(rst)
    assert messages == [], "\n".join(m.astext() for m in messages)
    titles = [t.astext() for t in doctree.findall(nodes.title)]
    assert titles == ["Changelog", "[0.2.0] - 2026-01-31", "Added", "Fixed", "[0.1.0]"]
    # the structure: three top-level items under Added, two nested under the second one
    added = next(s for s in doctree.findall(nodes.section) if s[0].astext() == "Added")
    top = added.next_node(nodes.bullet_list)
    assert len(top.children) == 3
    nested = top.children[1].next_node(nodes.bullet_list)
    assert [i.astext() for i in nested.children] == [
        "nested: x_i = σ(s_i) and W[i, j] with ||x||^2", "another nested item ending with ::"]
    # markup became markup, and everything else stayed literally as written
    literals = [n.astext() for n in doctree.findall(nodes.literal)]
    assert literals == ["wiring.sklearn.GraphNetClassifier", "abs", "code", "x_i = σ(s_i)"]
    assert [n.astext() for n in doctree.findall(nodes.strong)] == [
        "Engine (wiring)", "scikit-learn"]
    refs = [(n.astext(), n.get("refuri")) for n in doctree.findall(nodes.reference)]
    assert refs == [("the docs", "docs/index.rst")]
    text = doctree.astext()
    for kept in ("the |W| graph", "snake_case_names_,", "stars * alone", "a backslash \\ and",
                 "1. numbered items stay text", ": a line starting with a colon",
                 ".. a line starting with two dots", "bash dev.sh docs"):
        assert kept in text, kept
    assert "example.org/compare" not in text  # the link reference definition is dropped
    (block,) = doctree.findall(nodes.literal_block)
    assert block.astext() == "bash dev.sh docs"
    assert not any(isinstance(a, nodes.list_item) for a in _ancestors(block))  # not in a list


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def test_changelog_without_markup_is_plain_paragraphs():
    rst = changelog.markdown_to_rst("Just text, 50% of |it|.\n\nSecond paragraph_")
    doctree, messages = _parse(rst)
    assert messages == []
    assert [p.astext() for p in doctree.findall(nodes.paragraph)] == [
        "Just text, 50% of |it|.", "Second paragraph_"]


def test_api_check_reads_autosummary_tables():
    rst = """
.. currentmodule:: wiring

.. autosummary::
   :toctree: generated/

   Network
   ~fit

Text between tables.

.. currentmodule:: community

.. autosummary::

   report.build_report
"""
    assert api_check.listed_names(rst) == {
        "wiring.Network", "wiring.fit", "community.report.build_report"}


class _Translator:
    """The little of Sphinx's HTML translator the renderer uses."""

    def __init__(self):
        self.body = []

    def starttag(self, node, tag, suffix="\n", **attrs):
        cls = attrs.get("CLASS", "")
        return f'<{tag} class="{cls}">'

    def encode(self, text):
        return text


def test_mathml_renderer_writes_mathml():
    t = _Translator()
    with pytest.raises(nodes.SkipNode):
        mathml.visit_math(t, nodes.math(text=r"\Delta w_{ij} = r\, f(s_i)\, c_i\, x_j"))
    inline = "".join(t.body)
    assert inline.startswith('<span class="math"><math xmlns="http://www.w3.org/1998/Math/MathML"')
    assert "<msub>" in inline and "Δ" in inline and "display=" not in inline
    t = _Translator()
    block = nodes.math_block(text=r"c = e + W^\top \bigl(f(s) \odot c\bigr)" + "\n\n" + r"a \\ b")
    block["number"] = None
    with pytest.raises(nodes.SkipNode):
        mathml.visit_displaymath(t, block)
    out = "".join(t.body)
    assert out.count('display="block"') == 2  # two paragraphs, two equations
    assert "⊙" in out and "<mtable" in out  # the second, two lines, is aligned
