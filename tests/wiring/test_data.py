"""Data loaders: shapes, splits, exact round trips through files, and bad input.

Files are written here with numpy, the csv text format and ``struct`` (IDX), so the
expected values are known independently of the loaders.
"""

import gzip
import random
import re
import socket
import struct
import sys

import numpy as np
import pytest

from wiring.data import (
    DATASETS,
    Dataset,
    load_csv,
    load_dataset,
    load_digits,
    load_idx,
    load_mnist1d,
    load_npz,
    one_hot,
    subsample,
)
from wiring.errors import DataError


@pytest.fixture(scope="module")
def digits():
    return load_digits(test_fraction=0.25, seed=0)


def write_idx(path, array, *, code=0x08, compress=False, magic=None):
    """Write ``array`` as an IDX file (big-endian header, then the values)."""
    array = np.asarray(array)
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    head = magic if magic is not None else struct.pack(">BBBB", 0, 0, code, array.ndim)
    data = head + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(dtype).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def check_consistent(ds: Dataset):
    assert ds.X_train.dtype == ds.X_test.dtype == np.float64
    assert ds.Y_train.dtype == ds.Y_test.dtype == np.float64
    assert ds.labels_train.dtype == ds.labels_test.dtype == np.int64
    for arr in (ds.X_train, ds.X_test, ds.Y_train, ds.Y_test):
        assert arr.flags.c_contiguous
    for Y, labels in ((ds.Y_train, ds.labels_train), (ds.Y_test, ds.labels_test)):
        assert Y.shape == (labels.size, ds.n_classes)
        np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
        np.testing.assert_array_equal(np.argmax(Y, axis=1), labels)
        assert set(np.unique(Y)) <= {0.0, 1.0}


# ----------------------------------------------------------------------------- digits


def test_digits_shapes(digits):
    assert digits.n_train + digits.n_test == 1797
    assert digits.n_test == 450  # ceil(0.25 * 1797)
    assert digits.X_train.shape == (1347, 64) and digits.X_test.shape == (450, 64)
    assert digits.n_features == 64 and digits.n_classes == 10 and digits.name == "digits"
    check_consistent(digits)


def test_digits_value_range(digits):
    X = np.vstack([digits.X_train, digits.X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, np.round(X * 16))  # pixel levels 0..16
    raw = load_digits(scale=False)
    np.testing.assert_array_equal(raw.X_train, digits.X_train * 16)
    assert raw.X_train.max() == 16.0


def test_digits_split_is_stratified_and_seeded(digits):
    total = np.bincount(np.concatenate([digits.labels_train, digits.labels_test]))
    assert total.sum() == 1797 and total.min() >= 170
    test_counts = np.bincount(digits.labels_test, minlength=10)
    assert np.all(np.abs(test_counts - 0.25 * total) <= 1)
    again = load_digits(test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again.X_train, digits.X_train)
    other = load_digits(test_fraction=0.25, seed=1)
    assert not np.array_equal(other.labels_train, digits.labels_train)
    # the split partitions the samples: no row lost, none duplicated
    rows = np.vstack([digits.X_train, digits.X_test])
    assert sorted(map(bytes, rows)) == sorted(map(bytes, np.vstack([other.X_train, other.X_test])))


def test_one_hot():
    Y = one_hot([2, 0, 2], 4)
    np.testing.assert_array_equal(Y, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]])
    assert Y.dtype == np.float64
    assert one_hot(np.array([1.0, 0.0])).shape == (2, 2)
    with pytest.raises(DataError, match="labels"):
        one_hot([-1, 0])
    with pytest.raises(DataError, match="outside"):
        one_hot([0, 3], 3)
    with pytest.raises(DataError, match="integer"):
        one_hot([0.5])
    with pytest.raises(DataError, match="n_classes"):
        one_hot([0], 0)


# ----------------------------------------------------------------------------- mnist1d


class _NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise AssertionError("network access attempted")


