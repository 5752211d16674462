"""Convert OpenWorm's cect (ConnectomeToolbox 0.3.5) connectomes into the CSV files that
:mod:`wiring.connectomes` reads.

This script runs in a throwaway virtual environment holding cect, NOT in the project's
environment (cect pins numpy<2.4 and plotly<6, which conflict with constraints.txt; see
data/connectomes/README.md)::

    python3 -m venv /tmp/cect-venv
    /tmp/cect-venv/bin/pip install cect==0.3.5
    /tmp/cect-venv/bin/python data/connectomes/convert.py            # from the repo root

It reads every connectome from cect's bundled source spreadsheets (``get_instance(
from_cache=False)``: cect's own reader code, not its JSON cache) and writes, into
``wiring/data/connectomes/`` (or ``--out DIR``):

* ``<name>.csv``: one row per ordered cell pair with any synapse, columns
  ``pre,post,chemical,electrical`` (the counts in cect's ``Generic_CS`` and ``Generic_GJ``
  matrices; cect stores each gap junction in both directions, so the electrical column is
  symmetric);
* ``cells.csv``: one row per cell named in any of the connectomes, columns
  ``name,class,type,description`` (see ``cell_row``);
* ``LICENSE-cect.txt``: cect's MIT licence, which the copied data comes under;
* ``MANIFEST.csv``: per connectome, the cect reader, the source file and its totals.

Run it again after a cect upgrade and diff the output; the loader's tests pin the totals.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

CECT_VERSION = "0.3.5"

# wiring's name -> cect reader module (cect.readers.<module>) and its source file attribute
CONNECTOMES = {
    "white1986": "White_whole",
    "varshney2011": "VarshneyDataReader",
    "cook2019-herm": "Cook2019HermReader",
    "cook2019-male": "Cook2019MaleReader",
    **{f"witvliet2021-{i}": f"WitvlietDataReader{i}" for i in range(1, 9)},
}

# cect's get_SIM_class labels -> wiring's class names
_SIM = {"Sensory": "sensory", "Interneuron": "inter", "Motorneuron": "motor"}
# WormAtlas cell types (cect.Cells.get_primary_classification) of neurons -> class
_PRIMARY = {
    "sensory neuron": "sensory",
    "interneuron": "inter",
    "motor neuron": "motor",
    "neuron with unknown function": "unknown",
}


def _quiet(fn, *args, **kw):
    """Call ``fn`` with cect's chatter on stdout sent to /dev/null."""
    with open(os.devnull, "w") as null:
        old, sys.stdout = sys.stdout, null
        try:
            return fn(*args, **kw)
        finally:
            sys.stdout = old


def source_file(mod) -> str:
    """The cect data file a reader module reads (for MANIFEST.csv)."""
    for attr in ("filename", "SRC_FILENAME"):
        if isinstance(getattr(mod, attr, None), str):
            return os.path.basename(getattr(mod, attr))
    cls = getattr(mod, "Cook2019DataReader", None)
    if cls is not None:
        return os.path.basename(cls.filename)
    raise RuntimeError(f"no source file known for {mod.__name__}")


def read_connectome(module: str):
    """(nodes, chemical matrix, electrical matrix, source file) of one cect reader."""
    mod = importlib.import_module(f"cect.readers.{module}")
    ds = _quiet(mod.get_instance, from_cache=False)
    n = len(ds.nodes)
    cs = ds.connections.get("Generic_CS", np.zeros((n, n)))
    gj = ds.connections.get("Generic_GJ", np.zeros((n, n)))
    for what, m in (("chemical", cs), ("electrical", gj)):
        if m.shape != (n, n) or np.any(m < 0) or np.any(m != np.round(m)):
            raise RuntimeError(f"{module}: {what} matrix is not an n x n count matrix")
    return list(ds.nodes), cs.astype(np.int64), gj.astype(np.int64), source_file(mod)


def cell_table() -> dict[str, tuple[str, str]]:
    """cect's all_cell_info.csv: cell -> (Type, Classification)."""
    import cect

    path = Path(cect.__file__).parent / "data" / "all_cell_info.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["Cell name"]: (r["Type"].strip(), r["Classification"].strip())
                for r in csv.DictReader(fh)}


