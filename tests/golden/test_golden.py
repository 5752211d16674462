"""Golden hashes: the reference runs' final weights, bit for bit, on every target.

The hashes in ``hashes.json`` are recomputed three ways: in this process (numba
compiling for this CPU), and in two subprocesses, each with a numba cache of its
own so every kernel is compiled again:

* ``numba-generic``: ``NUMBA_CPU_NAME=generic`` (numba then also drops every CPU
  feature): a baseline x86-64 with SSE2 only, no AVX, no FMA, two-lane vectors;
* ``no-simd-libraries``: numpy with every runtime-dispatched SIMD path disabled
  (``NPY_DISABLE_CPU_FEATURES``: AVX2/FMA3 and the AVX-512 groups), glibc told to
  hide AVX, AVX2, FMA and AVX-512 from its own dispatch (``GLIBC_TUNABLES``: its libm
  then runs its SSE2 builds of exp, log, log1p, pow, ...) and OpenBLAS on its
  Prescott kernels (``OPENBLAS_CORETYPE``): whatever the Python side computes with
  those libraries would show up here.

A hash may change only in a commit that says why (then rewrite the file with
``python -m tests.golden.golden_runs --write``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from numpy._core import _multiarray_umath as _npy

from tests.golden import golden_runs

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 1800

VARIANTS = {
    "numba-generic": {"NUMBA_CPU_NAME": "generic"},
    "no-simd-libraries": {
        # every SIMD group numpy dispatches to at run time (beyond its baseline)
        "NPY_DISABLE_CPU_FEATURES": " ".join(
            f for f in _npy.__cpu_dispatch__ if _npy.__cpu_features__.get(f)),
        "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX,-AVX2,-FMA,-AVX512F",
        "OPENBLAS_CORETYPE": "Prescott",
    },
}


@pytest.fixture(scope="module")
def variants():
    """Start one subprocess per variant now (they compile while this process works)."""
    procs = {}
    caches = []
    for name, extra in VARIANTS.items():
        cache = tempfile.TemporaryDirectory(prefix=f"numba-cache-{name}-")
        caches.append(cache)
        env = {**os.environ, **extra, "NUMBA_CACHE_DIR": cache.name, "NUMBA_NUM_THREADS": "2",
               "PYTHONPATH": str(ROOT)}
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "tests.golden.golden_runs"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    for cache in caches:
        cache.cleanup()


def _differences(got: dict) -> list[str]:
    want = golden_runs.expected()
    return [f"{name}: expected {want.get(name)}, got {got.get(name)}"
            for name in sorted(set(want) | set(got)) if want.get(name) != got.get(name)]


def test_hash_file_describes_every_run():
    stored = json.loads(golden_runs.HASHES.read_text())
    assert set(stored) == set(golden_runs.DESCRIPTIONS)
    for name, entry in stored.items():
        assert len(entry["sha256"]) == 64 and entry["run"] == golden_runs.DESCRIPTIONS[name]


def test_digest_is_of_little_endian_float64_weights_then_biases():
    w, b = np.array([1.0, -2.5]), np.array([0.0])
    assert golden_runs.digest(w, b) == golden_runs.digest(w.astype(">f8"), b.astype(np.float32))
    assert golden_runs.digest(w, b) != golden_runs.digest(w[::-1], b)


def test_golden_hashes_native(variants):
    assert _differences(golden_runs.compute()) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden_hashes_other_targets(variants, variant):
    proc = variants[variant]
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, f"{variant} failed:\n{err[-4000:]}"
    diffs = _differences(json.loads(out))
    assert diffs == [], f"{variant} ({VARIANTS[variant]}): " + "; ".join(diffs)
