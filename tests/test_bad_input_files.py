"""Bad-input suite, files: malformed graph files, data files, configs and sweep files.

Every case ends either in a valid result or in a named error: a
:class:`~wiring.errors.WiringError` subclass whose message names the file (and line,
node, edge or field) or the argument -- never a bare ``KeyError``/``TypeError``/
``OverflowError``/``MemoryError`` from deep inside. Property tests start from valid
files and mutate them (truncate, delete, corrupt attributes, non-numeric and non-finite
weights, duplicate lines, unknown node ids, other encodings, empty files, binary junk);
hypothesis runs derandomised so the suite is deterministic. Each fixed defect has a
regression test (``test_regression_*``); defects in modules this suite may not touch are
``xfail(strict=True)`` tests that start passing (and so fail) once fixed.
"""

from __future__ import annotations

import math
import os
import re
import struct
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wiring import data
from wiring.config import TrainConfig, config_to_dict, load_config
from wiring.errors import ConfigError, DataError, GraphFileError, WiringError
from wiring.experiments.jobs import validate
from wiring.experiments.sweep import load_sweep
from wiring.graphs.convert import to_networkx
from wiring.graphs.files import read_edge_csv, read_graph, write_edge_csv
from wiring.graphs.graph import Graph
from wiring.runs.tomlfile import dump_toml

SETTINGS = {"derandomize": True, "deadline": None,
            "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow]}

# --------------------------------------------------------------------------- valid files

# four neurons, input 0, output 3; weights whose texts occur nowhere else in the files
GRAPH = Graph.from_edges(4, [0, 1, 2, 1], [1, 2, 3, 3], inputs=[0], outputs=[3])
WEIGHTS = [0.5, -1.25, 2.0, 0.375]
WEIGHT_TEXTS = ["0.5", "-1.25", "2.0", "0.375"]
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999", "", " ", "abc",
               "0x10", "1,5", "true", "None", "1e", "--1"]


def _valid_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        G = to_networkx(GRAPH, WEIGHTS)
        nx.write_graphml(G, f"{tmp}/g.graphml")
        nx.write_gexf(G, f"{tmp}/g.gexf")
        write_edge_csv(f"{tmp}/g.csv", GRAPH, WEIGHTS)
        return {s: Path(f"{tmp}/g.{s}").read_bytes() for s in ("graphml", "gexf", "csv")}


VALID = _valid_files()