def test_mnist1d_without_network_or_files(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    for mod in [m for m in sys.modules if m == "mnist1d" or m.startswith("mnist1d.")]:
        monkeypatch.delitem(sys.modules, mod)  # import it again under the patch
    monkeypatch.chdir(tmp_path)
    ds = load_mnist1d(n_samples=1000, test_fraction=0.2, seed=0)
    assert list(tmp_path.iterdir()) == []  # no cache file written
    assert ds.X_train.shape == (800, 40) and ds.X_test.shape == (200, 40)
    assert ds.n_classes == 10 and ds.name == "mnist1d"
    assert set(np.unique(np.concatenate([ds.labels_train, ds.labels_test]))) == set(range(10))
    check_consistent(ds)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1, atol=1e-12)


def test_mnist1d_matches_reference_recipe_and_keeps_global_rng():
    from mnist1d.data import get_dataset_args, make_dataset

    np.random.seed(123)  # noqa: NPY002 - checking the global state is left alone
    random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    ds = load_mnist1d(n_samples=500, test_fraction=0.2, seed=42, scale=False)
    assert np.random.rand() == expected_np and random.random() == expected_py  # noqa: NPY002
    args = get_dataset_args()
    args.num_samples = 500
    ref = make_dataset(args)  # default seed 42 and train_split 0.8
    np.testing.assert_array_equal(ds.X_train, ref["x"])
    np.testing.assert_array_equal(ds.X_test, ref["x_test"])
    np.testing.assert_array_equal(ds.labels_test, ref["y_test"])


def test_mnist1d_bad_arguments():
    with pytest.raises(DataError, match="n_samples"):
        load_mnist1d(n_samples=105)
    with pytest.raises(DataError, match="test_fraction"):
        load_mnist1d(n_samples=100, test_fraction=1.0)


# ----------------------------------------------------------------------------- npz


def test_npz_round_trip_integer_labels(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.repeat(np.arange(4), 10)
    path = tmp_path / "blobs.npz"
    np.savez(path, X=X, y=y)
    ds = load_npz(path, test_fraction=0.25, seed=3)
    assert ds.name == "blobs" and ds.n_classes == 4 and (ds.n_train, ds.n_test) == (30, 10)
    assert set(np.bincount(ds.labels_test, minlength=4)) <= {2, 3}  # stratified
    check_consistent(ds)
    # every row comes back exactly, with its own label
    for Xp, lab in ((ds.X_train, ds.labels_train), (ds.X_test, ds.labels_test)):
        for row, label in zip(Xp, lab, strict=True):
            i = int(np.flatnonzero((X == row).all(axis=1))[0])
            assert y[i] == label


def test_npz_explicit_test_split_and_one_hot(tmp_path):
    X, X_test = np.arange(12.0).reshape(6, 2), -np.arange(4.0).reshape(2, 2)
    Y, Y_test = one_hot([0, 1, 2, 0, 1, 2]), np.array([[0, 0, 1], [1, 0, 0]], dtype=np.int8)
    path = tmp_path / "given.npz"
    np.savez(path, X=X, y=Y, X_test=X_test, y_test=Y_test)
    ds = load_npz(path)
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.X_test, X_test)
    np.testing.assert_array_equal(ds.Y_train, Y)
    np.testing.assert_array_equal(ds.labels_test, [2, 0])
    assert ds.n_classes == 3


def test_npz_custom_keys_and_image_stacks(tmp_path):
    images = np.arange(2 * 3 * 2 * 2, dtype=np.uint8).reshape(6, 2, 2)
    path = tmp_path / "imgs.npz"
    np.savez(path, images=images, target=[0, 1, 0, 1, 0, 1])
    ds = load_npz(path, x_key="images", y_key="target", test_fraction=1 / 3)
    assert ds.n_features == 4 and (ds.n_train, ds.n_test) == (4, 2)


