"""wiring.connectomes: the twelve C. elegans connectomes converted from cect 0.3.5.

Published totals and where the shipped (cect-read) data differ from them, with the reason,
are stated next to each expected value. Counts are over neurons only and chemical
synapses, as ``load(name)`` returns them, unless a test says otherwise.
"""

import csv
import pickle
from collections import Counter
from importlib import resources

import numpy as np
import pytest

from wiring import Network
from wiring.connectomes import CLASSES, CONNECTOMES, available, load
from wiring.errors import GraphError
from wiring.graphs.graph import Graph

NAMES = [
    "white1986", "varshney2011", "cook2019-herm", "cook2019-male",
    *(f"witvliet2021-{i}" for i in range(1, 9)),
]

# name -> (neurons, connections = ordered neuron pairs, synapses = weight sum)
TOTALS = {
    # White et al. 1986 report 302 neurons and about 5,000 chemical synapses (abstract).
    # cect's White_whole file is a later reanalysis of White's data with Varshney's
    # weights (total synaptic contacts per pair, pharynx included), so it counts more;
    # 299 = 302 - CANL/R (no synapses) - VC6 (no chemical synapse with a neuron here).
    "white1986": (299, 2266, 6509),
    # Varshney et al. 2011: 279 neurons and 6,393 chemical synapses among them (PLoS
    # Comput Biol 7:e1001066; the dataset's release notes: 280 non-pharyngeal neurons
    # incl. VC6, 6393 chemical synapses, 890 gap junctions, 1410 NMJs). The spreadsheet
    # (NeuronConnect.xls) sums to 6,394 on its sending side (S + Sp) and, equally, on its
    # receiving side (R + Rp); cect sums the sending side, hence one more than published.
    # 2,194 is the number of distinct (pre, post) pairs on either side.
    "varshney2011": (279, 2194, 6394),
    # Cook et al. 2019: 302 neurons in the hermaphrodite (all with synapses here, CANL/R
    # included). Weights are EM serial sections (number and size of synapses), not counts,
    # so there is no published synapse total to compare; cect's values are pinned.
    "cook2019-herm": (302, 3709, 20965),
    # Cook et al. 2019: 385 neurons in the male. Its SI 5 male chemical sheet has empty rows
    # for ADAR and BAGR, URYDL has no chemical synapse with another neuron there, and cect's
    # male reader yields 381 neurons in all; 380 make chemical synapses with neurons.
    "cook2019-male": (380, 4048, 36979),
    # Witvliet et al. 2021 (Nature 596:257-261): brain (nerve ring) of eight animals, L1 to
    # adult, weights = presynaptic active zones agreed by two of three annotators. The
    # paper's per-dataset totals (its Extended Data) could not be consulted offline, so these
    # are cect 0.3.5's values; test_witvliet_synapses_grow_with_age checks the published
    # trend (synapse number increases from birth to adulthood).
    "witvliet2021-1": (161, 675, 1152),
    "witvliet2021-2": (162, 865, 1687),
    "witvliet2021-3": (162, 887, 1884),
    "witvliet2021-4": (168, 1011, 2521),
    "witvliet2021-5": (173, 1324, 3644),
    "witvliet2021-6": (175, 1315, 3894),
    "witvliet2021-7": (180, 1944, 6587),
    "witvliet2021-8": (180, 1933, 7099),
}


def data_file(name):
    return resources.files("wiring").joinpath("data", "connectomes", name)


def read_rows(name):
    with data_file(name).open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


CELLS = {r["name"]: r for r in read_rows("cells.csv")}
NEURON = {"sensory", "inter", "motor", "unknown"}


def test_available_lists_all_twelve():
    assert available() == NAMES
    assert list(CONNECTOMES) == NAMES
    assert all(isinstance(CONNECTOMES[n], str) and CONNECTOMES[n] for n in NAMES)
    available().append("x")  # a fresh list each call
    assert len(available()) == 12


@pytest.mark.parametrize("name", NAMES)
def test_totals(name):
    g, w = load(name)
    assert isinstance(g, Graph)
    assert (g.n, g.n_edges, int(w.sum())) == TOTALS[name]
    assert w.dtype == np.float64 and np.all(w >= 1) and np.all(w == np.round(w))