def cell_row(name: str, info: dict, primary: dict) -> dict:
    """One row of cells.csv.

    class
        ``sensory``, ``inter`` or ``motor`` for neurons (cect.Cells.get_SIM_class; a
        neuron it leaves as "Other", e.g. a male-specific one, takes its WormAtlas type
        from cect.Cells.get_primary_classification), ``unknown`` for the canal neurons
        CANL/R (function unknown), ``muscle`` for muscles, ``other`` for other cells
        (glia, gland and epithelial cells, end organs).
    type
        cect's cell type (all_cell_info.csv "Type", e.g. "Amphid", "Layer 1 interneuron",
        "Ventral cord motor neuron", "Main body muscle"); for a cell missing there, its
        WormAtlas type.
    description
        WormAtlas' classification (all_cell_info.csv "Classification", e.g. "Ring
        interneuron"), which often names the ganglion or sensillum; may be empty.
    """
    from cect.Cells import get_SIM_class, is_any_neuron, is_known_muscle

    wa_type = primary.get(name, "")
    if is_any_neuron(name):
        cls = _SIM.get(get_SIM_class(name)) or _PRIMARY.get(wa_type)
        if cls is None:
            raise RuntimeError(f"neuron {name}: no class (WormAtlas type {wa_type!r})")
    else:
        cls = "muscle" if is_known_muscle(name) or "muscle" in wa_type else "other"
    typ, desc = info.get(name, ("", ""))
    return {"name": name, "class": cls, "type": typ or wa_type, "description": desc}


def write_edges(path: Path, nodes, cs, gj) -> tuple[int, int, int, int]:
    """Write ``pre,post,chemical,electrical`` rows (node order, then target order)."""
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["pre", "post", "chemical", "electrical"])
        for i, j in zip(*np.nonzero((cs > 0) | (gj > 0)), strict=True):
            out.writerow([nodes[i], nodes[j], int(cs[i, j]), int(gj[i, j])])
            rows += 1
    return rows, int(np.count_nonzero(cs)), int(cs.sum()), int(gj.sum())


def main(argv: list[str] | None = None) -> int:
    default_out = Path(__file__).resolve().parents[2] / "wiring" / "data" / "connectomes"
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=default_out, help=f"default: {default_out}")
    args = ap.parse_args(argv)
    version = metadata.version("cect")
    if version != CECT_VERSION:
        print(f"warning: cect {version} installed; the README documents {CECT_VERSION}",
              file=sys.stderr)
    from cect.Cells import get_primary_classification

    args.out.mkdir(parents=True, exist_ok=True)
    primary = _quiet(get_primary_classification)
    info = cell_table()
    cells: set[str] = set()
    manifest = []
    for name, module in CONNECTOMES.items():
        t0 = time.perf_counter()
        nodes, cs, gj, src = read_connectome(module)
        if len(set(nodes)) != len(nodes):
            raise RuntimeError(f"{module}: repeated node names")
        rows, n_chem, s_chem, s_elec = write_edges(args.out / f"{name}.csv", nodes, cs, gj)
        cells.update(np.asarray(nodes)[(cs > 0).any(0) | (cs > 0).any(1)
                                       | (gj > 0).any(0) | (gj > 0).any(1)])
        manifest.append({"name": name, "cect_reader": f"cect.readers.{module}",
                         "source_file": src, "rows": rows, "chemical_connections": n_chem,
                         "chemical_synapses": s_chem, "electrical_entries": s_elec})
        print(f"{name:16s} {module:20s} rows={rows:5d} chemical={n_chem:5d}/{s_chem:6d} "
              f"({time.perf_counter() - t0:.0f} s)")
    with open(args.out / "cells.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, ["name", "class", "type", "description"],
                             lineterminator="\n")
        out.writeheader()
        out.writerows(cell_row(c, info, primary) for c in sorted(cells))
    with open(args.out / "MANIFEST.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, list(manifest[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(manifest)
    dist = metadata.distribution("cect")
    lic = next(f for f in dist.files if f.name.upper().startswith("LICENSE"))
    shutil.copyfile(dist.locate_file(lic), args.out / "LICENSE-cect.txt")
    print(f"wrote {len(manifest)} connectomes and {len(cells)} cells to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