def _write(directory: str, name: str, content: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(content)
    return path


def _read(path: Path, **kw):
    if path.suffix == ".csv":
        kw = {"inputs": [0], "outputs": [3], **kw}
    return read_graph(path, **kw)


def _declared_nodes(path: Path) -> int:
    """Oracle: distinct <node> ids declared in an XML graph file."""
    return len({el.get("id") for el in ET.parse(path).iter() if el.tag.endswith("node")})


def _check_outcome(path: Path, **kw) -> str:
    """Read ``path``: a valid graph, or a GraphFileError naming the file; nothing else."""
    try:
        graph, weight = _read(path, **kw)
    except GraphFileError as exc:
        assert os.fspath(path) in str(exc), f"error does not name the file: {exc}"
        return "error"
    assert isinstance(graph, Graph)
    assert graph.src.min(initial=0) >= 0 and graph.src.max(initial=0) < graph.n
    assert graph.dst.min(initial=0) >= 0 and graph.dst.max(initial=0) < graph.n
    assert np.intersect1d(graph.inputs, graph.outputs).size == 0
    if weight is not None:
        assert weight.shape == (graph.n_edges,) and np.isfinite(weight).all()
    if path.suffix != ".csv":  # no node silently created, merged or dropped
        assert graph.n == _declared_nodes(path)
    return "ok"


# --------------------------------------------------------------------------- mutations

MUTATIONS = ("truncate", "delete", "replace", "weight_token", "drop_attribute",
             "duplicate_line", "unknown_node", "encoding", "empty", "binary", "flag")


@st.composite
def mutated(draw, fmt: str) -> bytes:
    raw = VALID[fmt]
    text = raw.decode()
    kind = draw(st.sampled_from(MUTATIONS))
    event(f"mutation {kind}")
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if kind == "delete":
        i = draw(st.integers(0, len(raw) - 1))
        return raw[:i] + raw[draw(st.integers(i + 1, min(len(raw), i + 40))):]
    if kind == "replace":
        i = draw(st.integers(0, len(raw) - 1))
        junk = draw(st.binary(min_size=1, max_size=8))
        return raw[:i] + junk + raw[i + len(junk):]
    if kind == "weight_token":
        old = draw(st.sampled_from(WEIGHT_TEXTS))
        new = draw(st.sampled_from(BAD_NUMBERS) | st.text(max_size=6))
        return text.replace(old, new, 1).encode("utf-8", "surrogatepass")
    if kind == "drop_attribute":
        pattern = r',[^,\n]*' if fmt == "csv" else r'\s[\w.:-]+="[^"]*"'
        matches = list(re.finditer(pattern, text))
        m = matches[draw(st.integers(0, len(matches) - 1))]
        return (text[: m.start()] + text[m.end():]).encode()
    if kind == "duplicate_line":
        lines = text.splitlines(keepends=True)
        k = draw(st.integers(0, len(lines) - 1))
        return "".join(lines[: k + 1] + lines[k:]).encode()
    if kind == "unknown_node":
        new = draw(st.sampled_from(["99", "-1", "x", "", "1.5", "4294967296", str(10**30)]))
        pattern = (r"(?m)^\d+|(?<=,)\d+(?=,)" if fmt == "csv"
                   else r'(?<=source=")\d+|(?<=target=")\d+|(?<=<node id=")\d+')
        matches = list(re.finditer(pattern, text))
        m = matches[draw(st.integers(0, len(matches) - 1))]
        return (text[: m.start()] + new + text[m.end():]).encode()
    if kind == "encoding":
        enc = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]))
        return (text + ("<!-- é -->" if fmt != "csv" else "") + "\n").encode(enc) if enc in (
            "utf-16", "utf-32") else text.replace("0.5", "0.5é", 1).encode(enc)
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"   ", b"\xef\xbb\xbf"]))
    if kind == "binary":
        return draw(st.binary(max_size=300))
    # "flag": the input/output declarations (XML) or a header cell (CSV)
    if fmt == "csv":
        return text.replace(draw(st.sampled_from(["source", "target", "weight"])),
                            draw(st.sampled_from(["", "src", "source", "weight"])), 1).encode()
    value = draw(st.sampled_from(["maybe", "", "2", "yes", "FALSE", "0", "1"]))
    flags = list(re.finditer(r'(?i)(?<=>)(true|false)(?=<)|(?<=value=")(true|false)(?=")', text))
    m = flags[draw(st.integers(0, len(flags) - 1))]
    return (text[: m.start()] + value + text[m.end():]).encode()


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
@pytest.mark.filterwarnings("ignore:No key type for id:UserWarning")
@settings(max_examples=120, **SETTINGS)
@given(data_=st.data())
def test_mutated_graph_file_reads_or_names_the_file(fmt, data_):
    content = data_.draw(mutated(fmt))
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, f"g.{fmt}", content)
        event(f"outcome {_check_outcome(path)}")
        if fmt == "csv":  # with an explicit neuron count, ids beyond it are errors
            _check_outcome(path, n=4)
        else:  # and with the edge order of to_networkx
            _check_outcome(path, edge_order="eid")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_valid_files_read_back(fmt):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, f"g.{fmt}", VALID[fmt])
        kw = {} if fmt == "csv" else {"edge_order": "eid"}
        graph, weight = _read(path, **kw)
    assert graph.src.tolist() == GRAPH.src.tolist() and weight.tolist() == WEIGHTS