def test_npz_missing_key(tmp_path):
    path = tmp_path / "nokey.npz"
    np.savez(path, X=np.zeros((4, 2)), labels=[0, 1, 0, 1])
    with pytest.raises(DataError, match=r"no array 'y' \(named by y_key; in a config file "
                                        r"data\.y_key\); the file holds 'X', 'labels'"):
        load_npz(path)
    np.savez(path, X=np.zeros((4, 2)), y=[0, 1, 0, 1], X_test=np.zeros((2, 2)))
    with pytest.raises(DataError, match="'y_test'"):
        load_npz(path)


def test_npz_wrong_shapes(tmp_path):
    path = tmp_path / "shapes.npz"
    np.savez(path, X=np.zeros((4, 2)), y=[0, 1, 0])
    with pytest.raises(DataError, match=r"`y` has 3 samples but the inputs have 4"):
        load_npz(path)
    np.savez(path, X=np.zeros(4), y=[0, 1, 0, 1])
    with pytest.raises(DataError, match=r"`X` must have one row per sample"):
        load_npz(path)
    np.savez(path, X=np.zeros((4, 2)), y=np.full((4, 2), 0.5))
    with pytest.raises(DataError, match="one-hot"):
        load_npz(path)
    np.savez(path, X=np.zeros((4, 2)), y=[0, 1, 0, 1], X_test=np.zeros((2, 3)), y_test=[0, 1])
    with pytest.raises(DataError, match="X_test"):
        load_npz(path)


def test_npz_nan_and_unreadable(tmp_path):
    X = np.zeros((4, 2))
    X[2, 1] = np.nan
    path = tmp_path / "nan.npz"
    np.savez(path, X=X, y=[0, 1, 0, 1])
    with pytest.raises(DataError, match=r"nan\.npz: `X` contains 1 non-finite.*\(2, 1\)"):
        load_npz(path)
    with pytest.raises(DataError, match="missing.npz"):
        load_npz(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="junk.npz"):
        load_npz(tmp_path / "junk.npz")


def test_dataset_validates_fields():
    labels = np.array([0, 1])
    good = dict(
        X_train=np.eye(2),
        Y_train=one_hot(labels),
        X_test=np.eye(2),
        Y_test=one_hot(labels),
        labels_train=labels,
        labels_test=labels,
        name="t",
        n_classes=2,
    )
    Dataset(**good)
    bad_X = good["X_train"].copy()
    bad_X[0, 0] = np.inf
    with pytest.raises(DataError, match="`X_train` contains"):
        Dataset(**{**good, "X_train": bad_X})
    with pytest.raises(DataError, match="`Y_test` has shape"):
        Dataset(**{**good, "Y_test": np.ones((2, 3))})
    with pytest.raises(DataError, match="`Y_train` row 0"):
        Dataset(**{**good, "Y_train": one_hot([1, 1])})
    with pytest.raises(DataError, match="`labels_test` has 1 entries"):
        Dataset(**{**good, "labels_test": np.array([0])})
    with pytest.raises(DataError, match="name"):
        Dataset(**{**good, "name": ""})


# ----------------------------------------------------------------------------- CSV


def test_csv_round_trip(tmp_path):
    rows = [(0.5, -1.25, 2), (3.0, 4.0, 0), (1e-3, 7.0, 1), (2.0, 2.0, 2), (8, 9, 0), (6, 5, 1)]
    text = "x1,x2,class\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n\n"
    path = tmp_path / "table.csv"
    path.write_text(text)
    for kwargs in ({}, {"label_column": "class"}, {"label_column": 2, "header": True}):
        ds = load_csv(path, test_fraction=0.5, seed=0, **kwargs)
        assert ds.name == "table" and ds.n_classes == 3 and ds.n_features == 2
        got = sorted(
            (*map(float, x), int(c))
            for X, lab in ((ds.X_train, ds.labels_train), (ds.X_test, ds.labels_test))
            for x, c in zip(X, lab, strict=True)
        )
        assert got == sorted((float(a), float(b), c) for a, b, c in rows)
    # label first, no header, semicolons
    path.write_text("".join(f"{c};{a};{b}\n" for a, b, c in rows))
    ds = load_csv(path, label_column=0, delimiter=";", test_fraction=0.5)
    assert ds.n_features == 2 and ds.n_train + ds.n_test == 6


