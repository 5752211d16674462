#!/usr/bin/env bash
# Set up the project-local virtual environment (.venv) and run the main job or the tests.
#   bash dev.sh main   set up, then run the main job (wiring sweep) on its embedded default
#   bash dev.sh test   set up, then run the linters and the test suite
#   bash dev.sh bench  set up (plus PyTorch 2.13.0 CPU for the references), run benchmarks/
#   bash dev.sh docs   set up, then build the documentation site into docs/_build/html
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

setup() {
  # $1: the extras to install ("" = the runtime dependencies only, for the main job;
  # "dev" for the tests, which adds the docs and notebook tools)
  local extras=${1:-}
  if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv || {
      echo "dev.sh: '$PY -m venv' failed; on Debian: apt-get install python3-venv" >&2; exit 1; }
  fi
  # install only when pyproject.toml or constraints.txt changed since the last successful
  # install; constraints.txt pins every package to the versions the golden weights were
  # recorded with (docs/reproducibility.rst)
  local stamp=.venv/.wiring-installed${extras:+-$extras}
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
}

apt_install() {
  # Debian packages the tests need: installed as root, else a hint
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { [ -n "${APT_UPDATED:-}" ] || apt-get update -qq; } && APT_UPDATED=1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "dev.sh: not root: 'sudo apt-get install $*' for the tests that need it" >&2
  fi
}

ensure_system_packages() {
  # the report and docs tests render HTML in a real headless browser: Debian's chromium;
  # the block-model tests check against graph-tool, the field's reference: Debian's
  # python3-graph-tool, built for the system Python and numpy 1.x, so community.graphtool
  # runs it out of process (the venv has numpy 2)
  local want=()
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  /usr/bin/python3 -c "import graph_tool" >/dev/null 2>&1 || want+=(python3-graph-tool)
  [ ${#want[@]} -eq 0 ] || apt_install "${want[@]}"
}

case "${1:-}" in
  main)
    setup ""
    shift
    # the default sweep (the paper's experiment + digits), analysed, reported, exported;
    # --resume: a rerun keeps finished runs and rebuilds the analysis and report
    .venv/bin/wiring sweep --out runs/sweep --resume "$@"
    ;;
  test)
    setup dev
    ensure_system_packages
    shift
    .venv/bin/ruff check wiring community tests benchmarks docs examples notebooks
    # test files spread over every core (-n auto); a file stays on one worker (loadfile),
    # so module fixtures (the quick reproduction, the docs build) run once
    .venv/bin/python -m pytest -q -n auto --dist loadfile "$@"
    # numba does no bounds checking by default: run the kernel tests once with it on,
    # in a cache of their own so the checked builds never mix with the fast ones
    NUMBA_BOUNDSCHECK=1 NUMBA_CACHE_DIR="$(mktemp -d)" .venv/bin/python -m pytest -q \
      -p no:cacheprovider tests/wiring/test_gradient.py tests/wiring/test_simulate.py
    ;;
  bench)
    setup dev
    # exactly this spec: the CPU build on disk (any other pulls GBs of CUDA packages)
    .venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/python -m pip install --quiet torch==2.13.0
    mkdir -p benchmarks/results
    .venv/bin/python benchmarks/bench_online.py --json benchmarks/results/online.json
    .venv/bin/python benchmarks/bench_algorithm1.py --json benchmarks/results/algorithm1.json
    .venv/bin/python benchmarks/bench_startup.py --json benchmarks/results/startup.json
    .venv/bin/python benchmarks/bench_batch.py --json benchmarks/results/batch.json
    .venv/bin/python benchmarks/bench_settle.py --json benchmarks/results/settle.json
    .venv/bin/python benchmarks/bench_threads.py --busy --json benchmarks/results/threads.json
    # a fresh process, so its peak memory is this job's alone
    .venv/bin/python benchmarks/bench_scale.py --json benchmarks/results/scale.json
    .venv/bin/python benchmarks/bench_community.py --json benchmarks/results/community.json
    .venv/bin/python benchmarks/bench_blocks.py --json benchmarks/results/blocks.json
    .venv/bin/python benchmarks/bench_jobs.py --json benchmarks/results/jobs.json
    ;;
  docs)
    setup docs
    shift
    # the Sphinx site: API pages from the docstrings, the CLI page from the parser, the
    # gallery (examples/) run afresh; any warning fails the build. Open
    # docs/_build/html/index.html; its browser test: WIRING_DOCS_HTML=docs/_build/html
    # .venv/bin/python -m pytest tests/docs (reuses this build instead of making its own)
    .venv/bin/python -m sphinx -E -W --keep-going -b html docs docs/_build/html "$@"
    ;;
  *)
    echo "usage: bash dev.sh main|test|bench|docs [extra arguments]" >&2
    exit 2
    ;;
esac
