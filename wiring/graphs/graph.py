"""Directed graphs with designated input and output neurons, stored as CSR both ways.

A :class:`Graph` holds ``n`` neurons and ``E`` directed edges ``src[e] -> dst[e]``
in the order the user gave them. Edge ``e`` carries the synapse onto ``dst[e]``
from ``src[e]`` (``W[dst, src]`` in matrix terms). Two CSR views are built once:

* **in-CSR** (rows = postsynaptic neuron ``i``): ``in_indptr``, ``in_src``,
  ``in_eid``; the firing step ``s = W x + b`` is a gather over it.
* **out-CSR** (rows = presynaptic neuron ``j``): ``out_indptr``, ``out_dst``,
  ``out_eid``; the credit step ``c = W^T (f(s) * c)`` is a gather over it.

``in_eid[k]`` is the user's edge index of in-CSR position ``k``; ``in_to_out[k]``
is the out-CSR position of the same edge. Self-loops and cycles are allowed;
duplicate edges are rejected (one synapse per ordered pair).

Builders for common families live in :mod:`wiring.graphs.builders`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import WritableOnUnpickle, as_index_array, check_memory
from wiring._html import summary_html
from wiring.errors import GraphError

__all__ = ["Graph", "MAX_NEURONS"]

INDEX_DTYPE = np.uint32  # kernels index with unsigned 32-bit ints (faster gathers)
MAX_NEURONS = int(np.iinfo(INDEX_DTYPE).max) + 1
"""Most neurons a graph may have: kernels index neurons with 32-bit unsigned ints."""
# lower bounds of the bytes a graph takes (CSR arrays both ways, edge maps, and the
# temporaries of building them); used to refuse sizes far beyond memory before allocating
_BYTES_PER_NEURON = 48
_BYTES_PER_EDGE = 56


@dataclass(frozen=True, eq=False)
class Graph(WritableOnUnpickle):
    """A directed graph with input and output neurons, in CSR form both ways.

    Build one with :meth:`Graph.from_edges` (or a builder in :mod:`wiring.graphs.builders`,
    or a reader in :mod:`wiring.graphs.convert`); the constructor itself trusts its input.

    Attributes
    ----------
    n : int
        Number of neurons.
    src, dst : ndarray of int64, shape (E,)
        Edges in the user's order: edge ``e`` goes ``src[e] -> dst[e]``.
    inputs, outputs : ndarray of int64
        Input neurons (rates clamped to the data) and output neurons (where the
        error is applied), in the order data columns map to them.
    in_indptr, in_src, in_eid, out_indptr, out_dst, out_eid, in_to_out : ndarray
        The CSR views (see module docstring).
    topo_order : ndarray of int64 or None
        A topological order of all neurons if the graph is acyclic, else ``None``.
    node_names : tuple of str or None
        Optional neuron names (node labels), ``node_names[i]`` naming neuron ``i``;
        ``None`` for an unnamed graph. Set with :meth:`with_nodes`.
    node_attrs : dict of str to ndarray, or None
        Optional per-neuron attributes, one array of length ``n`` per attribute name
        (node attributes, as networkx keeps them per node, stored column-wise); ``None``
        if there are none. Set with :meth:`with_nodes`.

    Examples
    --------
    >>> g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
    >>> g.n, g.n_edges, g.is_dag
    (3, 2, True)
    >>> g.in_src[g.in_indptr[2]:g.in_indptr[3]].tolist()   # presynaptic to neuron 2
    [1]
    """

    n: int
    src: np.ndarray
    dst: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    in_indptr: np.ndarray = field(repr=False)
    in_src: np.ndarray = field(repr=False)
    in_eid: np.ndarray = field(repr=False)
    out_indptr: np.ndarray = field(repr=False)
    out_dst: np.ndarray = field(repr=False)
    out_eid: np.ndarray = field(repr=False)
    in_to_out: np.ndarray = field(repr=False)
    topo_order: np.ndarray | None = field(repr=False)
    # optional node metadata (None on every graph the builders make); defaults keep
    # graphs pickled before these fields existed loadable
    node_names: tuple[str, ...] | None = field(default=None, repr=False)
    node_attrs: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def from_edges(
        cls, n: int, src: ArrayLike, dst: ArrayLike, *, inputs: ArrayLike, outputs: ArrayLike
    ) -> Graph:
        """Build a graph from edge arrays, validating everything.

        Parameters
        ----------
        n : int
            Number of neurons, labelled ``0 .. n-1``.
        src, dst : array_like of int, shape (E,)
            Presynaptic and postsynaptic neuron of each edge.
        inputs, outputs : array_like of int
            Input and output neurons; each unique, the two disjoint. Either may be
            empty (the paper's noise-driven simulation has neither); training on
            data checks they match the data's columns.

        Returns
        -------
        Graph

        Raises
        ------
        GraphError
            If an index is out of range, shapes differ, an edge is repeated, the
            input/output sets repeat a neuron or overlap, or ``n`` exceeds
            :data:`MAX_NEURONS` or the graph could not fit in memory (checked before
            anything is allocated).

        Examples
        --------
        >>> g = Graph.from_edges(2, [0, 1], [1, 1], inputs=[0], outputs=[1])
        >>> g.has_self_loops, g.is_dag
        (True, False)
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise GraphError(f"`n` must be a positive integer, got {n!r}")
        n = int(n)
        check_graph_size(n, 0)
        src = as_index_array(src, "src", n)
        dst = as_index_array(dst, "dst", n)
        if src.shape != dst.shape:
            raise GraphError(
                f"`src` and `dst` must have the same length, got {src.size} and {dst.size}"
            )
        check_graph_size(n, src.size)
        # n <= 2**32, so src * n + dst < 2**64 fits an unsigned 64-bit key
        key = src.astype(np.uint64) * np.uint64(n) + dst.astype(np.uint64)
        uniq, counts = np.unique(key, return_counts=True)
        if uniq.size != key.size:
            k = int(uniq[np.argmax(counts > 1)])
            raise GraphError(
                f"duplicate edge {k // n} -> {k % n}: each ordered pair may appear once"
            )
        inputs = as_index_array(inputs, "inputs", n)
        outputs = as_index_array(outputs, "outputs", n)
        for name, arr in (("inputs", inputs), ("outputs", outputs)):
            if np.unique(arr).size != arr.size:
                raise GraphError(f"`{name}` lists a neuron more than once")
        both = np.intersect1d(inputs, outputs)
        if both.size:
            raise GraphError(
                f"`inputs` and `outputs` overlap at neuron(s) {both[:5].tolist()}: "
                "a neuron cannot be both clamped input and output"
            )
        return cls._build(n, src, dst, inputs, outputs)

    @classmethod
    def _build(cls, n, src, dst, inputs, outputs) -> Graph:
        E = src.size
        in_eid = np.lexsort((src, dst)).astype(np.int64)  # stable: by dst, then src
        in_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(dst, minlength=n), out=in_indptr[1:])
        out_eid = np.lexsort((dst, src)).astype(np.int64)
        out_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=out_indptr[1:])
        pos_out = np.empty(E, dtype=np.int64)
        pos_out[out_eid] = np.arange(E)
        in_to_out = pos_out[in_eid]
        return cls(
            n=n,
            src=src,
            dst=dst,
            inputs=inputs,
            outputs=outputs,
            in_indptr=in_indptr,
            in_src=src[in_eid].astype(INDEX_DTYPE),
            in_eid=in_eid,
            out_indptr=out_indptr,
            out_dst=dst[out_eid].astype(INDEX_DTYPE),
            out_eid=out_eid,
            in_to_out=in_to_out,
            topo_order=_topological_order(n, src, dst),
        )

    def with_nodes(self, names: Sequence[str] | None = None, **attrs: ArrayLike) -> Graph:
        """A copy of this graph carrying neuron names and per-neuron attributes.

        The copy shares every array with this graph. Names and attributes are metadata:
        nothing in the engine reads them.

        Parameters
        ----------
        names : sequence of str, optional
            One unique name per neuron, in neuron order; default: keep the current
            :attr:`node_names`.
        **attrs : array_like, shape (n,)
            Per-neuron attributes by name; they replace attributes of the same name and
            keep the others.

        Returns
        -------
        Graph

        Raises
        ------
        GraphError
            If ``names`` is not ``n`` unique strings or an attribute is not of length ``n``.

        Examples
        --------
        >>> g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
        >>> h = g.with_nodes(["ASHL", "AVAL"], kind=["sensory", "inter"])
        >>> h.node_names, h.node_attrs["kind"].tolist(), h.n_edges, g.node_names
        (('ASHL', 'AVAL'), ['sensory', 'inter'], 1, None)
        """
        new_names = self.node_names
        if names is not None:
            if isinstance(names, str):
                raise GraphError("`names` must be a sequence of strings, got a string")
            new_names = tuple(names)
            if len(new_names) != self.n or not all(isinstance(x, str) for x in new_names):
                raise GraphError(
                    f"`names` must hold {self.n} strings (one per neuron), got "
                    f"{len(new_names)} items"
                )
            if len(set(new_names)) != self.n:
                dup = next(x for k, x in enumerate(new_names) if x in new_names[:k])
                raise GraphError(f"`names` repeats {dup!r}: each neuron needs its own name")
        new_attrs = dict(self.node_attrs or {})
        for key, value in attrs.items():
            arr = np.asarray(value)
            if arr.shape != (self.n,):
                raise GraphError(
                    f"node attribute `{key}` has shape {arr.shape}, expected ({self.n},)"
                )
            new_attrs[key] = arr
        return replace(self, node_names=new_names, node_attrs=new_attrs or None)

    @property
    def n_edges(self) -> int:
        """Number of edges ``E``."""
        return int(self.src.size)

    @property
    def is_dag(self) -> bool:
        """True if the graph has no directed cycle (self-loops count as cycles)."""
        return self.topo_order is not None

    @property
    def has_self_loops(self) -> bool:
        """True if some edge goes from a neuron to itself."""
        return bool(np.any(self.src == self.dst))

    @property
    def hidden(self) -> np.ndarray:
        """Neurons that are neither inputs nor outputs, ascending."""
        mask = np.ones(self.n, dtype=bool)
        mask[self.inputs] = False
        mask[self.outputs] = False
        return np.flatnonzero(mask)

    def input_mask(self) -> np.ndarray:
        """Boolean mask of length ``n``, True on input neurons.

        Returns
        -------
        ndarray of bool

        Examples
        --------
        >>> Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1]).input_mask().tolist()
        [True, False]
        """
        m = np.zeros(self.n, dtype=bool)
        m[self.inputs] = True
        return m

    def output_mask(self) -> np.ndarray:
        """Boolean mask of length ``n``, True on output neurons.

        Returns
        -------
        ndarray of bool

        Examples
        --------
        >>> Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1]).output_mask().tolist()
        [False, True]
        """
        m = np.zeros(self.n, dtype=bool)
        m[self.outputs] = True
        return m

    def inputs_are_sources(self) -> bool:
        """True if no edge enters an input neuron.

        Returns
        -------
        bool

        Examples
        --------
        >>> Graph.from_edges(2, [1], [0], inputs=[0], outputs=[1]).inputs_are_sources()
        False
        """
        return not bool(np.any(self.input_mask()[self.dst]))

    def outputs_are_sinks(self) -> bool:
        """True if no edge leaves an output neuron.

        Returns
        -------
        bool

        Examples
        --------
        >>> Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1]).outputs_are_sinks()
        True
        """
        return not bool(np.any(self.output_mask()[self.src]))

    def _summary_rows(self) -> list[tuple[str, object]]:
        """(name, value) rows shared by the reprs of Graph and Network."""
        n, E = self.n, self.n_edges
        return [
            ("neurons", n), ("edges", E), ("inputs", self.inputs.size),
            ("outputs", self.outputs.size), ("hidden", self.hidden.size),
            ("density", E / n**2), ("self-loops", self.has_self_loops),
            ("max in-degree", int(np.diff(self.in_indptr).max(initial=0))),
            ("settling", "one exact sweep (acyclic)" if self.is_dag
             else "iterated to a fixed point (the graph has cycles)"),
        ]

    def __repr__(self) -> str:
        return (f"Graph(n={self.n}, edges={self.n_edges}, inputs={self.inputs.size}, "
                f"outputs={self.outputs.size}, acyclic={self.is_dag})")

    def _repr_html_(self) -> str:
        return summary_html("wiring.Graph", self._summary_rows())

    def dense(self, weight: ArrayLike) -> np.ndarray:
        """Dense ``(n, n)`` matrix ``W`` with ``W[dst[e], src[e]] = weight[e]``.

        Parameters
        ----------
        weight : array_like, shape (E,)
            Weights in the graph's edge order.

        Returns
        -------
        ndarray, shape (n, n)

        Examples
        --------
        >>> g = Graph.from_edges(2, [0], [1], inputs=[0], outputs=[1])
        >>> g.dense([0.5]).tolist()
        [[0.0, 0.0], [0.5, 0.0]]
        """
        weight = np.asarray(weight, dtype=np.float64)
        if weight.shape != (self.n_edges,):
            raise GraphError(f"`weight` has shape {weight.shape}, expected ({self.n_edges},)")
        W = np.zeros((self.n, self.n))
        W[self.dst, self.src] = weight
        return W


