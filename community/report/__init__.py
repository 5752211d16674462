"""The sweep report: tables and snapshots on disk in, ``report.html`` + ``report.md`` out.

:func:`build_report` reads ``<sweep>/analysis/`` (the tidy tables of
:mod:`community.tables`), the weight snapshots they point to, ``sweep.toml`` and
``provenance.json``, draws the figures with :mod:`community.plot` and renders
the two templates in ``templates/``: a self-contained HTML file (figures inline
as base64 PNG, CSS inline, no external reference; its only scripts are plotly.js
(plotly's basic partial bundle, inlined once) and the plotly figures of the
interactive network view) and its Markdown twin (figures as PNG files in
``figures/``; the interactive figures are in the HTML file only).

Examples
--------
>>> from community.report import build_report
>>> build_report("/nonexistent")
Traceback (most recent call last):
...
wiring.errors.WiringError: no analysis directory at /nonexistent/analysis; run the analysis first
"""

from community.report.build import FIGURE_DIR, REPORT_HTML, REPORT_MD, build_report

__all__ = ["build_report", "REPORT_HTML", "REPORT_MD", "FIGURE_DIR"]
