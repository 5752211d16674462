"""Packaging: ``python -m build`` makes an sdist and a wheel that install and work on their own.

The sdist and the wheel (built from the sdist, as ``build`` does) are installed into a fresh
virtual environment outside the checkout, and a smoke test runs there from a directory with
no source tree in reach, so only what the wheel ships can be imported. This is the slowest
test in the suite (about two minutes: the install resolves every dependency, from pip's
cache when the README's set-up has run before).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import wiring

ROOT = Path(__file__).resolve().parents[1]
SMOKE = textwrap.dedent('''
    import importlib.metadata as md, json, pathlib, subprocess, sys, tempfile
    import numpy as np
    import wiring, community
    from community.detect import leiden
    from community.report.kit import environment

    here = pathlib.Path(wiring.__file__).resolve()
    assert "site-packages" in here.parts, here  # the installed copy, not the checkout
    assert md.version("wiring-circuits") == wiring.__version__  # the distribution name

    # the engine: plasticity on a 3-neuron chain against the chain rule written out here
    net = wiring.Network.from_edges(3, [0, 1], [1, 2], [0.5, -1.0], inputs=[0], outputs=[2])
    dw, db = net.plasticity([[1.0]], [[0.2]], rule="balance-exact")
    x1 = np.tanh(0.5 * 1.0)
    x2 = np.tanh(-1.0 * x1)
    e2 = (0.2 - x2) * (1 - x2 ** 2)          # -dL/d(input of neuron 2)
    e1 = e2 * -1.0 * (1 - x1 ** 2)
    assert np.allclose(dw, [e1 * 1.0, e2 * x1], rtol=1e-8), dw

    # the analysis: two disjoint directed triangles are two communities
    W = np.zeros((6, 6))
    for a, b in [(1, 0), (2, 1), (0, 2), (4, 3), (5, 4), (3, 5)]:
        W[a, b] = 1.0
    part = leiden(W, seed=0)
    assert part.membership.tolist() == [0, 0, 0, 1, 1, 1], part

    # the report templates ship in the wheel
    env = environment()
    assert env.get_template("report.html.j2") and env.get_template("report.md.j2")

    # the command line
    out = subprocess.run([str(pathlib.Path(sys.executable).with_name("wiring")), "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"wiring {wiring.__version__}", out
    print(json.dumps({"ok": True, "version": wiring.__version__}))
''')


def _run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{cmd}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    pytest.importorskip("build", reason="the 'build' package (in the dev extra) makes the dists")
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], timeout=600)
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == len(wheels) == 1, list(out.iterdir())
    return sdists[0], wheels[0]


def test_version_comes_from_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*", wiring.__version__)
    text = (ROOT / "wiring" / "__init__.py").read_text()
    assert len(re.findall(r"^__version__ = ", text, re.M)) == 1
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{wiring.__version__}]" in changelog  # released versions are logged


def test_dists_carry_the_packages_and_their_data(dists):
    sdist, wheel = dists
    assert wheel.name == f"wiring_circuits-{wiring.__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("wiring/__init__.py", "wiring/kernels/batch.py", "community/detect.py",
                   "community/report/templates/report.html.j2",
                   "community/report/templates/report.md.j2"):
        assert module in names, module
    assert not [n for n in names if n.startswith(("tests/", "docs/", "examples/"))]
    meta = zipfile.ZipFile(wheel).read(
        f"wiring_circuits-{wiring.__version__}.dist-info/METADATA").decode()
    assert "Name: wiring-circuits" in meta and f"Version: {wiring.__version__}" in meta
    assert "License-Expression: BSD-3-Clause" in meta
    assert "Requires-Dist: numba" in meta and "Requires-Dist: leidenalg" in meta
    members = tarfile.open(sdist).getnames()
    base = f"wiring_circuits-{wiring.__version__}/"
    for path in ("LICENSE", "README.md", "pyproject.toml", "tests/browser.py",
                 "wiring/experiments/cli.py", "community/report/templates/report.html.j2"):
        assert base + path in members, path
    assert not [m for m in members if "__pycache__" in m or "/.venv/" in m]


def test_wheel_and_sdist_install_in_a_fresh_venv_and_pass_the_smoke_test(dists, tmp_path):
    sdist, wheel = dists
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    clean["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
    workdir = tmp_path / "elsewhere"  # no checkout on sys.path
    workdir.mkdir()
    smoke = workdir / "smoke.py"
    smoke.write_text(SMOKE)
    for dist in (wheel, sdist):
        # the wheel brings every dependency; the sdist is then built and installed over it
        again = ["--force-reinstall", "--no-deps"] if dist is sdist else []
        _run([str(py), "-m", "pip", "install", "--quiet", *again, str(dist)],
             env=clean, cwd=workdir, timeout=900)
        out = _run([str(py), str(smoke)], env=clean, cwd=workdir, timeout=600)
        assert '"ok": true' in out.stdout, (dist.name, out.stdout)


def test_extras_name_this_distribution_never_another():
    """PyPI's "wiring" is an unrelated project: an extra that says ``wiring[...]`` would
    install it beside ours and shadow the import name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "wiring-circuits"
    names = [re.split(r"[\[<>=!~; ]", req, maxsplit=1)[0].lower()
             for reqs in (project["dependencies"], *project["optional-dependencies"].values())
             for req in reqs]
    assert "wiring" not in names
    assert "wiring-circuits" in names  # dev pulls in the notebook and docs extras