def check_graph_size(n: int, n_edges: float, *, what: str | None = None) -> None:
    """Refuse, before allocating, a graph of ``n`` neurons and ``n_edges`` edges that
    exceeds :data:`MAX_NEURONS` or cannot fit in this machine's memory.

    ``n_edges`` may be an expected count (random builders). ``what`` names the
    arguments the sizes come from (default: `n` and the edge count). Raises
    :class:`~wiring.errors.GraphError`.
    """
    label = what or f"a graph of `n` = {n} neurons" + (
        f" and {int(n_edges)} edges" if n_edges else "")
    if n > MAX_NEURONS:
        raise GraphError(
            f"{label}: a graph may have at most {MAX_NEURONS} neurons (neuron indices are "
            "32-bit unsigned ints)"
        )
    check_memory(_BYTES_PER_NEURON * n + _BYTES_PER_EDGE * n_edges, label, error=GraphError)


def _topological_order(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """Kahn's algorithm; ``None`` if the graph has a cycle (or a self-loop)."""
    indeg = np.bincount(dst, minlength=n)
    order_out = np.lexsort((dst, src))
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=out_ptr[1:])
    succ = dst[order_out]
    stack = list(np.flatnonzero(indeg == 0)[::-1])
    order = []
    indeg = indeg.copy()
    while stack:
        j = stack.pop()
        order.append(j)
        for i in succ[out_ptr[j] : out_ptr[j + 1]]:
            indeg[i] -= 1
            if indeg[i] == 0:
                stack.append(i)
    if len(order) != n:
        return None
    return np.asarray(order, dtype=np.int64)
