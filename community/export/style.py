"""How the exported files look in Gephi: community and sign colours, node sizes from
strength, and layout positions in Gephi's units.

The writers (:func:`community.export.write_gexf`, ...) take colours, sizes and
positions as plain arrays; :func:`community.export.export_sweep` computes them with the
functions here, so a file opens in Gephi already drawn:

* nodes coloured by community (:func:`community_colour`), grey when not analysed;
* edges coloured by the sign of their weight (:func:`sign_colour`): red excitatory,
  blue inhibitory, as in the report's network view;
* node size growing with the neuron's strength, the sum of ``|w|`` of its in- and
  out-edges (:func:`node_sizes`; linear from the weakest to the strongest node);
* positions from the report's own layout (:mod:`community.layout`), scaled by
  :func:`gephi_positions` so that neighbouring nodes do not overlap at Gephi's node
  sizes.

Examples
--------
>>> community_colour(1) == PALETTE[1], sign_colour(-0.5) == INHIBITORY_COLOUR
(True, True)
>>> node_sizes(np.array([1.0, 2.0, 3.0])).tolist()
[2.0, 11.0, 20.0]
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from community.export._common import ExportError

__all__ = ["PALETTE", "UNASSIGNED_COLOUR", "EXCITATORY_COLOUR", "INHIBITORY_COLOUR",
           "ZERO_COLOUR", "NODE_SIZE_RANGE", "POSITION_SCALE", "community_colour",
           "sign_colour", "node_sizes", "gephi_positions"]

#: Qualitative colours (r, g, b), one per community, reused cyclically.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
)
#: Colour of neurons with a negative community (not analysed / unassigned).
UNASSIGNED_COLOUR: tuple[int, int, int] = (190, 190, 190)

def community_colour(c: int) -> tuple[int, int, int]:
    """Colour of community ``c``: ``PALETTE[c % len(PALETTE)]``, grey if ``c < 0``.

    Parameters
    ----------
    c : int
        Community label (numpy integers accepted). Negative labels mark neurons
        that were not analysed and get :data:`UNASSIGNED_COLOUR`.

    Returns
    -------
    tuple of int
        ``(r, g, b)``, each an ``int`` in ``0 .. 255``.

    Raises
    ------
    ExportError
        If ``c`` is not an integer.

    Examples
    --------
    >>> community_colour(0)
    (31, 119, 180)
    >>> community_colour(len(PALETTE)) == community_colour(0)
    True
    >>> community_colour(-1)
    (190, 190, 190)
    """
    if isinstance(c, bool | np.bool_) or not isinstance(c, numbers.Integral):
        raise ExportError(f"community `c` must be an integer, got {c!r}")
    c = int(c)
    return UNASSIGNED_COLOUR if c < 0 else PALETTE[c % len(PALETTE)]
#: Colour of an edge with a positive weight (the report's network view draws them red).
EXCITATORY_COLOUR: tuple[int, int, int] = (200, 40, 40)
#: Colour of an edge with a negative weight (blue, as in the report).
INHIBITORY_COLOUR: tuple[int, int, int] = (40, 70, 200)
#: Colour of an edge of weight exactly 0 (written only when asked for).
ZERO_COLOUR: tuple[int, int, int] = (160, 160, 160)
#: Smallest and largest node size written (Gephi's default node size is 10).
NODE_SIZE_RANGE: tuple[float, float] = (2.0, 20.0)
#: Gephi units per unit of layout, times sqrt(n): see :func:`gephi_positions`.
POSITION_SCALE = 25.0


def sign_colour(w: float) -> tuple[int, int, int]:
    """Colour of an edge of weight ``w``: excitatory red, inhibitory blue, 0 grey.

    Examples
    --------
    >>> sign_colour(2.0), sign_colour(-1e-9), sign_colour(0.0)
    ((200, 40, 40), (40, 70, 200), (160, 160, 160))
    """
    return EXCITATORY_COLOUR if w > 0 else INHIBITORY_COLOUR if w < 0 else ZERO_COLOUR


def node_sizes(strength: ArrayLike, *, size_range: tuple[float, float] = NODE_SIZE_RANGE
               ) -> np.ndarray:
    """Node sizes from strength, linear from the weakest to the strongest node.

    ``lo + (hi - lo) * (s - min s) / (max s - min s)``, as Gephi's size ranking maps an
    attribute: the trained weights of a run often give strengths within tens of percent
    of each other, and a scale starting at 0 would draw them all alike. NaN strengths
    get ``lo``, and so do all nodes when the strengths are all equal.

    Parameters
    ----------
    strength : array_like of float, shape (n,)
        Strength of each neuron (e.g. in- plus out-strength, sums of ``|w|``).
    size_range : (float, float), default :data:`NODE_SIZE_RANGE`
        Sizes of the weakest and the strongest node; ``0 < lo <= hi``.

    Returns
    -------
    ndarray of float64, shape (n,)
        Positive sizes, ready for the writers' ``size`` argument.

    Examples
    --------
    >>> node_sizes([1.0, 3.0, 2.0, np.nan], size_range=(1.0, 5.0)).tolist()
    [1.0, 5.0, 3.0, 1.0]
    """
    lo, hi = (float(v) for v in size_range)
    if not 0 < lo <= hi or not np.isfinite(hi):
        raise ExportError(f"`size_range` must be (lo, hi) with 0 < lo <= hi, got {size_range!r}")
    s = np.asarray(strength, dtype=np.float64)
    finite = np.isfinite(s)
    if not finite.any():
        return np.full(s.shape, lo)
    bottom, top = s[finite].min(), s[finite].max()
    if top <= bottom:
        return np.full(s.shape, lo)
    return np.where(finite, lo + (hi - lo) * (np.where(finite, s, bottom) - bottom)
                    / (top - bottom), lo)


def gephi_positions(positions: ArrayLike, *, scale: float = POSITION_SCALE) -> np.ndarray:
    """Layout positions (about ``[-1, 1]``) in Gephi's units: times ``scale * sqrt(n)``.

    ``n`` nodes spread over a disc of radius ``scale * sqrt(n)`` sit about
    ``scale * sqrt(pi) ~ 44`` units apart whatever ``n``, a few node diameters at the
    sizes of :func:`node_sizes`: Gephi opens the file drawn, neither as a dot nor
    with the nodes piled on each other.

    Examples
    --------
    >>> gephi_positions(np.array([[1.0, 0.0], [0.0, -1.0], [0.5, 0.5], [0.0, 0.0]])).tolist()
    [[50.0, 0.0], [0.0, -50.0], [25.0, 25.0], [0.0, 0.0]]
    """
    pos = np.asarray(positions, dtype=np.float64)
    return pos * (float(scale) * np.sqrt(max(pos.shape[0], 1)))
