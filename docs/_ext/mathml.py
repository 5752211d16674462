"""Render the site's math as MathML at build time: no JavaScript, no fonts, no network.

Sphinx's default HTML math renderer, MathJax, loads a script from a CDN, and the built pages
must make no external request. Browsers draw MathML themselves (MathML Core: Chromium 109+,
Firefox, Safari), and docutils -- which Sphinx is built on -- ships a LaTeX-to-MathML
converter (:mod:`docutils.utils.math.latex2mathml`). This extension registers it as an HTML
math renderer named ``"mathml"``; ``conf.py`` selects it with ``html_math_renderer``.

A formula the converter cannot read is a Sphinx warning naming the page and line, so a build
with ``-W`` fails on it instead of shipping raw LaTeX.
"""

from __future__ import annotations

from docutils import nodes
from docutils.utils.math import latex2mathml
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


def _convert(translator, node: nodes.Element, latex: str, *, block: bool) -> str | None:
    try:
        return latex2mathml.tex2mathml(latex, as_block=block)
    except Exception as exc:  # docutils raises SyntaxError and friends for unsupported TeX
        logger.warning("cannot render math %r as MathML: %s", latex, exc, location=node,
                       type="mathml")
        return None


def visit_math(translator, node: nodes.math) -> None:
    latex = node.astext()
    mathml = _convert(translator, node, latex, block=False)
    translator.body.append(translator.starttag(node, "span", "", CLASS="math"))
    translator.body.append(mathml if mathml is not None else translator.encode(latex))
    translator.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(translator, node: nodes.math_block) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="math"))
    if node["number"]:
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, "Link to this equation")
        translator.body.append("</span>")
    # like Sphinx's other renderers: paragraphs of a math block are separate equations
    for part in (p for p in node.astext().split("\n\n") if p.strip()):
        # several lines (``\\``) outside an environment of their own: align them
        lines = r"\\" in part and r"\begin{" not in part
        latex = r"\begin{aligned}" + part + r"\end{aligned}" if lines else part
        mathml = _convert(translator, node, latex, block=True)
        translator.body.append(mathml if mathml is not None else translator.encode(part))
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.add_html_math_renderer("mathml", inline_renderers=(visit_math, None),
                               block_renderers=(visit_displaymath, None))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