def test_csv_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,y\n1,2,0\n1,oops,1\n")
    with pytest.raises(DataError, match=r"bad\.csv, line 3, column 2: 'oops' is not a number"):
        load_csv(path)
    path.write_text("1,2,0\n\n1,2\n")
    with pytest.raises(DataError, match=r"bad\.csv, line 3: expected 3 columns, got 2"):
        load_csv(path)
    path.write_text("1,2,0\n1,2,1.5\n")
    with pytest.raises(DataError, match=r"line 2, column 3: label '1.5'"):
        load_csv(path)
    path.write_text("1,nan,0\n")
    with pytest.raises(DataError, match=r"line 1, column 2: 'nan' is not finite"):
        load_csv(path)
    path.write_text("1,2,0\n")
    with pytest.raises(DataError, match="no header"):
        load_csv(path, label_column="y")
    with pytest.raises(DataError, match="header"):
        load_csv(path, header="yes")
    with pytest.raises(DataError, match="nothere.csv"):
        load_csv(tmp_path / "nothere.csv")


# ----------------------------------------------------------------------------- IDX


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(12, 3, 4), dtype=np.uint8)
    pixels[0, 0, 0], pixels[0, 0, 1] = 0, 255
    labels = np.arange(12) % 3
    test_pixels = rng.integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    test_labels = np.array([0, 1, 2, 0, 1])
    suffix = ".gz" if compress else ""
    f = {
        name: write_idx(tmp_path / f"{name}-idx{arr.ndim}-ubyte{suffix}", arr, compress=compress)
        for name, arr in (
            ("train-images", pixels),
            ("train-labels", labels),
            ("t10k-images", test_pixels),
            ("t10k-labels", test_labels),
        )
    }
    ds = load_idx(
        f["train-images"],
        f["train-labels"],
        test_images=f["t10k-images"],
        test_labels=f["t10k-labels"],
    )
    assert ds.name == "train-images-idx3-ubyte" and ds.n_classes == 3
    np.testing.assert_array_equal(ds.X_train, pixels.reshape(12, 12) / 255.0)
    np.testing.assert_array_equal(ds.X_test, test_pixels.reshape(5, 12) / 255.0)
    np.testing.assert_array_equal(ds.labels_train, labels)
    np.testing.assert_array_equal(ds.labels_test, test_labels)
    assert ds.X_train.min() == 0.0 and ds.X_train.max() == 1.0
    check_consistent(ds)
    raw = load_idx(f["train-images"], f["train-labels"], test_fraction=0.25, scale=False)
    assert (raw.n_train, raw.n_test) == (9, 3)
    assert set(map(bytes, np.vstack([raw.X_train, raw.X_test]).astype(np.uint8))) == set(
        map(bytes, pixels.reshape(12, 12))
    )


def test_idx_gzip_detected_without_suffix(tmp_path):
    img = write_idx(tmp_path / "img.bin", np.full((4, 2, 2), 51, np.uint8), compress=True)
    lab = write_idx(tmp_path / "lab.bin", [0, 1, 0, 1])
    ds = load_idx(img, lab, test_fraction=0.5)
    np.testing.assert_array_equal(ds.X_train, 0.2)


def test_idx_truncated(tmp_path):
    img = write_idx(tmp_path / "short-images.idx3", np.zeros((4, 2, 2), np.uint8))
    lab = write_idx(tmp_path / "labels.idx1", [0, 1, 0, 1])
    img.write_bytes(img.read_bytes()[:-3])
    msg = re.escape(str(img)) + r".*truncated.*\(16 bytes\), file holds 13 bytes"
    with pytest.raises(DataError, match=msg):
        load_idx(img, lab)
    gz = write_idx(tmp_path / "short-images.idx3.gz", np.zeros((4, 2, 2), np.uint8), compress=True)
    gz.write_bytes(gz.read_bytes()[:-10])
    with pytest.raises(DataError, match=re.escape(str(gz))):
        load_idx(gz, lab)
    img.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(DataError, match=r"short-images\.idx3: truncated IDX header"):
        load_idx(img, lab)


