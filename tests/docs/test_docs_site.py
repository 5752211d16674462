"""The documentation site: built once per session with warnings as errors, then checked.

The site is built from a copy of ``docs/`` and ``examples/`` in a temporary directory (the
rest of the repository is linked in), so a test run never writes into the working tree.
To check an existing build instead -- e.g. the one ``bash dev.sh docs`` just made -- set
``WIRING_DOCS_HTML=docs/_build/html``; the build step is then skipped. ``bash dev.sh test``
(CI) sets nothing, so CI builds the site exactly once, here.

Checks on the built files (every page): resources are local files that exist; the CLI page
documents every subcommand and option of :func:`wiring.experiments.cli.build_parser`; the API pages
document every name in the ``__all__`` of :mod:`wiring`, :mod:`community` and
:mod:`wiring.sklearn`; every gallery example has a page with a figure.

Checks in headless Chromium (a representative set of pages, each opened in turn in an
iframe of a harness page on a local server): every image (figures, gallery thumbnails)
decodes; every stylesheet and script comes from the local server with status 200 and every
stylesheet is parsed; math is MathML laid out by the browser (a fraction is taller than a
letter); the net-log shows no request leaving the machine. Two controls show the checks
can fail: a broken image is seen as broken, and a page asking a CDN for a stylesheet is
caught by :func:`tests.browser.offline_violations`.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import needs_chromium, offline_violations, open_page, page_requests, serve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
BUILD_TIMEOUT = 1800  # seconds; the gallery runs every example


def _sphinx_missing() -> str | None:
    for module in ("sphinx", "pydata_sphinx_theme", "numpydoc", "sphinx_gallery", "sphinxarg"):
        try:
            importlib.import_module(module)
        except ImportError:
            return module
    return None


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The built HTML site: $WIRING_DOCS_HTML, or a fresh ``sphinx-build -W`` of a copy."""
    given = os.environ.get("WIRING_DOCS_HTML")
    if given:
        built = Path(given).resolve()
        assert (built / "index.html").is_file(), f"WIRING_DOCS_HTML={given}: no index.html there"
        return built
    missing = _sphinx_missing()
    if missing:
        pytest.skip(f"{missing} is not installed: pip install -e '.[docs]' to build the docs")
    src = tmp_path_factory.mktemp("docs-src")
    ignore = shutil.ignore_patterns("_build", "auto_examples", "generated",
                                    "sg_execution_times.rst", "__pycache__")
    for entry in ROOT.iterdir():
        if entry.name in ("docs", "examples"):
            shutil.copytree(entry, src / entry.name, ignore=ignore)
        elif not entry.name.startswith("."):
            (src / entry.name).symlink_to(entry)  # read only: README, CHANGELOG, reports...
    built = src / "docs" / "_build" / "html"
    log = src / "sphinx.log"
    with log.open("w") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
             str(src / "docs"), str(built)],
            stdout=out, stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT, check=False)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{text[-6000:]}"
    assert "WARNING" not in text and "ERROR" not in text
    return built


# ------------------------------------------------------------------ static checks, every page


class _Refs(HTMLParser):
    """Resource references of one page: (tag, attribute, URL), and the page's text."""

    RESOURCE = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"),
                ("input", "src")}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for t, attr in self.RESOURCE:
            if tag == t and a.get(attr):
                self.refs.append((tag, attr, a[attr]))
        if tag == "link" and a.get("href") and a.get("rel") in (
                "stylesheet", "preload", "icon", "shortcut icon", "modulepreload"):
            self.refs.append((tag, "href", a["href"]))
        for url in (a.get("srcset") or "").split(","):
            if url.strip():
                self.refs.append((tag, "srcset", url.split()[0]))


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_every_page_loads_only_local_files_that_exist(site):
    pages = _pages(site)
    assert len(pages) > 50  # the API pages alone are more
    bad = []
    n_refs = 0
    for page in pages:
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attr, url in parser.refs:
            n_refs += 1
            parts = urlsplit(url)
            if parts.scheme == "data":
                continue
            if parts.scheme or parts.netloc:
                bad.append(f"{page.relative_to(site)}: <{tag} {attr}={url}> is not local")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                bad.append(f"{page.relative_to(site)}: <{tag} {attr}={url}> does not exist")
    assert n_refs > 10 * len(pages)
    assert bad == []


def test_cli_page_documents_every_subcommand_and_option(site):
    import argparse

    from wiring.experiments.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    commands = dict(sub.choices)
    assert {"train", "sweep", "report", "export"} <= set(commands)
    page = (site / "cli.html").read_text(encoding="utf-8")
    # each subcommand's section runs to the next subcommand's section
    starts = {name: page.find(f'<section id="wiring-{name}">') for name in commands}
    assert all(pos >= 0 for pos in starts.values()), starts
    order = sorted(starts.values()) + [len(page)]
    for name, sp in commands.items():
        chunk = page[starts[name]:order[order.index(starts[name]) + 1]]
        text = html.unescape(re.sub(r"<[^>]+>", "", chunk))
        for action in sp._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue  # sphinx-argparse leaves out -h/--help
            for option in action.option_strings or [action.dest]:
                assert option in text, f"wiring {name}: {option} is not on the CLI page"
            if action.help and "%(" not in action.help:
                words = " ".join(action.help.split()[:4])
                assert words in " ".join(text.split()), f"wiring {name} {action.dest}: help"
    for action in parser._actions:  # the top-level options
        if not isinstance(action, argparse._HelpAction):
            for option in action.option_strings:
                assert option in page


