"""Jupyter summary (_repr_html_) and plain repr of community.Partition: values checked
against the membership and an independent modularity, text escaped."""

from html.parser import HTMLParser

import numpy as np
import pytest

import community
from community.detect import Partition, relabel

EVIL = "<script>alert('x')</script>"


class _Cells(HTMLParser):
    """Tables as lists of rows of cell texts; captions; every tag seen."""

    def __init__(self):
        super().__init__()
        self.tables, self.captions, self.tags = [], [], set()
        self._text = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th", "caption"):
            self._text = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._text)
            self._text = None
        elif tag == "caption":
            self.captions.append(self._text)
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text += data


def parse(html_text):
    p = _Cells()
    p.feed(html_text)
    p.close()
    assert p.tags <= {"div", "b", "table", "caption", "tr", "th", "td"}, p.tags
    summary = dict(p.tables[0])
    header, *rows = p.tables[1]
    return summary, p.captions, [dict(zip(header, r, strict=True)) for r in rows]


def planted(sizes, seed=0):
    """Directed planted modules: dense within (weight ~1), sparse weak across."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    same = labels[:, None] == labels[None, :]
    W = np.where(same, rng.uniform(0.5, 1.5, same.shape),
                 rng.uniform(0, 0.1, same.shape) * (rng.random(same.shape) < 0.1))
    np.fill_diagonal(W, 0)
    return W


def test_partition_html_matches_membership_and_modularity():
    W = planted([9, 7, 5, 3, 1])
    part = community.leiden(W, seed=0)
    summary, captions, top = parse(part._repr_html_())
    m = part.membership.tolist()
    labels, counts = np.unique(m, return_counts=True)
    assert summary["method"] == "leiden"
    assert int(summary["vertices"]) == len(m) == 25
    assert int(summary["communities"]) == len(labels)
    assert int(summary["singletons"]) == int(np.sum(counts == 1))
    # quality against the directed modularity formula, written out here
    k_in, k_out, total = W.sum(1), W.sum(0), W.sum()
    same = np.equal.outer(m, m)
    q = float(np.sum((W - np.outer(k_in, k_out) / total) * same) / total)
    assert float(summary["quality (modularity)"]) == pytest.approx(q, rel=6e-4)
    assert (summary["resolution"], summary["mode"], summary["seed"]) == ("1", "abs", "0")
    assert captions == ["largest communities"]
    sizes = sorted(counts.tolist(), reverse=True)
    assert [int(r["size"]) for r in top] == sizes[:8]
    for r in top:
        assert m.count(int(r["community"])) == int(r["size"])
        assert float(r["fraction"]) == pytest.approx(int(r["size"]) / len(m), rel=6e-4)
    shown = ", ".join(map(str, sizes[:5])) + (", ..." if len(sizes) > 5 else "")
    assert repr(part) == (f"Partition(method='leiden', n=25, communities={len(labels)}, "
                          f"quality={part.quality:.4g}, sizes=[{shown}])")


def test_partition_html_lists_at_most_eight_communities_largest_first():
    membership = relabel(np.repeat(np.arange(12), np.arange(12, 0, -1)))
    part = Partition(membership=membership, quality=0.25, method="consensus",
                     params={"threshold": 0.5})
    summary, _, top = parse(part._repr_html_())
    assert [int(r["size"]) for r in top] == list(range(12, 4, -1))
    assert int(summary["communities"]) == 12 and int(summary["singletons"]) == 1
    assert summary["threshold"] == "0.5" and summary["quality (optimised)"] == "0.25"
    assert repr(part).endswith("sizes=[12, 11, 10, 9, 8, ...])")


def test_partition_html_escapes_text():
    part = Partition(membership=relabel([0, 0, 1]), quality=0.0, method=EVIL,
                     params={"quality": EVIL, EVIL: EVIL})
    html_text = part._repr_html_()
    assert "<script" not in html_text and "http" not in html_text
    summary, _, _ = parse(html_text)
    assert summary["method"] == EVIL
    assert summary[f"quality ({EVIL})"] == "0"
    assert summary[EVIL] == EVIL
