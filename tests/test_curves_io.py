"""core.curves_io: good files parse (CSV with header, Keras CSVLogger, TensorBoard pair, pasted numbers); every bad
upload raises CurveFileError whose message names the problem and where it is."""
import numpy as np
import pytest

from core.curves_io import MAX_BYTES, MAX_ROWS, CurveFileError, Curves, parse_curves, parse_tensorboard_pair
from core.diagnosis import diagnose

# --- good inputs ------------------------------------------------------------------------------------------------


def test_plain_csv():
    c = parse_curves(b"step,train_loss,val_loss\n0,2.3,2.4\n100,1.2,1.4\n200,0.8,1.1\n")
    assert isinstance(c, Curves)
    np.testing.assert_array_equal(c.steps, [0, 100, 200])
    np.testing.assert_array_equal(c.train_loss, [2.3, 1.2, 0.8])
    np.testing.assert_array_equal(c.val_loss, [2.4, 1.4, 1.1])
    assert c.notices == ()
    assert c.source == "csv"
    assert c.steps.dtype == np.float64


def test_keras_csvlogger():
    data = ("epoch,accuracy,loss,val_accuracy,val_loss\n"
            "0,0.80,0.52,0.85,0.41\n1,0.88,0.33,0.87,0.37\n2,0.91,0.25,0.88,0.36\n")
    c = parse_curves(data.encode(), "training.log")
    np.testing.assert_array_equal(c.steps, [0, 1, 2])
    np.testing.assert_array_equal(c.train_loss, [0.52, 0.33, 0.25])
    np.testing.assert_array_equal(c.val_loss, [0.41, 0.37, 0.36])
    assert any("Keras' 'loss'" in n for n in c.notices)
    assert any("ignored column(s): accuracy, val_accuracy" in n for n in c.notices)


def test_header_names_are_case_insensitive_and_forgiving():
    data = '\ufeff"Epoch"\t"Train Loss"\t"Val/Loss"\r\n1\t0.9\t1.0\r\n2\t0.7\t0.8\r\n\r\n'
    c = parse_curves(data.encode("utf-8"))
    np.testing.assert_array_equal(c.steps, [1, 2])
    np.testing.assert_array_equal(c.val_loss, [1.0, 0.8])


def test_no_step_column_uses_row_numbers():
    c = parse_curves("train_loss,val_loss\n0.9,1.0\n0.7,0.8\n0.6,0.75\n")
    np.testing.assert_array_equal(c.steps, [0, 1, 2])
    assert any("row numbers" in n for n in c.notices)


def test_comments_blank_lines_and_scientific_notation():
    c = parse_curves("# exported by my script\nstep,train_loss,val_loss\n\n1,1e-1,2E-1\n2,5e-2,1.5e-1\n")
    np.testing.assert_allclose(c.train_loss, [0.1, 0.05])


def test_zero_loss_is_allowed():
    c = parse_curves("step,train_loss,val_loss\n0,0.5,0.6\n1,0,0.4\n")
    assert c.train_loss[1] == 0.0


def test_pasted_two_lines():
    c = parse_curves("2.3, 1.5, 1.1, 0.9, 0.8\n2.4 1.7 1.4 1.3 1.3\n")
    np.testing.assert_array_equal(c.train_loss, [2.3, 1.5, 1.1, 0.9, 0.8])
    np.testing.assert_array_equal(c.val_loss, [2.4, 1.7, 1.4, 1.3, 1.3])
    np.testing.assert_array_equal(c.steps, np.arange(5))
    assert c.source == "pasted"
    assert any("two lines" in n for n in c.notices)


def test_pasted_two_columns_tab_separated():
    c = parse_curves("2.3\t2.4\n1.5\t1.7\n1.1\t1.4\n")
    np.testing.assert_array_equal(c.train_loss, [2.3, 1.5, 1.1])
    np.testing.assert_array_equal(c.val_loss, [2.4, 1.7, 1.4])
    assert any("two columns" in n for n in c.notices)


def test_pasted_three_columns_are_step_train_val():
    c = parse_curves("10, 2.3, 2.4\n20, 1.5, 1.7\n30, 1.1, 1.4\n")
    np.testing.assert_array_equal(c.steps, [10, 20, 30])
    np.testing.assert_array_equal(c.val_loss, [2.4, 1.7, 1.4])
    assert any("step, train loss, val loss" in n for n in c.notices)


def _tb(rows):
    return ("Wall time,Step,Value\n" + "".join(f"{1.7e9 + s:.1f},{s},{v}\n" for s, v in rows)).encode()