def _public_names() -> list[tuple[str, str]]:
    names = []
    for package in ("wiring", "community", "wiring.sklearn"):
        try:
            mod = importlib.import_module(package)
        except ImportError:
            continue
        names += [(package, name) for name in mod.__all__]
    return names


def test_api_pages_document_every_public_name(site):
    import wiring

    names = _public_names()
    assert {n for p, n in names if p == "wiring"} == set(wiring.__all__)
    api = (site / "api.html").read_text(encoding="utf-8")
    missing = []
    for package, name in names:
        full = f"{package}.{name}"
        page = site / "generated" / f"{full}.html"
        if f'href="generated/{full}.html"' not in api or not page.is_file():
            missing.append(f"{full}: not on the API page")
            continue
        text = page.read_text(encoding="utf-8")
        # the object's description: an anchored <dt> and a <dd> that says something
        match = re.search(rf'<dt class="sig[^"]*" id="{re.escape(full)}">.*?</dt>\s*<dd>(.*?)</dd>',
                          text, re.S)
        if not match:
            missing.append(f"{full}: no description on {page.name}")
        elif "<p>" not in match.group(1):
            missing.append(f"{full}: empty description on {page.name}")
    assert missing == []


def test_every_gallery_example_has_a_page_with_its_figures(site):
    assert EXAMPLES, "no examples/plot_*.py"
    index = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    for name in EXAMPLES:
        page = site / "auto_examples" / f"{name}.html"
        assert page.is_file(), f"{name}: no gallery page"
        text = page.read_text(encoding="utf-8")
        figures = re.findall(r'<img [^>]*class = "sphx-glr-(?:single|multi)-img"', text)
        assert figures, f"{name}: the page shows no figure"
        assert f'href="{name}.html' in index and f"sphx_glr_{name}_thumb" in index


# ------------------------------------------------------------------ in headless Chromium

HARNESS = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<script>
const PAGES = %s;
function waitImage(img) {
  img.loading = "eager";
  if (img.complete) return Promise.resolve();
  return new Promise(r => { img.addEventListener("load", r, {once: true});
                            img.addEventListener("error", r, {once: true}); });
}
async function visit(url) {
  const frame = document.createElement("iframe");
  frame.width = 1280; frame.height = 900;
  const loaded = new Promise(r => frame.addEventListener("load", r, {once: true}));
  frame.src = url;
  document.body.appendChild(frame);
  await loaded;
  const doc = frame.contentDocument, win = frame.contentWindow;
  const imgs = Array.from(doc.images);
  await Promise.all(imgs.map(waitImage));
  const sheets = Array.from(doc.querySelectorAll('link[rel="stylesheet"]')).map(l => {
    let rules = -1;
    try { rules = l.sheet ? l.sheet.cssRules.length : -1; } catch (e) { rules = -2; }
    return {href: l.href, rules: rules};
  });
  const maths = Array.from(doc.querySelectorAll("math")).map(m => {
    const box = m.getBoundingClientRect();
    return {mathml: m instanceof win.MathMLElement, w: box.width, h: box.height};
  });
  // MathML laid out as math: a fraction is taller than a letter of the same formula
  const ratios = Array.from(doc.querySelectorAll('math[display="block"] mfrac')).map(f => {
    const letters = Array.from(f.closest("math").querySelectorAll("mi"))
      .filter(mi => !mi.closest("mfrac, msub, msup, msubsup, munder, mover"))
      .map(mi => mi.getBoundingClientRect().height).filter(h => h > 0);
    return letters.length ? f.getBoundingClientRect().height / Math.max(...letters) : null;
  }).filter(x => x !== null);
  const result = {
    url: url, title: doc.title,
    imgs: imgs.map(i => ({src: i.currentSrc || i.src, cls: i.className,
                          ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth})),
    sheets: sheets,
    scripts: Array.from(doc.scripts).filter(s => s.src).map(s => s.src),
    resources: win.performance.getEntriesByType("resource").map(
      e => ({name: e.name, type: e.initiatorType, status: e.responseStatus})),
    maths: maths, ratios: ratios,
  };
  frame.remove();
  return result;
}
(async () => {
  const results = [];
  for (const url of PAGES) results.push(await visit(url));
  document.getElementById("result").textContent = JSON.stringify(results);
})();
</script></body></html>
"""
CONTROL = ('<!DOCTYPE html><html><head><title>control</title></head><body>'
           '<img src="data:image/png;base64,iVBORw0KGgoAAAA="><img src="no-such-figure.png">'
           '</body></html>')
EXTERNAL = ('<!DOCTYPE html><html><head><title>external</title>'
            '<link rel="stylesheet" href="https://cdn.example.org/theme.css"></head>'
            '<body><img src="https://cdn.example.org/figure.png"></body></html>')


def _browser_pages(site: Path) -> list[str]:
    pages = ["index", "getting_started", "user_guide/index", "user_guide/rule",
             "user_guide/clamping", "user_guide/regimes", "user_guide/communities",
             "user_guide/workflows", "schemas", "cli", "api", "changelog", "search",
             "auto_examples/index", "generated/wiring.Network", "generated/community.leiden"]
    pages += [f"auto_examples/{name}" for name in EXAMPLES]
    if (site / "generated" / "wiring.sklearn.GraphNetClassifier.html").is_file():
        pages.append("generated/wiring.sklearn.GraphNetClassifier")
    return [f"site/{p}.html" for p in pages]


@pytest.fixture(scope="session")
def browsed(site, tmp_path_factory):
    """The harness run over the representative pages: (results by page, server, Page)."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("docs-browser")
    (root / "site").symlink_to(site)
    pages = _browser_pages(site) + ["control.html"]
    (root / "harness.html").write_text(HARNESS % json.dumps(pages))
    (root / "control.html").write_text(CONTROL)
    with serve(root) as server:
        run = open_page(f"{server.origin}/harness.html", root, budget_ms=120000, timeout=300)
    results = {r["url"]: r for r in run.result()}
    assert list(results) == pages
    return results, server, run


