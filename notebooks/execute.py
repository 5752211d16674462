"""Run ``first_hour.ipynb`` top to bottom and store it with its outputs.

The notebook is committed with the outputs a new user should see, so it reads on a code
host without running anything. After changing a cell (or anything the notebook shows),
rerun this from the repository root::

    .venv/bin/python notebooks/execute.py

It executes in a Jupyter kernel of this interpreter (the venv's), in a temporary working
directory, so the outputs never name a path of this machine; volatile parts (the
temporary directory, timings of progress bars) are replaced by fixed text, widget state
is dropped (each progress bar keeps its text), and the run must end without an error.
``tests/test_notebook.py`` checks that the stored outputs are those a fresh run gives.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent / "first_hour.ipynb"
KERNEL = "wiring-notebook-python"
CELL_TIMEOUT = 900
#: what a stored output may not contain, and what stands in for it
_VOLATILE = [
    (re.compile(r"\[\d\d:\d\d(:\d\d)?<\d\d:\d\d(:\d\d)?, *[\d.]+ ?\S*/s\]"), "[elapsed]"),
    (re.compile(r"\[\d\d:\d\d(:\d\d)?<\?, *\?\S*/s\]"), "[elapsed]"),
    (re.compile(r"wiring-first-hour-[A-Za-z0-9_]+"), "wiring-first-hour-XXXX"),  # mkdtemp
]


def kernel_manager(tmp: Path) -> AsyncKernelManager:
    """A kernel of this interpreter, from a kernelspec directory of its own."""
    spec_dir = tmp / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "wiring", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp / "kernels")], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


def scrub(text: str, tmp: Path) -> str:
    """``text`` without this run's temporary directory and progress-bar timings."""
    text = text.replace(str(tmp.resolve()), "WORKDIR").replace(str(tmp), "WORKDIR")
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


def _scrub_output(out: dict, tmp: Path) -> dict:
    if "text" in out:
        out["text"] = scrub("".join(out["text"]), tmp)
    for mime, value in out.get("data", {}).items():
        if mime.startswith("text/") or mime == "application/json":
            out["data"][mime] = scrub("".join(value) if isinstance(value, list) else value,
                                      tmp)
    return out


def _is_widget(out: dict) -> bool:
    """A progress-bar widget: live in Jupyter, a frozen 0% as stored text, so dropped."""
    return "application/vnd.jupyter.widget-view+json" in out.get("data", {})


def execute(notebook: Path = NOTEBOOK) -> nbformat.NotebookNode:
    """The notebook run in a fresh kernel, outputs scrubbed (see the module docstring)."""
    nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env_tmp = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(tmp)
        os.environ.pop("MPLBACKEND", None)
        try:
            NotebookClient(nb, km=kernel_manager(tmp), timeout=CELL_TIMEOUT,
                           resources={"metadata": {"path": str(tmp)}}).execute()
        finally:
            if env_tmp is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = env_tmp
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [_scrub_output(o, tmp) for o in cell.outputs
                                if not _is_widget(o)]
                cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


if __name__ == "__main__":
    nb = execute()
    text = nbformat.writes(nb) + "\n"
    from wiring.runs import atomic_open

    with atomic_open(NOTEBOOK, "w") as fh:
        fh.write(text)
    print(f"{NOTEBOOK}: {len(text.encode()) / 1e6:.2f} MB with outputs")