@pytest.mark.parametrize("name", NAMES)
def test_weights_equal_the_file(name):
    """The graph's edges and weights are exactly the file's neuron-to-neuron counts."""
    for column in ("chemical", "electrical"):
        want = {
            (r["pre"], r["post"]): int(r[column])
            for r in read_rows(f"{name}.csv")
            if int(r[column]) > 0
            and CELLS[r["pre"]]["class"] in NEURON and CELLS[r["post"]]["class"] in NEURON
        }
        g, w = load(name, synapses=column)
        names = g.node_names
        got = {(names[s], names[d]): x for s, d, x in zip(g.src, g.dst, w.tolist(), strict=True)}
        assert got == want
        # every neuron of the graph takes part in an edge; no other cell is in it
        assert set(names) == {c for pair in want for c in pair}


@pytest.mark.parametrize("name", NAMES)
def test_all_cells_match_the_manifest(name):
    manifest = {r["name"]: r for r in read_rows("MANIFEST.csv")}[name]
    g, w = load(name, cells="all")
    assert g.n_edges == int(manifest["chemical_connections"])
    assert int(w.sum()) == int(manifest["chemical_synapses"])
    ge, we = load(name, synapses="electrical", cells="all")
    assert int(we.sum()) == int(manifest["electrical_entries"])


@pytest.mark.parametrize("name", NAMES)
def test_names_and_classes(name):
    g, _ = load(name)
    attrs = g.node_attrs
    assert set(attrs) == {"class", "type", "description"}
    assert all(a.shape == (g.n,) for a in attrs.values())
    assert len(set(g.node_names)) == g.n
    assert list(g.node_names) == sorted(g.node_names)  # cells.csv order
    assert set(attrs["class"].tolist()) <= NEURON
    for i, cell in enumerate(g.node_names):
        assert attrs["class"][i] == CELLS[cell]["class"]
        assert attrs["type"][i] == CELLS[cell]["type"]
    cls = dict(zip(g.node_names, attrs["class"].tolist(), strict=True))
    assert cls["AVAL"] == "inter" and cls["AIBL"] == "inter"
    assert cls["ASHL"] == "sensory"
    assert cls["RMEL"] == "motor"
    if not name.startswith("witvliet"):  # the Witvliet datasets cover the brain only
        assert cls["DA1"] == "motor"
    i = g.node_names.index("AVAL")
    assert attrs["type"][i] == "Layer 1 interneuron"
    assert attrs["description"][i] == "Ventral cord interneuron"
    assert "Amphid" in attrs["type"][g.node_names.index("ASHL")]


def test_sex_specific_neurons():
    herm, _ = load("cook2019-herm")
    male, _ = load("cook2019-male")
    assert "HSNL" in herm.node_names and "HSNL" not in male.node_names
    assert "CEMDL" in male.node_names and "CEMDL" not in herm.node_names
    cls = dict(zip(male.node_names, male.node_attrs["class"].tolist(), strict=True))
    assert cls["CEMDL"] == "sensory"
    assert "ADAR" not in male.node_names and "BAGR" not in male.node_names  # see TOTALS
    # the canal neurons: no known function, synapses only in Cook et al.'s data
    hc = dict(zip(herm.node_names, herm.node_attrs["class"].tolist(), strict=True))
    assert hc["CANL"] == hc["CANR"] == "unknown"


def gap_junctions(g, w):
    """Gap junctions from cect's symmetric storage: (off-diagonal sum) / 2 + diagonal."""
    loop = g.src == g.dst
    return int(w[~loop].sum()) // 2 + int(w[loop].sum())


def test_varshney_published_counts():
    g, w = load("varshney2011", cells="all")
    # the neuromuscular junctions all go to one cell, BWM: 1,410 NMJs, as published
    assert [c for c in g.node_names if CELLS[c]["class"] not in NEURON] == ["BWM"]
    bwm = g.node_names.index("BWM")
    assert int(w[g.dst == bwm].sum()) == 1410
    assert int(w.sum()) == 6394 + 1410
    ge, we = load("varshney2011", synapses="electrical")
    assert gap_junctions(ge, we) == 890  # as published


@pytest.mark.parametrize("name", NAMES)
def test_electrical_is_symmetric(name):
    g, w = load(name, synapses="electrical", cells="all")
    pairs = dict(zip(zip(g.src.tolist(), g.dst.tolist(), strict=True), w.tolist(), strict=True))
    assert all(pairs.get((d, s)) == x for (s, d), x in pairs.items())