def _xml_case(fmt: str, old: str, new: str, count: int = 1) -> bytes:
    text = VALID[fmt].decode()
    assert old in text, old
    return text.replace(old, new, count).encode()


@pytest.mark.parametrize(("fmt", "old", "new", "match"), [
    # an edge to an undeclared node used to create that node silently
    ("graphml", 'target="1"', 'target="99"', r"target '99' is not a node declared"),
    ("gexf", 'target="1"', 'target="99"', r"target '99' is not a node declared"),
    # a missing endpoint became a node named "None" (GraphML) or a bare networkx message
    ("graphml", 'source="0" ', "", r"edge 1 .* has no 'source' attribute"),
    ("gexf", 'source="0" ', "", r"edge 1 .* has no 'source' attribute"),
    # a node without id became node "None"; a repeated id merged two nodes
    ("graphml", '<node id="0">', "<node>", r"node 1 \(in file order\) has no 'id'"),
    ("graphml", '<node id="1">', '<node id="0">', r"node id '0' is declared twice"),
    ("gexf", '<node id="1" label="1">', '<node id="0" label="1">', r"'0' is declared twice"),
    # a bad boolean or unknown type was reported as "KeyError: 'maybe'"
    ("graphml", "<data key=\"d0\">True</data>", "<data key=\"d0\">maybe</data>",
     r"node '0' attribute 'input': 'maybe' is not a valid boolean"),
    ("gexf", '<attvalue for="0" value="true" />', '<attvalue for="0" value="maybe" />',
     r"node '0' attribute 'input': 'maybe' is not a valid boolean"),
    ("graphml", 'attr.type="double"', 'attr.type="banana"',
     r"attribute 'weight' \(id 'd3'\) declares unknown type 'banana'"),
])
def test_regression_xml_structure_is_checked(fmt, old, new, match):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, f"g.{fmt}", _xml_case(fmt, old, new))
        with pytest.raises(GraphFileError, match=match) as info:
            _read(path)
    assert os.fspath(path) in str(info.value)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_missing_input_output_declarations(fmt):
    text = VALID[fmt].decode()
    # no node marked as input: an empty input set (a noise-task graph), not an error ...
    flag = ('<data key="d0">True</data>' if fmt == "graphml"
            else '<attvalue for="0" value="true" />')
    no_input = text.replace(flag, flag.replace("True", "False").replace("true", "false"))
    # ... but no node carrying the attribute at all is an error naming it
    key = re.escape('<key id="d0"' if fmt == "graphml" else '<attribute id="0"')
    undeclared = re.sub(key + r'[^>]*/>', "", text)
    undeclared = re.sub(r'\s*<data key="d0">\w+</data>|\s*<attvalue for="0" [^>]*/>', "",
                        undeclared)
    with tempfile.TemporaryDirectory() as tmp:
        graph, _ = _read(_write(tmp, f"a.{fmt}", no_input.encode()))
        assert graph.inputs.size == 0 and graph.outputs.tolist() == [3]
        path = _write(tmp, f"b.{fmt}", undeclared.encode())
        with pytest.raises(GraphFileError, match="no node has the attribute 'input'"):
            _read(path)
        graph, _ = _read(path, inputs=["0"], outputs=["3"])  # or name them explicitly
        assert graph.inputs.tolist() == [0]
        with pytest.raises(GraphFileError, match="overlap"):  # an input that is also output
            _read(path, inputs=["3"], outputs=["3"])


