"""Sphinx configuration of the wiring documentation site (``bash dev.sh docs`` builds it).

Stack: pydata-sphinx-theme, numpydoc (docstrings), autosummary (API pages), sphinx-gallery
(``../examples``, run during the build), sphinx-argparse (the CLI reference, read from
``wiring.experiments.cli.build_parser``). The built site makes no network request: no intersphinx
(it downloads inventories), math rendered to MathML at build time by ``_ext/mathml.py``
instead of MathJax from a CDN, and the theme's fonts and icons are its own static files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wiring

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

# -- project -----------------------------------------------------------------------------
project = "wiring"
author = "the wiring developers"
copyright = "the wiring developers, BSD-3-Clause"  # noqa: A001 (Sphinx's name)
release = wiring.__version__  # the one place the version lives
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "mathml",       # _ext/mathml.py: LaTeX -> MathML at build time (no MathJax, no CDN)
    "changelog",    # _ext/changelog.py: ../CHANGELOG.md -> the changelog page
    "api_check",    # _ext/api_check.py: every public name appears on the API page
    "generated",    # _ext/generated.py: default config and sweep, printed from the code
    "constants",    # _ext/constants.py: docstrings of registries and other constants
    "myst_parser",  # the handbook pages moved out of the README stay Markdown (guide/*.md)
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3
# intersphinx is left out on purpose: it downloads objects.inv files, and the build makes
# no network request. Names of numpy, pandas, ... are written as plain text.

templates_path = ["_templates"]
# sphinx-gallery's timing pages load jQuery and DataTables from CDNs: neither written nor read
exclude_patterns = ["_build", "sg_execution_times.rst", "**/sg_execution_times.rst"]
root_doc = "index"
highlight_language = "text"  # "::" blocks are file layouts and TOML; Python is marked as such
smartquotes_action = "qe"  # curly quotes, but "--set" stays two hyphens (no en dash)
html_math_renderer = "mathml"

# -- autodoc / autosummary / numpydoc ----------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"          # numpydoc's Parameters section states the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # class pages list members through autodoc
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- sphinx-gallery ----------------------------------------------------------------------
# The examples run in this process, one after another: numba's kernels are compiled (or
# loaded from their on-disk cache, wiring/kernels/__pycache__) once for the whole gallery.
# If the package directory is read-only, point NUMBA_CACHE_DIR at a writable directory.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "within_subsection_order": "gallery_order.ReadingOrder",  # _ext/gallery_order.py
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 0,
    "parallel": False,
    "reset_modules": ("matplotlib", "seaborn"),
    "capture_repr": ("_repr_html_", "__repr__"),
    "write_computation_times": False,
    # run every example on every build, even if its file did not change: the figures
    # must show what the code does now
    "run_stale_examples": True,
}

# -- HTML --------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"wiring {release}"
html_static_path = ["_static"]
html_css_files = ["wiring.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 5,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "show_version_warning_banner": False,  # it would fetch a version switcher over the net
    "use_edit_page_button": False,
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
}
html_sidebars = {"index": [], "getting_started": [], "changelog": [], "cli": []}
html_context = {"default_mode": "light"}


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's metadata-routing plumbing (``set_fit_request`` & co.)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app) -> None:
    app.connect("autodoc-skip-member", _skip_member)