def test_tensorboard_pair_merges_on_step():
    train = _tb([(s, 2.0 / (1 + s / 100)) for s in range(0, 1000, 10)])  # every 10 steps
    val = _tb([(s, 2.2 / (1 + s / 120)) for s in range(0, 1000, 100)])  # every 100 steps
    c = parse_tensorboard_pair(train, val, "run-train.csv", "run-val.csv")
    np.testing.assert_array_equal(c.steps, np.arange(0, 1000, 100))
    np.testing.assert_allclose(c.train_loss, 2.0 / (1 + np.arange(0, 1000, 100) / 100))
    np.testing.assert_allclose(c.val_loss, 2.2 / (1 + np.arange(0, 1000, 100) / 120))
    assert c.source == "tensorboard"
    assert any("dropped 90 train-only and 0 val-only" in n for n in c.notices)


def test_tensorboard_pair_same_steps_has_no_notice():
    c = parse_tensorboard_pair(_tb([(0, 1.0), (1, 0.8), (2, 0.7)]), _tb([(0, 1.1), (1, 0.9), (2, 0.85)]))
    assert c.notices == ()
    np.testing.assert_array_equal(c.val_loss, [1.1, 0.9, 0.85])


def test_parsed_curves_feed_diagnose():
    steps = np.arange(0, 2000, 10)
    rows = "".join(f"{s},{2 * np.exp(-s / 300) + 0.05:.6f},{2 * np.exp(-s / 300) + 0.3 + 1e-4 * s:.6f}\n"
                   for s in steps)
    c = parse_curves(("step,train_loss,val_loss\n" + rows).encode())
    d = diagnose(c.train_loss, c.val_loss, train_steps=c.steps, val_steps=c.steps)
    assert d.case == "overfitting"


# --- bad inputs -------------------------------------------------------------------------------------------------

HEADER = "step,train_loss,val_loss\n"

BAD = [
    # (input, what the message must say)
    (b"", r"empty"),
    (b"  \n\n \r\n", r"empty"),
    (HEADER.encode(), r"header only"),
    ((HEADER + "0,0.5,0.6\n1,abc,0.5\n").encode(), r"row 2 \(line 3\), column 'train_loss': 'abc' is not a number"),
    ((HEADER + "0,0.5,0.6\n1,nan,0.5\n").encode(), r"row 2 \(line 3\), column 'train_loss' is NaN"),
    ((HEADER + "0,0.5,0.6\n1,0.4,inf\n").encode(), r"row 2 \(line 3\), column 'val_loss' is infinite"),
    ((HEADER + "0,0.5,0.6\n1,-0.4,0.5\n").encode(), r"column 'train_loss' is negative \(-0.4\)"),
    ((HEADER + "0,0.5,0.6\n").encode(), r"only 1 data row"),
    ((HEADER + "0,0.5,0.6\n1,0.4\n").encode(), r"row 2 \(line 3\) has 2 field\(s\), the header has 3"),
    ((HEADER + "0,0.5,0.6\n1,0.4,\n").encode(), r"column 'val_loss' is empty"),
    ((HEADER + "0,0.5,0.6\n10,0.4,0.5\n10,0.3,0.4\n").encode(), r"duplicate steps: 'step' 10 appears again at row 3"),
    ((HEADER + "0,0.5,0.6\n20,0.4,0.5\n10,0.3,0.4\n").encode(),
     r"steps must increase: row 3 \(line 4\) has 'step' 10 after 20"),
    (("a" * (MAX_BYTES + 1)).encode(), r"too large: 8\.0 MiB, the limit is 8 MiB"),
    (("0.5 0.6\n" * (MAX_ROWS + 2)).encode(), r"too many rows"),
    (b"step,train_loss\x00\x01\x02", r"binary file"),
    (b"step,train_loss,val_loss\n0,0.5,0.6\n\x80\x81\xfe", r"not UTF-8 text \(byte 0x80 at position"),
    (b"PK\x03\x04\x14\x00\x06\x00", r"Excel workbook"),
    ("step,train_loss\n0,0.5\n".encode("utf-16"), r"UTF-16"),
    (b"step;train_loss;val_loss\n0;0,5;0,6\n1;0,4;0,5\n", r"uses ';' as separator"),
    (b"0,5 0,4 0,3\n0,6 0,5 0,4\n", r"decimal commas"),
    (b"epoch,accuracy,loss\n0,0.8,0.5\n1,0.9,0.4\n",
     r"missing column\(s\): val loss \('val_loss'\); found: epoch, accuracy, loss"),
    (b"epoch,acc,val_acc\n0,0.8,0.7\n",
     r"missing column\(s\): train loss .* and val loss .*; found: epoch, acc, val_acc"),
    (b"step|train_loss|val_loss\n0|0.5|0.6\n", r"missing column.*found: step\|train_loss\|val_loss.*separated by"),
    (b"step,loss,loss,val_loss\n0,1,1,1\n", r"column 'loss' appears twice"),
    (b"Wall time,Step,Value\n1.7e9,0,0.5\n1.7e9,1,0.4\n", r"TensorBoard scalar export .* single curve"),
    (b"0.5 0.4 0.3 0.2\n0.6 0.5 0.4\n", r"mismatched lengths: line 1 \(train\) has 4 numbers, line 2 \(val\) has 3"),
    (b"0.5 0.6\n0.4 0.5\n0.3\n", r"mismatched lengths: line 3 has 1 number\(s\), line 1 has 2"),
    (b"0.5 0.4 0.3 0.2 0.1\n", r"only one line of numbers"),
    (b"1 2 3 4 5\n1 2 3 4 5\n1 2 3 4 5\n", r"line 1 has 5 numbers"),
    (b"0.5, 0.6\n0.4, x\n0.3, 0.4\n", r"line 2, number 2: 'x' is not a number"),
    (b"0.5,,0.4\n0.6,0.5,0.4\n", r"line 1: an empty value"),
    (b"0.5 nan 0.3\n0.6 0.5 0.4\n", r"point 2, the train loss \(line 1\) is NaN"),
    (b"0.5 0.4\n0.6 -1\n", r"point 2, the val loss \(line 2\) is negative"),
]