@pytest.mark.parametrize(("text", "kw", "match"), [
    # a 23-digit id raised OverflowError from numpy
    ("source,target\n99999999999999999999999,1\n", {}, r"line 2: source .* out of range"),
    # ids or a declared `n` beyond the 32-bit neuron limit raised MemoryError (or, when
    # they fit in memory, wrapped around in the kernels' uint32 indices)
    ("source,target\n0,1\n", {"n": 10**15}, r"at most 4294967296 neurons"),
    ("source,target\n0,1\n", {"inputs": [10**12]}, r"largest neuron id 1000000000000"),
    ("source,target\n0,4000000000\n", {}, r"largest neuron id 4000000000 .* memory"),
    # a repeated header column silently used the first one
    ("source,source,target\n0,1,2\n", {}, r"column 'source' appears 2 times"),
    # `source` == `target` silently read self-loops
    ("source,target\n0,1\n", {"target": "source"}, r"must name different columns"),
])
def test_regression_csv_edge_lists(text, kw, match):
    kw = {"inputs": [0], "outputs": [1], **kw}
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "e.csv", text.encode())
        start = time.perf_counter()
        with pytest.raises(GraphFileError, match=match):
            read_edge_csv(path, **kw)
    assert time.perf_counter() - start < 2.0  # refused before allocating anything


# --------------------------------------------------------------------------- data files

CSV_ROWS = [[i * 0.5, -i, float(i % 3)] for i in range(9)]
CSV_LABELS = [i % 3 for i in range(9)]
BAD_CELLS = ["nan", "inf", "-inf", "1e400", "", "abc", "1e300", "-1", "1.5", str(2**64),
             "99999999999999999999999", "1e20", "\x00"]


@pytest.mark.parametrize("column", ["feature", "label"])
@settings(max_examples=40, **SETTINGS)
@given(row=st.integers(0, 8), feature=st.integers(0, 2), cell=st.sampled_from(BAD_CELLS),
       cut=st.none() | st.integers(0, 200))
def test_data_csv_loads_or_names_the_file(column, row, feature, cell, cut):
    rows = [[*map(repr, r), str(lab)] for r, lab in zip(CSV_ROWS, CSV_LABELS, strict=True)]
    rows[row][feature if column == "feature" else 3] = cell
    text = "a,b,c,label\n" + "".join(",".join(r) + "\n" for r in rows)
    content = text.encode()[:cut] if cut is not None else text.encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "d.csv", content)
        try:
            ds = data.load_csv(path, test_fraction=0.25, seed=0)
        except DataError as exc:
            assert os.fspath(path) in str(exc) or "`" in str(exc), str(exc)
            return
    for X, Y in ((ds.X_train, ds.Y_train), (ds.X_test, ds.Y_test)):
        assert np.isfinite(X).all() and np.all(Y.sum(axis=1) == 1)


BAD_VALUES = [np.nan, np.inf, -np.inf, 1e300, -1.0, 1.5, 2.0**63, 1e20]


@settings(max_examples=60, **SETTINGS)
@given(where=st.sampled_from(["X", "y", "X_test", "y_test"]), pos=st.integers(0, 7),
       value=st.sampled_from(BAD_VALUES), y_dtype=st.sampled_from(["int64", "float64",
                                                                      "uint64"]))
def test_data_npz_loads_or_names_the_file(where, pos, value, y_dtype):
    rng = np.random.default_rng(0)
    arrays = {"X": rng.random((8, 3)), "y": np.arange(8) % 2,
              "X_test": rng.random((4, 3)), "y_test": np.arange(4) % 2}
    arr = arrays[where].astype(float)
    arr.flat[pos % arr.size] = value
    castable = (np.isfinite(arr).all() and (arr >= 0).all() and (arr < 2.0**63).all()
                and (arr == np.round(arr)).all())
    if where.startswith("y") and y_dtype != "float64" and castable:
        arr = arr.astype(y_dtype)
    arrays[where] = arr
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.npz"
        np.savez(path, **arrays)
        try:
            ds = data.load_npz(path)
        except DataError as exc:
            assert os.fspath(path) in str(exc), str(exc)
            return
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()


