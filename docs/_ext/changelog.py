"""Put the repository's CHANGELOG.md on the site's changelog page, converted to reStructuredText.

The changelog is written once, in Markdown, at the top of the repository (it is what a
GitHub or PyPI reader sees). Sphinx reads reStructuredText only (no Markdown parser is
installed), so the page ``changelog.rst`` gets the file's text appended when Sphinx reads
it, converted by :func:`markdown_to_rst`. The converter knows the little Markdown a
changelog uses -- ATX headings, bullet lists (nested by indentation), paragraphs, fenced code,
inline code, links, bold and italic -- and escapes every other character reStructuredText
would read as markup (``|W|``, ``name_``, ``*``), so plain text can never become a
substitution, a reference or a warning. Link reference definitions (``[1.0]: URL``) are
dropped; a ``[1.0]`` in a heading stays as text.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Page-title underline is "="; Markdown heading levels 1-2, 3, 4+ map to these.
_UNDERLINES = {1: "-", 2: "-", 3: "~", 4: "^", 5: "^", 6: "^"}
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"      # `code` or ``code``
    r"|\[(?P<link_text>[^\]]+)\]\((?P<url>[^)\s]+)\)"  # [text](url)
    r"|\*\*(?P<bold>.+?)\*\*"                          # **bold**
    r"|(?<![\w*])\*(?P<italic>[^*\s](?:.*?[^*\s])?)\*(?![\w*])"  # *italic*
)
_ESCAPE = re.compile(r"([\\`*_|<>\[\]])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_REFDEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _inline(text: str) -> str:
    """One line of Markdown text as reStructuredText inline markup, everything else escaped."""
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(_escape(text[pos:m.start()]))
        if m.group("code"):
            code = m.group("code_text").strip()
            out.append(f"\\ ``{code}``\\ " if "``" not in code and code else _escape(m.group()))
        elif m.group("url"):
            label = m.group("link_text").replace("`", "").replace("<", "").strip()
            out.append(f"\\ `{label} <{m.group('url')}>`__\\ ")
        elif m.group("bold") is not None:
            # reStructuredText cannot nest markup: code inside bold stays bold text
            out.append(f"\\ **{_escape(m.group('bold').replace('`', ''))}**\\ ")
        else:
            out.append(f"\\ *{_escape(m.group('italic'))}*\\ ")
        pos = m.end()
    out.append(_escape(text[pos:]))
    line = "".join(out).strip()
    if line.startswith((":", "..")):  # a field list or a comment
        line = "\\" + line
    if line.endswith("::"):  # a literal block would follow
        line = line[:-1] + "\\:"
    return line


def markdown_to_rst(markdown: str) -> str:
    """Convert a Markdown changelog to reStructuredText (body only: no page title).

    A first-level heading reading "Changelog" is dropped (the page has its title).

    Parameters
    ----------
    markdown : str
        The Markdown text.

    Returns
    -------
    str
        reStructuredText with sections, bullet lists, paragraphs and literal blocks.

    Examples
    --------
    >>> print(markdown_to_rst("## 0.1.0\\n- `fit` learns |W|\\n  on any graph"))
    0.1.0
    -----
    <BLANKLINE>
    - \\ ``fit``\\  learns \\|W\\|
      on any graph
    <BLANKLINE>
    """
    out: list[str] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    indents: list[int] = []  # Markdown indentation of each open list level
    in_code = False
    code_prefix = ""

    def blank() -> None:
        if out and out[-1] != "":
            out.append("")

    for line in lines:
        if in_code:
            if line.strip().startswith("```"):
                in_code = False
                out.append("")
            else:
                out.append(code_prefix + "   " + line if line.strip() else "")
            continue
        if line.strip().startswith("```"):
            if not line[:1].isspace():  # a fence at the margin ends any list
                indents.clear()
            code_prefix = "  " * len(indents)
            blank()
            out += [code_prefix + ".. code-block:: text", ""]
            in_code = True
            continue
        if _REFDEF.match(line):
            continue
        if not line.strip():
            blank()
            continue
        heading = _HEADING.match(line)
        if heading:
            indents.clear()
            level, title = len(heading.group(1)), _inline(heading.group(2))
            if level == 1 and heading.group(2).strip().lower() == "changelog":
                continue
            blank()
            # the underline is as long as the title's display text at least
            out += [title, _UNDERLINES[level] * max(len(title), 4), ""]
            continue
        bullet = _BULLET.match(line)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            while indents and indent < indents[-1]:
                indents.pop()
                blank()
            if not indents or indent > indents[-1]:
                indents.append(indent)
                blank()
            out.append("  " * (len(indents) - 1) + "- " + _inline(bullet.group(2)))
            continue
        text = _inline(line.strip())
        if indents and line[:1].isspace():  # continuation of a list item
            out.append("  " * len(indents) + text)
        else:
            if indents:
                indents.clear()
                blank()
            out.append(text)
    if in_code:
        out.append("")
    blank()
    return "\n".join(out)


def _append_changelog(app, docname: str, source: list[str]) -> None:
    if docname != "changelog":
        return
    path = Path(app.confdir).parent / "CHANGELOG.md"
    if path.is_file():
        app.env.note_dependency(str(path))
        source[0] += "\n\n" + markdown_to_rst(path.read_text(encoding="utf-8")) + "\n"
    else:
        source[0] += "\n\n*There is no CHANGELOG.md in this checkout yet.*\n"


def setup(app) -> dict:
    app.connect("source-read", _append_changelog)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