def test_idx_bad_headers(tmp_path):
    lab = write_idx(tmp_path / "labels.idx1", [0, 1, 0, 1])
    pixels = np.zeros((4, 2, 2), np.uint8)
    img = write_idx(tmp_path / "img.idx3", pixels, magic=b"\x12\x34\x08\x03")
    with pytest.raises(DataError, match=r"img\.idx3: bad IDX magic number 0x12340803"):
        load_idx(img, lab)
    img = write_idx(tmp_path / "img.idx3", pixels, magic=b"\x00\x00\x07\x03")
    with pytest.raises(DataError, match="unknown type code 0x07"):
        load_idx(img, lab)
    img = write_idx(tmp_path / "img.idx3", pixels)
    with pytest.raises(DataError, match=r"img\.idx3: labels must be 1-D"):
        load_idx(img, img)  # images passed as labels: 3 dimensions
    with pytest.raises(DataError, match=r"labels\.idx1 holds 4 labels but .*img\.idx3 holds 3"):
        load_idx(write_idx(tmp_path / "img.idx3", pixels[:3]), lab)
    floats = write_idx(tmp_path / "float.idx3", pixels, code=0x0D)
    with pytest.raises(DataError, match="scale=False"):
        load_idx(floats, lab)
    assert load_idx(floats, lab, scale=False, test_fraction=0.5).n_features == 4
    with pytest.raises(DataError, match="test_labels"):
        load_idx(img, lab, test_images=img)


# ----------------------------------------------------------------------------- registry


def test_load_dataset_registry(tmp_path, digits):
    assert set(DATASETS) == {"digits", "mnist1d", "teacher", "npz", "csv", "idx"}
    ds = load_dataset("digits", seed=0)
    np.testing.assert_array_equal(ds.X_test, digits.X_test)
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((4, 2)), y=[0, 1, 0, 1])
    assert load_dataset("npz", path=path, test_fraction=0.5).n_test == 2
    with pytest.raises(DataError, match=r"unknown dataset 'cifar'; choose one of digits, mnist1d"):
        load_dataset("cifar")
    with pytest.raises(DataError, match=r"'digits'.*n_samples.*test_fraction, seed, scale"):
        load_dataset("digits", n_samples=10)


def test_subsample(digits):
    small = subsample(digits, n_train=200, n_test=30, seed=0)
    assert (small.n_train, small.n_test, small.n_classes) == (200, 30, 10)
    np.testing.assert_array_equal(np.bincount(small.labels_train), 20)
    np.testing.assert_array_equal(np.bincount(small.labels_test), 3)
    check_consistent(small)
    train_rows = set(map(bytes, digits.X_train))
    assert all(bytes(row) in train_rows for row in small.X_train)
    again = subsample(digits, n_train=200, n_test=30, seed=0)
    np.testing.assert_array_equal(again.X_train, small.X_train)
    assert subsample(digits, n_test=0).n_test == 0
    assert subsample(digits, n_train=5).n_train == 5  # fewer than classes: plain shuffle
    with pytest.raises(DataError, match="n_train"):
        subsample(digits, n_train=5000)
    with pytest.raises(DataError, match="n_test"):
        subsample(digits, n_test=-1)


def test_a_wrong_npz_key_names_the_argument_and_the_config_key(tmp_path):
    from wiring.data import load_npz
    from wiring.errors import DataError

    path = tmp_path / "d.npz"
    np.savez(path, features=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"no array 'X' \(named by x_key; in a config file "
                                        r"data\.x_key\); the file holds 'features', 'y'"):
        load_npz(path)
    assert load_npz(path, x_key="features", test_fraction=0.5).n_features == 2