@pytest.mark.parametrize(("make", "match"), [
    # a label of 1e15 raised MemoryError (one-hot targets of 1e15 columns)
    (lambda p: np.savez(p, X=np.ones((4, 2)), y=[0, 1, 0, 10**15]), r"one-hot targets .* memory"),
    # float labels beyond int64 wrapped to -2**63 and were reported as negative
    (lambda p: np.savez(p, X=np.ones((4, 2)), y=[0.0, 1.0, 0.0, 1e20]), r"too large"),
    (lambda p: np.savez(p, X=np.ones((4, 2)), y=np.array([0, 1, 0, 2**64 - 1], np.uint64)),
     r"too large"),
    # an empty X raised ValueError from numpy's reshape
    (lambda p: np.savez(p, X=np.zeros((0, 3)), y=np.zeros(0, int)), r"`X` has no samples"),
])
def test_regression_npz_labels_and_shapes(make, match):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.npz"
        make(path)
        start = time.perf_counter()
        with pytest.raises(DataError, match=match) as info:
            data.load_npz(path)
    assert os.fspath(path) in str(info.value) and time.perf_counter() - start < 2.0


def test_regression_csv_and_idx_labels():
    with tempfile.TemporaryDirectory() as tmp:
        # a label of 1e300 raised OverflowError
        path = _write(tmp, "d.csv", b"a,label\n1,0\n2,1\n3,1e300\n4,0\n")
        with pytest.raises(DataError, match=r"line 4, column 2: label '1e300' is too large"):
            data.load_csv(path)
        path = _write(tmp, "e.csv", b"a,label\n1,0\n2,1\n3,1000000000000000\n4,0\n")
        with pytest.raises(DataError, match=r"e\.csv: one-hot targets"):
            data.load_csv(path)
        # int32 IDX labels up to 2**31 - 1 raised MemoryError
        img = _write(tmp, "img", struct.pack(">4B3I", 0, 0, 8, 3, 4, 2, 2) + bytes(16))
        lab = _write(tmp, "lab", struct.pack(">4BI", 0, 0, 0x0C, 1, 4)
                     + struct.pack(">4i", 0, 1, 2**31 - 1, 0))
        with pytest.raises(DataError, match=r"lab: one-hot targets of 4 samples"):
            data.load_idx(img, lab)


def test_regression_mnist1d_sample_count_beyond_memory_fails_fast():
    start = time.perf_counter()
    with pytest.raises(DataError, match=r"`n_samples` = 1000000000000 .* memory"):
        data.load_mnist1d(n_samples=10**12)
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------- configs

SECTIONS = {name: list(section) for name, section in config_to_dict(TrainConfig()).items()}
KEYS = [(s, k) for s, keys in SECTIONS.items() for k in keys]
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, -1e30, 5e-324]),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 10**12]),
    st.text(max_size=6),
    st.sampled_from(["file", "noise", "gaussian", "fa", "all-to-all", "nan"]),
    st.booleans(),
    st.lists(st.integers(-3, 10), max_size=3),
    st.lists(st.floats(allow_nan=True), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=1),
)


@st.composite
def config_mapping(draw) -> dict:
    mapping: dict = {}
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 9)) == 0:  # an unknown section or key
            section = draw(st.sampled_from([*SECTIONS, "foo"]))
            key = draw(st.sampled_from(["epoch", "lr", "seeds", "x"]))
        else:
            section, key = draw(st.sampled_from(KEYS))
        mapping.setdefault(section, {})[key] = draw(values)
    return mapping


KEY_NAMED = re.compile(r"\b(task|data|graph|neurons|train|simulation)\.\w+|unknown key")


@settings(max_examples=200, **SETTINGS)
@given(mapping=config_mapping())
def test_random_train_config_loads_or_names_file_and_key(mapping):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "c.toml", dump_toml(mapping).encode())
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            assert os.fspath(path) in str(exc) and KEY_NAMED.search(str(exc)), str(exc)
            return
    try:
        validate(cfg)
    except ConfigError as exc:
        assert KEY_NAMED.search(str(exc)), str(exc)
        return
    # accepted: every number is finite and every name from its registry
    for section in config_to_dict(cfg).values():
        for value in section.values():
            if isinstance(value, float):
                assert math.isfinite(value)