@needs_chromium
def test_browser_figures_and_thumbnails_load(browsed):
    results, _, _ = browsed
    for name in EXAMPLES:
        page = results[f"site/auto_examples/{name}.html"]
        figures = [i for i in page["imgs"] if "sphx-glr-single-img" in i["cls"]
                   or "sphx-glr-multi-img" in i["cls"]]
        assert figures, f"{name}: no figure in the page"
        assert all(i["ok"] for i in figures), f"{name}: a figure did not load: {figures}"
    thumbs = [i for i in results["site/auto_examples/index.html"]["imgs"]
              if "_thumb" in i["src"]]
    assert len(thumbs) == len(EXAMPLES)
    assert all(i["ok"] and i["w"] > 0 for i in thumbs)
    hero = [i for i in results["site/index.html"]["imgs"] if "key_figure" in i["src"]]
    assert len(hero) == 1 and hero[0]["ok"]
    # every image on every visited page decoded
    broken = [(url, i["src"]) for url, r in results.items() if url != "control.html"
              for i in r["imgs"] if not i["ok"]]
    assert broken == []
    # control: the same check sees a corrupt and a missing image as not loaded
    assert [i["ok"] for i in results["control.html"]["imgs"]] == [False, False]


@needs_chromium
def test_browser_styles_and_scripts_come_from_the_local_server(browsed):
    results, server, _ = browsed
    for url, page in results.items():
        if url == "control.html":
            continue
        assert page["title"], url
        assert len(page["sheets"]) >= 3 and len(page["scripts"]) >= 3, url
        for sheet in page["sheets"]:
            assert sheet["href"].startswith(server.origin + "/"), (url, sheet)
            assert sheet["rules"] > 0, f"{url}: stylesheet not loaded: {sheet}"
        for script in page["scripts"]:
            assert script.startswith(server.origin + "/"), (url, script)
        for res in page["resources"]:
            assert res["name"].startswith(server.origin + "/"), (url, res)
            assert res["status"] == 200, (url, res)
        loaded = {r["name"] for r in page["resources"]}
        assert set(page["scripts"]) <= loaded, (url, set(page["scripts"]) - loaded)


@needs_chromium
def test_browser_makes_no_external_request(browsed):
    _, server, run = browsed
    requested = page_requests(run.events)
    assert f"{server.origin}/site/index.html" in requested
    assert any("/site/_static/" in u for u in requested)
    assert offline_violations(run.events, server.port) == []
    assert {client for client, _ in server.requests} == {"127.0.0.1"}


@needs_chromium
def test_browser_offline_check_catches_an_external_request(tmp_path):
    (tmp_path / "external.html").write_text(EXTERNAL)
    with serve(tmp_path) as server:
        run = open_page(f"{server.origin}/external.html", tmp_path, budget_ms=3000)
    violations = offline_violations(run.events, server.port)
    assert any("cdn.example.org" in v for v in violations), violations


@needs_chromium
def test_browser_renders_math_as_mathml(browsed):
    results, _, _ = browsed
    rule = results["site/user_guide/rule.html"]
    assert len(rule["maths"]) > 20
    assert all(m["mathml"] and m["w"] > 0 and m["h"] > 0 for m in rule["maths"])
    assert rule["ratios"] and min(rule["ratios"]) > 1.5, rule["ratios"]
    for url in ("site/index.html", "site/user_guide/communities.html"):
        maths = results[url]["maths"]
        assert maths and all(m["mathml"] and m["w"] > 0 for m in maths), url
    # no page left LaTeX for a script to typeset: no MathJax, no raw \( ... \)
    for url, page in results.items():
        assert not any("mathjax" in s.lower() for s in page["scripts"]), url