def test_witvliet_synapses_grow_with_age():
    """Witvliet et al. 2021 (Fig. 1): synapse number increases from birth to adulthood."""
    total = {i: load(f"witvliet2021-{i}")[1].sum() for i in range(1, 9)}
    assert max(total[i] for i in (1, 2, 3, 4)) < total[5] < total[6]
    assert total[6] < min(total[7], total[8])
    assert total[8] / total[1] > 5  # about six-fold from dataset 1 (birth) to 8 (adult)


def test_inputs_and_outputs():
    g, w = load("witvliet2021-8", inputs="sensory", outputs="motor")
    cls = g.node_attrs["class"]
    assert g.inputs.tolist() == np.flatnonzero(cls == "sensory").tolist()
    assert g.outputs.tolist() == np.flatnonzero(cls == "motor").tolist()
    g2, _ = load("witvliet2021-8", inputs=["ASHR", "ASHL"], outputs=["AVAL"])
    assert [g2.node_names[i] for i in g2.inputs] == ["ASHR", "ASHL"]
    assert [g2.node_names[i] for i in g2.outputs] == ["AVAL"]
    assert load("varshney2011")[0].inputs.size == 0  # none by default
    net = Network(g, w)
    assert np.array_equal(net.weight, w)


def test_cells_all_adds_muscles_and_others():
    g, _ = load("cook2019-herm", cells="all")
    classes = Counter(g.node_attrs["class"].tolist())
    assert set(classes) <= set(CLASSES)
    assert classes["muscle"] > 0 and classes["other"] > 0
    assert classes["sensory"] + classes["inter"] + classes["motor"] + classes["unknown"] == 302


def test_bad_arguments_name_the_argument():
    with pytest.raises(GraphError, match=r"unknown connectome `name` 'cook2019'.*witvliet2021-8"):
        load("cook2019")
    with pytest.raises(GraphError, match="`name`"):
        load(3)
    with pytest.raises(GraphError, match="`synapses` must be one of chemical, electrical"):
        load("white1986", synapses="gap")
    with pytest.raises(GraphError, match="`cells` must be one of neurons, all"):
        load("white1986", cells="muscles")
    with pytest.raises(GraphError, match="`inputs` must be a class"):
        load("white1986", inputs="interneuron")
    with pytest.raises(GraphError, match="`outputs` names 'DA1'.*witvliet2021-1"):
        load("witvliet2021-1", outputs=["DA1"])
    with pytest.raises(GraphError, match="overlap"):
        load("white1986", inputs="motor", outputs=["DA1"])


def test_files_are_small():
    files = ["cells.csv", "MANIFEST.csv", *(f"{n}.csv" for n in NAMES)]
    assert sum(len(data_file(f).read_bytes()) for f in files) < 1_000_000


# --------------------------------------------------------------- Graph.with_nodes


def test_with_nodes_copies_and_validates():
    g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
    h = g.with_nodes(["a", "b", "c"], kind=["s", "i", "m"])
    assert g.node_names is None and g.node_attrs is None
    assert h.node_names == ("a", "b", "c") and h.node_attrs["kind"].tolist() == ["s", "i", "m"]
    assert h.src is g.src and h.in_indptr is g.in_indptr and h.topo_order is g.topo_order
    h2 = h.with_nodes(size=[1, 2, 3])  # keeps names and the other attributes
    assert h2.node_names == h.node_names and set(h2.node_attrs) == {"kind", "size"}
    back = pickle.loads(pickle.dumps(h2))
    assert back.node_names == h2.node_names and back.node_attrs["size"].tolist() == [1, 2, 3]
    with pytest.raises(GraphError, match="`names` must hold 3 strings"):
        g.with_nodes(["a", "b"])
    with pytest.raises(GraphError, match="`names` must hold 3 strings"):
        g.with_nodes(["a", "b", 3])
    with pytest.raises(GraphError, match="a sequence of strings, got a string"):
        g.with_nodes("abc")
    with pytest.raises(GraphError, match="`names` repeats 'a'"):
        g.with_nodes(["a", "b", "a"])
    with pytest.raises(GraphError, match=r"node attribute `kind` has shape \(2,\)"):
        g.with_nodes(kind=["x", "y"])


def test_graph_pickled_without_node_fields_still_loads():
    """A Graph pickled before node_names/node_attrs existed reads them as None."""
    g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
    state = dict(g.__dict__)
    del state["node_names"], state["node_attrs"]
    old = Graph.__new__(Graph)
    old.__setstate__(state)
    assert old.node_names is None and old.node_attrs is None and old.n_edges == 1
