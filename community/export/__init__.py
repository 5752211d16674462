"""Weight graphs -> files for Gephi (desktop and Lite), Cytoscape, igraph and networkx.

One module per file format, as :mod:`networkx.readwrite` has them, and one for whole runs:

* :mod:`community.export.gexf` -- :func:`write_gexf` (one snapshot, static GEXF 1.3)
  and :func:`write_dynamic_gexf` (all snapshots of a run, one timeline file);
* :mod:`community.export.graphml` -- :func:`write_graphml` (one snapshot, GraphML);
* :mod:`community.export.style` -- community and sign colours, node sizes from
  strength, layout positions in Gephi's units;
* :mod:`community.export.sweep` -- :func:`export_sweep` and :func:`export_plan`: the
  files of an analysed sweep or run directory (what ``wiring export`` writes).

The writers take plain arrays (the edge list of a run, one weight array per snapshot,
typed per-neuron attributes, optional positions and sizes) and write one file each,
atomically; the conventions they share (ids, ``weight`` = ``|w|``, attribute types,
NaN, reserved names) are in :mod:`community.export.gexf`. The positions
:func:`export_sweep` writes are the report's own layout (:mod:`community.layout`), so
Gephi opens a file drawn.

Every name this package exports is importable from ``community.export`` itself.

Examples
--------
>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> tmp = Path(tempfile.mkdtemp())
>>> p = write_gexf(tmp / "g.gexf", src=[0, 1], dst=[1, 2], weight=[0.5, -1.0], n=3,
...                node_attrs={"community": np.array([0, 0, 1])})
>>> p.name
'g.gexf'
>>> community_colour(1) == PALETTE[1]
True
"""

from community.export._common import ExportError
from community.export.gexf import GEXF_VERSION, write_dynamic_gexf, write_gexf
from community.export.graphml import write_graphml
from community.export.style import (
    EXCITATORY_COLOUR,
    INHIBITORY_COLOUR,
    PALETTE,
    UNASSIGNED_COLOUR,
    community_colour,
    gephi_positions,
    node_sizes,
    sign_colour,
)
from community.export.sweep import DYNAMIC, FORMATS, export_plan, export_sweep, node_attributes

__all__ = [
    "GEXF_VERSION",
    "PALETTE",
    "UNASSIGNED_COLOUR",
    "EXCITATORY_COLOUR",
    "INHIBITORY_COLOUR",
    "ExportError",
    "community_colour",
    "sign_colour",
    "node_sizes",
    "gephi_positions",
    "write_gexf",
    "write_dynamic_gexf",
    "write_graphml",
    "FORMATS",
    "DYNAMIC",
    "export_plan",
    "export_sweep",
    "node_attributes",
]
