"""core.data: the toy data sets, the split, standardisation, hand-made features and a student's CSV."""
import io
import subprocess
import sys

import numpy as np
import pytest

from core import data as D
from core.errors import InputError


@pytest.mark.parametrize("name", list(D.DATASETS))
def test_datasets_shapes_labels_and_determinism(name):
    X, y = D.make_dataset(name, 101, 0.1, seed=3, n_classes=4)
    k = 4 if name == "blobs" else 2
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert sorted(np.bincount(y)) == sorted(D.class_sizes(101, k))  # balanced classes 0 … k−1
    assert np.abs(X).max() < 3 * D.DATA_SCALE
    X2, y2 = D.make_dataset(name, 101, 0.1, seed=3, n_classes=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = D.make_dataset(name, 101, 0.1, seed=4, n_classes=4)
    assert not np.array_equal(X, X3)


def test_noise_is_scaled_gaussian_jitter():
    """X = s · (X₀ + σ ε): the same seed with more noise moves every point by s·σ·ε with the same ε."""
    X0, y0 = D.make_dataset("gauss", 500, 0.0, seed=1)
    X1, y1 = D.make_dataset("gauss", 500, 0.2, seed=1)
    assert np.array_equal(y0, y1)
    jitter = (X1 - X0) / (D.DATA_SCALE * 0.2)
    assert abs(jitter.std() - 1) < 0.1 and abs(jitter.mean()) < 0.1


def test_spiral_and_circle_geometry():
    X, y = D.make_dataset("circle", 400, 0.0, seed=0)
    r = np.linalg.norm(X, axis=1) / D.DATA_SCALE
    assert r[y == 0].max() <= 0.5 + 1e-6 and r[y == 1].min() >= 0.7 - 1e-6
    X, y = D.make_dataset("xor", 400, 0.0, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


@pytest.mark.parametrize("kwargs", [
    dict(name="spiral", n_samples=D.MAX_SAMPLES + 1), dict(name="spiral", n_samples=D.MIN_SAMPLES - 1),
    dict(name="spiral", n_samples=10.5), dict(name="spiral", noise=-0.1), dict(name="spiral", noise=float("nan")),
    dict(name="spiral", noise=D.MAX_NOISE + 0.1), dict(name="blobs", n_classes=6), dict(name="blobs", n_classes=2),
    dict(name="nope"), dict(name="spiral", seed=-1), dict(name="spiral", noise="0.1"),
])
def test_make_dataset_limits(kwargs):
    with pytest.raises(ValueError):
        D.make_dataset(**kwargs)


def test_train_val_split():
    X, y = D.make_dataset("moons", 200, 0.1, seed=0)
    Xt, yt, Xv, yv = D.train_val_split(X, y, 0.25, seed=5)
    assert len(Xv) == 50 and len(Xt) == 150
    rows = {tuple(r) for r in np.concatenate([Xt, Xv])}
    assert rows == {tuple(r) for r in X}  # disjoint and complete
    again = D.train_val_split(X, y, 0.25, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip((Xt, yt, Xv, yv), again))
    with pytest.raises(ValueError):
        D.train_val_split(X, y, 0.9)


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    Xt = rng.normal(3, 2, (100, 3)).astype(np.float32)
    Xt[:, 2] = 7.0  # a constant column keeps σ = 1
    Xv = rng.normal(-5, 9, (40, 3)).astype(np.float32)
    Zt, Zv, mean, std = D.standardize(Xt, Xv)
    assert np.allclose(Zt[:, :2].mean(0), 0, atol=1e-5) and np.allclose(Zt[:, :2].std(0), 1, atol=1e-5)
    assert std[2] == 1 and np.allclose(Zt[:, 2], 0)
    assert np.allclose(Zv, (Xv - Xt.mean(0)) / np.where(Xt.std(0) < 1e-8, 1, Xt.std(0)), atol=1e-5)


def test_add_features_formulas_and_order():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]], dtype=np.float32)
    F = D.add_features(X, ("sinx2", "x1sq", "x1x2", "x2sq", "sinx1"))
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.stack([x1, x2, np.sin(x2), x1 ** 2, x1 * x2, x2 ** 2, np.sin(x1)], axis=1)
    assert F.dtype == np.float32 and np.allclose(F, expected)
    assert D.add_features(X).shape == (2, 2)
    with pytest.raises(ValueError):
        D.add_features(X, ("x3",))
    assert set(D.FEATURES) == {"x1sq", "x2sq", "x1x2", "sinx1", "sinx2"}


def test_make_grid():
    X, _ = D.make_dataset("spiral", 100, 0.0, 0)
    g1, g2, points = D.make_grid(X, resolution=7)
    assert g1.shape == (7,) and points.shape == (49, 2) and points.dtype == np.float32
    assert g1[0] < X[:, 0].min() and g2[-1] > X[:, 1].max()