@pytest.mark.parametrize("data,message", BAD, ids=[f"bad{i:02d}" for i in range(len(BAD))])
def test_bad_upload_raises_with_a_clear_message(data, message):
    with pytest.raises(CurveFileError, match=message):
        parse_curves(data)


def test_there_are_at_least_fifteen_bad_uploads():
    assert len(BAD) >= 15


def test_curve_file_error_is_a_value_error_and_names_the_file():
    with pytest.raises(ValueError, match=r"^losses\.csv: header only"):
        parse_curves(HEADER.encode(), "losses.csv")


def test_wrong_type_raises_curve_file_error():
    with pytest.raises(CurveFileError, match="expected the file's bytes or pasted text"):
        parse_curves(12345)


def test_pasted_text_over_the_size_limit():
    with pytest.raises(CurveFileError, match="too large"):
        parse_curves("0.5 " * (MAX_BYTES // 4 + 10))


BAD_TB = [
    ((b"step,train_loss,val_loss\n0,1,1\n", _tb([(0, 1.0), (1, 0.9)])),
     r"train file: not a TensorBoard scalar export: expected the header 'Wall time,Step,Value'"),
    ((_tb([(0, 1.0), (1, 0.9)]), _tb([(0, 1.0), (1, float("nan"))])), r"val file: row 2 \(line 3\), Value is NaN"),
    ((_tb([(0, 1.0), (1, 0.9)]), _tb([(1, 1.0), (1, 0.9)])), r"val file: duplicate steps: Step 1"),
    ((_tb([(0, 1.0), (10, 0.9), (20, 0.8)]), _tb([(5, 1.0), (15, 0.9)])), r"share 0 step\(s\)"),
    ((_tb([(0, 1.0), (1, 0.9)]), _tb([(0, 1.0), (1, 0.9)])), r"identical curves"),
    ((_tb([(0, 1.0), (1, 0.9)]), b""), r"val file: empty"),
    ((_tb([(0, 1.0), (1, 0.9)]), b"Wall time,Step,Value\n1.7e9,0\n"), r"val file: row 1 \(line 2\) has 2 field"),
]


@pytest.mark.parametrize("pair,message", BAD_TB, ids=[f"tb{i}" for i in range(len(BAD_TB))])
def test_bad_tensorboard_pair(pair, message):
    with pytest.raises(CurveFileError, match=message):
        parse_tensorboard_pair(*pair)


def test_tensorboard_error_names_the_uploaded_file():
    with pytest.raises(CurveFileError, match=r"^loss_val\.csv: empty"):
        parse_tensorboard_pair(_tb([(0, 1.0), (1, 0.9)]), b"", "loss_train.csv", "loss_val.csv")