@pytest.mark.parametrize("content", [
    bytes(range(256)), "[data]\npath = 'é'\n".encode("latin-1"),
    "[train]\nepochs = 3\n".encode("utf-16"), b"\xff\xfe", b"[train\n", b"\x00\x00",
])
def test_regression_config_in_another_encoding_is_a_config_error(content):
    # non-UTF-8 files raised UnicodeDecodeError from Path.read_text
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "c.toml", content)
        with pytest.raises(ConfigError) as info:
            load_config(path)
    assert os.fspath(path) in str(info.value)


@pytest.mark.parametrize(("text", "match"), [
    # a negative seed raised numpy's "expected non-negative integer" inside the run
    ("[task]\nseed = -1\n", r"`task.seed` must be an integer >= 0"),
    # the data split takes seeds below 2**32: the run failed late with a DataError
    ("[task]\nseed = 9223372036854775807\n", r"`task.seed` = .* too large"),
    # a NaN set-point passed validation; the noise task then called the run unstable
    ("[neurons]\nbalance_center = nan\n", r"`neurons.balance_center` must be a finite"),
    ("[neurons]\nbalance_center = -inf\n", r"`neurons.balance_center` must be a finite"),
    # non-positive layer sizes passed validation and failed inside the run
    ("[graph]\nfamily = 'layered'\nsizes = [64, -3, 10]\n", r"`graph.sizes\[1\]` must be"),
])
def test_regression_validate_checks_seed_center_sizes(text, match):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(_write(tmp, "c.toml", text.encode()))
    with pytest.raises(ConfigError, match=match):
        validate(cfg)


# --------------------------------------------------------------------------- sweep files

grid_values = {
    "learning_rates": st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    "lr_min": st.floats(allow_nan=True, allow_infinity=True),
    "lr_max": st.floats(allow_nan=True, allow_infinity=True),
    "lr_count": st.integers(-2, 40),  # huge counts: see test_sweep_defects below
    "seeds": st.lists(st.integers(-2, 2**40) | st.text(max_size=2), max_size=3),
    "rules": st.lists(st.sampled_from(["balance", "fa", "zz", ""]), max_size=2),
    "prunes": st.lists(st.floats(allow_nan=True), max_size=2),
    "graph_families": st.lists(st.sampled_from(["all-to-all", "file", "zz"]), max_size=2),
    "workers": st.integers(-1, 4) | st.text(max_size=2),
    "name": st.sampled_from(["ok", "../x", "", "_a", "a b"]) | st.integers(),
    "foo": st.integers(),
}


@settings(max_examples=120, **SETTINGS)
@given(grid=st.dictionaries(st.sampled_from(sorted(grid_values)), st.integers(), max_size=4)
       .flatmap(lambda d: st.fixed_dictionaries({k: grid_values[k] for k in d})),
       kind=st.sampled_from(["noise", "supervised", 3]),
       section=st.none() | config_mapping())
def test_random_sweep_file_loads_or_names_the_file(grid, kind, section):
    mapping = {"sweep": grid, "task": {"kind": kind}, **(section or {})}
    if section and "task" in section:
        mapping["task"] = {"kind": kind, **section["task"]}
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "s.toml", dump_toml(mapping).encode())
        try:
            sweep = load_sweep(path)
        except ConfigError as exc:
            assert os.fspath(path) in str(exc), str(exc)
            return
    for group in sweep.groups:
        assert all(math.isfinite(lr) and lr >= 0 for lr in group.learning_rates)
        assert group.seeds and all(s >= 0 for s in group.seeds)


def test_sweep_defect_non_utf8_file_is_a_config_error():
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "s.toml", "[sweep]\nname = 'é'\n".encode("latin-1"))
        with pytest.raises(ConfigError):
            load_sweep(path)


def test_bad_input_errors_are_value_errors():
    # the contract every test above relies on
    for cls in (GraphFileError, DataError, ConfigError):
        assert issubclass(cls, WiringError) and issubclass(cls, ValueError)