def test_data_module_does_not_import_torch():
    code = "import sys; import core.data; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=D.__file__.rsplit("/core/", 1)[0])


# --- CSV -----------------------------------------------------------------------------------------------------------
GOOD_ROWS = "".join(f"{i * 0.1:.2f},{-i * 0.2:.2f},{i % 2}\n" for i in range(12))


@pytest.mark.parametrize("content", [
    GOOD_ROWS, "x1,x2,label\n" + GOOD_ROWS, "\ufeffx1, x2, label\r\n" + GOOD_ROWS.replace("\n", "\r\n"),
    "a,b,c\n\n" + GOOD_ROWS + "\n\n",
])
def test_load_csv_good(content, tmp_path):
    for source in (content.encode(), io.BytesIO(content.encode()), content):
        X, y = D.load_csv(source)
        assert X.shape == (12, 2) and X.dtype == np.float32 and y.dtype == np.int64
        assert np.allclose(X[:, 0], np.arange(12) * 0.1, atol=1e-6) and np.array_equal(y, np.arange(12) % 2)
    path = tmp_path / "mine.csv"
    path.write_text(content, encoding="utf-8")
    assert D.load_csv(str(path))[0].shape == (12, 2)
    assert D.load_csv(path)[0].shape == (12, 2)


def test_load_csv_renumbers_labels():
    text = "".join(f"{i},{i},{[-1, 1, 7][i % 3]}\n" for i in range(12))
    _, y = D.load_csv(text.encode())
    assert np.array_equal(y, np.arange(12) % 3)


def rows(n, label=lambda i: i % 2):
    return "".join(f"{i},{i / 2},{label(i)}\n" for i in range(n))


BAD_CSV = {
    "empty": (b"", "csv_empty"),
    "blank lines only": (b"\n \n\n", "csv_empty"),
    "header only": (b"x1,x2,label\n", "csv_no_rows"),
    "text in numbers": ((rows(5) + "1.0,abc,0\n" + rows(6)).encode(), "csv_not_a_number"),
    "NaN": ((rows(5) + "nan,1,0\n" + rows(6)).encode(), "csv_not_finite"),
    "inf": ((rows(5) + "1,-inf,1\n" + rows(6)).encode(), "csv_not_finite"),
    "overflow": ((rows(5) + "1e999,1,1\n" + rows(6)).encode(), "csv_not_finite"),
    "two columns": ("".join(f"{i},{i % 2}\n" for i in range(12)).encode(), "csv_columns"),
    "four columns": ("".join(f"{i},{i},{i},{i % 2}\n" for i in range(12)).encode(), "csv_columns"),
    "ragged row": ((rows(5) + "1,2\n" + rows(6)).encode(), "csv_columns"),
    "one class": (rows(20, lambda i: 1).encode(), "csv_one_class"),
    "too many rows": (rows(D.CSV_MAX_ROWS + 1).encode(), "csv_too_many_rows"),
    "too few rows": (rows(3).encode(), "csv_too_few_rows"),
    "too many classes": (rows(40, lambda i: i % 11).encode(), "csv_too_many_classes"),
    "binary bytes": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "csv_not_text"),
    "not utf-8": (b"x1,x2,label\n" + "1,2,\xe9t\xe9\n".encode("latin-1") * 12, "csv_not_text"),
    "semicolons": (rows(12).replace(",", ";").encode(), "csv_delimiter"),
    "tabs": (("x1\tx2\tlabel\n" + rows(12).replace(",", "\t")).encode(), "csv_delimiter"),
    "semicolon rows under a comma header": (("x1,x2,label\n" + rows(12).replace(",", ";")).encode(), "csv_delimiter"),
    "over 1 MB": (b"0,0,0\n" * 200_000, "csv_too_big"),
    "non-integer labels": (rows(12, lambda i: 0.5 * (i % 3)).encode(), "csv_label_not_integer"),
    "huge coordinates": ((rows(11) + "1e7,0,1\n").encode(), "csv_too_large_value"),
    "not a file": (12345, "csv_not_text"),
}


@pytest.mark.parametrize("content, code", list(BAD_CSV.values()), ids=list(BAD_CSV))
def test_load_csv_refuses_bad_files_with_a_clear_message(content, code):
    with pytest.raises(ValueError) as info:
        D.load_csv(content)
    assert isinstance(info.value, InputError) and info.value.code == code
    message = str(info.value)
    assert 10 < len(message) < 200 and "Traceback" not in message


def test_bad_csv_messages_name_the_row():
    with pytest.raises(ValueError, match=r"row 6, column 2: 'abc' is not a number"):
        D.load_csv(BAD_CSV["text in numbers"][0])
    with pytest.raises(ValueError, match="row 6 has 2 columns"):
        D.load_csv(BAD_CSV["ragged row"][0])
