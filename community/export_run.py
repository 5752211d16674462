"""Old home of :mod:`community.export.sweep`, kept so that existing imports work.

``from community.export_run import export_sweep`` still works; new code imports from
:mod:`community.export` (``from community.export import export_sweep``).

Examples
--------
>>> from community.export import export_sweep as new
>>> export_sweep is new
True
"""

from community.export.sweep import DYNAMIC, FORMATS, export_plan, export_sweep, node_attributes

__all__ = ["FORMATS", "DYNAMIC", "export_plan", "export_sweep", "node_attributes"]
