"""Reading uploaded or pasted loss curves for "Diagnose your own curves". Pure Python + numpy.

Accepted inputs (``parse_curves``):

(a) a CSV with a header: a step column (``step``, ``epoch``, ``iteration``, …; optional — row numbers otherwise), a
    train column (``train_loss``, ``training_loss``, or Keras' ``loss``) and a val column (``val_loss``,
    ``validation_loss``, ``valid_loss``, ``eval_loss``, ``test_loss``). Names are case-insensitive; spaces, ``-``,
    ``/`` and ``.`` count as ``_`` ("Train Loss" = ``train_loss``); other columns (Keras' ``accuracy``, ``lr``, …)
    are ignored with a notice. Separator: comma, tab or whitespace.
(b) TensorBoard scalar exports ("Wall time,Step,Value"), one file per curve: ``parse_tensorboard_pair`` merges
    the train and the val file on Step (``parse_curves`` on a single one says so).
(c) pasted numbers without a header: two lines (train, then val) or two columns (train, val; three columns are
    step, train, val), separated by commas, spaces or tabs.

Decisions (each raises ``CurveFileError``, a ``ValueError``, whose message names the problem and where it is):

* steps must strictly increase. Duplicate steps are an error, not silently dropped: which copy is right is
  ambiguous, and they usually mean two runs (or a resumed run) were logged into one file. Decreasing steps are an
  error too, for the same reason (sorting would interleave two runs).
* losses must be finite and ≥ 0: NaN / inf are rejected (cut the log where the run diverged), and so are negative
  values (not a loss, or a log-likelihood with the wrong sign).
* at least ``MIN_ROWS`` (2) rows; at most ``MAX_ROWS`` (200 000) rows and ``MAX_BYTES`` (8 MiB).
* UTF-8 text only (a UTF-8 BOM is skipped); ``;``-separated files (European spreadsheet export) and decimal
  commas are rejected with a hint rather than guessed at.

Fixes that only add a notice: no step column (row numbers 0, 1, … are used), ignored extra columns, Keras' ``loss``
read as the train loss, three header-less columns read as step / train / val, steps present in only one
TensorBoard file dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_BYTES = 8 * 1024 * 1024  # 8 MiB: room for MAX_ROWS rows of ~40 characters
MAX_ROWS = 200_000
MIN_ROWS = 2

STEP_NAMES = ("step", "steps", "global_step", "iteration", "iterations", "iter", "epoch", "epochs")
TRAIN_NAMES = ("train_loss", "training_loss", "loss", "train")
VAL_NAMES = ("val_loss", "validation_loss", "valid_loss", "eval_loss", "val", "test_loss")
TENSORBOARD_HEADER = ("wall_time", "step", "value")


class CurveFileError(ValueError):
    """An upload or paste that cannot be read as loss curves; the message says what is wrong and where."""


@dataclass(frozen=True)
class Curves:
    """Parsed curves: ``steps`` (float64, strictly increasing), ``train_loss`` and ``val_loss`` (float64, finite,
    ≥ 0, same length), ``notices`` (what was fixed or assumed, for the UI), ``source`` ("csv", "tensorboard" or
    "pasted")."""

    steps: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    notices: tuple = ()
    source: str = "csv"


def _err(msg: str, filename: str = "") -> CurveFileError:
    return CurveFileError(f"{filename}: {msg}" if filename else msg)


def _decode(data, filename: str) -> str:
    """bytes / str → text, enforcing the size limit and UTF-8."""
    if isinstance(data, str):
        size = len(data.encode("utf-8", errors="replace"))
        raw = None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        size = len(raw)
    else:
        raise _err(f"expected the file's bytes or pasted text, got {type(data).__name__}", filename)
    if size > MAX_BYTES:
        raise _err(f"too large: {size / 1024 / 1024:.1f} MiB, the limit is {MAX_BYTES // 1024 // 1024} MiB "
                   f"(and {MAX_ROWS:,} rows); keep every n-th row or the last part of the log", filename)
    if raw is None:
        text = data
    else:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise _err("UTF-16 text: save the file as UTF-8 CSV", filename)
        if raw[:4] == b"PK\x03\x04":
            raise _err("a zip archive or an Excel workbook (.xlsx), not a CSV: export the sheet as CSV", filename)
        if b"\x00" in raw:
            raise _err("binary file (contains NUL bytes), not CSV text: export the curves as CSV", filename)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise _err(f"not UTF-8 text (byte 0x{raw[e.start]:02x} at position {e.start}): a binary file "
                       f"(Excel, a TensorBoard event file)? Export the curves as CSV in UTF-8", filename) from None
    text = text.lstrip("\ufeff")
    if re.search(r"[\x00-\x08\x0e-\x1f\x7f]", text):
        raise _err("contains control characters: binary data, not CSV text", filename)
    return text


def _lines(text: str, filename: str) -> list[tuple[int, str]]:
    """Non-blank lines that are not ``#`` comments, with their 1-based line numbers."""
    out = [(i + 1, s.strip()) for i, s in enumerate(text.splitlines())]
    out = [(i, s) for i, s in out if s and not s.startswith("#")]
    if not out:
        raise _err("empty: no data found", filename)
    if len(out) > MAX_ROWS + 1:
        raise _err(f"too many rows: {len(out) - 1:,}, the limit is {MAX_ROWS:,}", filename)
    if any(";" in s for _, s in out):
        raise _err("uses ';' as separator (a spreadsheet export with decimal commas?): export with ',' as the "
                   "separator and '.' as the decimal point", filename)
    return out


def _number(tok: str) -> float | None:
    try:
        return float(tok.strip().strip('"').strip("'"))
    except ValueError:
        return None


def _norm(name: str) -> str:
    # "Train Loss" → "train_loss", "val/loss" → "val_loss"
    return re.sub(r"[\s\-/.]+", "_", name.strip().strip('"').strip("'").strip().lower())


def _split_header_line(line: str) -> tuple[list[str], str]:
    if "," in line:
        return [t.strip() for t in line.split(",")], ","
    if "\t" in line:
        return [t.strip() for t in line.split("\t")], "\t"
    return line.split(), " "


def _split(line: str, delim: str) -> list[str]:
    return line.split() if delim == " " else [t.strip() for t in line.split(delim)]


def _looks_like_header(line: str) -> bool:
    toks = [t for t in re.split(r"[,\t ]+", line) if t]
    words = [t for t in toks if _number(t) is None and re.search(r"[A-Za-z_]", t)]
    return len(words) * 2 >= len(toks)


def _read_table(lines, names: list[str], delim: str, filename: str) -> tuple[np.ndarray, list[int]]:
    """Data lines → float array (rows × columns); the message of any error names row, line and column."""
    body = lines[1:]
    if not body:
        raise _err(f"header only ({', '.join(names)}): no data rows", filename)
    vals = np.empty((len(body), len(names)))
    for r, (ln, line) in enumerate(body):
        toks = _split(line, delim)
        if len(toks) != len(names):
            raise _err(f"row {r + 1} (line {ln}) has {len(toks)} field(s), the header has {len(names)} "
                       f"({', '.join(names)})", filename)
        for c, tok in enumerate(toks):
            if tok.strip('"').strip("'") == "":
                raise _err(f"row {r + 1} (line {ln}), column '{names[c]}' is empty (missing value): log train and "
                           f"val at the same steps, or upload two TensorBoard exports", filename)
            v = _number(tok)
            if v is None:
                raise _err(f"row {r + 1} (line {ln}), column '{names[c]}': {tok!r} is not a number", filename)
            vals[r, c] = v
    return vals, [ln for ln, _ in body]


def _check(steps, train, val, line_nos, labels, filename: str, step_label: str = "step") -> None:
    """Shared checks: enough rows, finite and ≥ 0 losses, finite strictly increasing steps."""
    n = train.size
    if n < MIN_ROWS:
        raise _err(f"only {n} data row(s): need at least {MIN_ROWS} points per curve", filename)

    def where(i: int) -> str:
        return f"row {i + 1} (line {line_nos[i]})" if line_nos is not None else f"point {i + 1}"

    for arr, label in ((train, labels[0]), (val, labels[1])):
        bad = np.flatnonzero(np.isnan(arr))
        if bad.size:
            raise _err(f"{where(bad[0])}, {label} is NaN ({bad.size} NaN value(s) in all): losses must be "
                       f"numbers (a missing value? or the run diverged: cut the log before that)", filename)
        bad = np.flatnonzero(np.isinf(arr))
        if bad.size:
            raise _err(f"{where(bad[0])}, {label} is infinite ({arr[bad[0]]}): losses must be finite; cut the log "
                       f"before the run diverged", filename)
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise _err(f"{where(bad[0])}, {label} is negative ({arr[bad[0]]:g}): a loss is ≥ 0 "
                       f"(is this column a loss?)", filename)
    bad = np.flatnonzero(~np.isfinite(steps))
    if bad.size:
        raise _err(f"{where(bad[0])}, {step_label} is {steps[bad[0]]}: steps must be finite numbers", filename)
    d = np.diff(steps)
    dup = np.flatnonzero(d == 0)
    if dup.size:
        i = int(dup[0]) + 1
        raise _err(f"duplicate steps: {step_label} {steps[i]:g} appears again at {where(i)} ({dup.size} duplicate(s) "
                   f"in all) — two runs or a resumed run logged into one file? Keep one copy of each step",
                   filename)
    dec = np.flatnonzero(d < 0)
    if dec.size:
        i = int(dec[0]) + 1
        raise _err(f"steps must increase: {where(i)} has {step_label} {steps[i]:g} after {steps[i - 1]:g} "
                   f"— several runs in one file? Sort the rows or keep one run", filename)


def _parse_header_csv(lines, filename: str) -> Curves:
    raw_names, delim = _split_header_line(lines[0][1])
    names = [_norm(n) for n in raw_names]
    shown = [n.strip().strip('"') or "(unnamed)" for n in raw_names]
    if tuple(names) == TENSORBOARD_HEADER:
        raise _err("a TensorBoard scalar export (Wall time, Step, Value) holds a single curve: upload the train "
                   "export and the val export together", filename)
    seen = {}
    for n, s in zip(names, shown):
        if n and n in seen:
            raise _err(f"column '{s}' appears twice in the header", filename)
        seen[n] = s
    found = ", ".join(shown)

    def pick(candidates):
        return next((names.index(c) for c in candidates if c in names), None)

    i_step, i_train, i_val = pick(STEP_NAMES), pick(TRAIN_NAMES), pick(VAL_NAMES)
    missing = []
    if i_train is None:
        missing.append("train loss ('train_loss' or 'loss')")
    if i_val is None:
        missing.append("val loss ('val_loss')")
    if missing:
        hint = " — separated by something other than ',' or tab?" if len(names) == 1 else ""
        raise _err(f"missing column(s): {' and '.join(missing)}; found: {found}{hint}", filename)
    vals, line_nos = _read_table(lines, shown, delim, filename)
    if vals.shape[0] > MAX_ROWS:
        raise _err(f"too many rows: {vals.shape[0]:,}, the limit is {MAX_ROWS:,}", filename)
    notices = []
    if names[i_train] == "loss":
        notices.append("read Keras' 'loss' column as the train loss")
    if names[i_val] == "test_loss":
        notices.append("read 'test_loss' as the val loss")
    if i_step is None:
        steps = np.arange(vals.shape[0], dtype=np.float64)
        notices.append("no step or epoch column: using row numbers 0, 1, 2, … as steps")
    else:
        steps = vals[:, i_step].copy()
    ignored = [shown[i] for i in range(len(names)) if i not in (i_step, i_train, i_val)]
    if ignored:
        notices.append(f"ignored column(s): {', '.join(ignored)}")
    train, val = vals[:, i_train].copy(), vals[:, i_val].copy()
    _check(steps, train, val, line_nos, (f"column '{shown[i_train]}'", f"column '{shown[i_val]}'"),
           filename, step_label=f"'{shown[i_step]}'" if i_step is not None else "step")
    return Curves(steps=steps, train_loss=train, val_loss=val, notices=tuple(notices), source="csv")


def _parse_pasted(lines, filename: str) -> Curves:
    if all(re.fullmatch(r"-?\d+,\d+", t) for _, s in lines for t in s.split()) and \
            any(len(s.split()) > 1 for _, s in lines):
        raise _err("decimal commas (like 0,5): use '.' as the decimal point", filename)
    rows = []
    for ln, s in lines:
        toks = re.split(r"\s*,\s*|\s+", s)
        if toks and toks[-1] == "":
            toks = toks[:-1]  # a trailing comma
        if "" in toks:
            raise _err(f"line {ln}: an empty value (two separators in a row)", filename)
        nums = []
        for k, t in enumerate(toks):
            v = _number(t)
            if v is None:
                raise _err(f"line {ln}, number {k + 1}: {t!r} is not a number", filename)
            nums.append(v)
        rows.append((ln, nums))
    notices = []
    if len(rows) == 1:
        raise _err("only one line of numbers: paste two lines (train losses, then val losses) or two columns "
                   "(train, val)", filename)
    if len(rows) == 2:
        (l1, a), (l2, b) = rows
        if len(a) != len(b):
            raise _err(f"mismatched lengths: line {l1} (train) has {len(a)} numbers, line {l2} (val) has "
                       f"{len(b)}", filename)
        if len(a) > MAX_ROWS:
            raise _err(f"too many points: {len(a):,}, the limit is {MAX_ROWS:,}", filename)
        train, val = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
        steps = np.arange(train.size, dtype=np.float64)
        notices.append("two lines: read line 1 as the train loss and line 2 as the val loss, steps 0, 1, 2, …")
        _check(steps, train, val, None, ("the train loss (line 1)", "the val loss (line 2)"), filename)
        return Curves(steps=steps, train_loss=train, val_loss=val, notices=tuple(notices), source="pasted")
    ncol = len(rows[0][1])
    if ncol not in (2, 3):
        raise _err(f"line {rows[0][0]} has {ncol} numbers: paste two columns (train, val), three (step, train, val) "
                   f"or two lines (train, then val)", filename)
    for ln, nums in rows:
        if len(nums) != ncol:
            raise _err(f"mismatched lengths: line {ln} has {len(nums)} number(s), line {rows[0][0]} has {ncol}",
                       filename)
    vals = np.array([nums for _, nums in rows], dtype=np.float64)
    line_nos = [ln for ln, _ in rows]
    if ncol == 3:
        steps, train, val = vals[:, 0].copy(), vals[:, 1].copy(), vals[:, 2].copy()
        notices.append("three columns without a header: read as step, train loss, val loss")
    else:
        steps = np.arange(vals.shape[0], dtype=np.float64)
        train, val = vals[:, 0].copy(), vals[:, 1].copy()
        notices.append("two columns without a header: read as train loss, val loss, steps 0, 1, 2, …")
    _check(steps, train, val, line_nos, ("train loss (column 1)" if ncol == 2 else "train loss (column 2)",
                                         "val loss (column 2)" if ncol == 2 else "val loss (column 3)"), filename)
    return Curves(steps=steps, train_loss=train, val_loss=val, notices=tuple(notices), source="pasted")


def parse_curves(data: bytes | str, filename: str = "") -> Curves:
    """Read train / val loss curves from an uploaded CSV (bytes) or pasted text (str); see the module docstring
    for the formats and the rules. ``filename`` only prefixes error messages. Raises ``CurveFileError``."""
    text = _decode(data, filename)
    lines = _lines(text, filename)
    if _looks_like_header(lines[0][1]):
        return _parse_header_csv(lines, filename)
    return _parse_pasted(lines, filename)


def _parse_tensorboard(data, label: str, filename: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    name = filename or f"{label} file"
    text = _decode(data, name)
    lines = _lines(text, name)
    raw_names, delim = _split_header_line(lines[0][1])
    names = tuple(_norm(n) for n in raw_names)
    if names != TENSORBOARD_HEADER:
        raise _err(f"not a TensorBoard scalar export: expected the header 'Wall time,Step,Value', found "
                   f"'{lines[0][1][:80]}'", name)
    vals, line_nos = _read_table(lines, ["Wall time", "Step", "Value"], delim, name)
    if vals.shape[0] > MAX_ROWS:
        raise _err(f"too many rows: {vals.shape[0]:,}, the limit is {MAX_ROWS:,}", name)
    steps, value = vals[:, 1].copy(), vals[:, 2].copy()
    _check(steps, value, value, line_nos, ("Value", "Value"), name, step_label="Step")
    return steps, value, line_nos


def parse_tensorboard_pair(train_bytes: bytes | str, val_bytes: bytes | str, train_filename: str = "",
                           val_filename: str = "") -> Curves:
    """Merge two TensorBoard scalar CSV exports ("Wall time,Step,Value": train loss, val loss) on Step.

    Each file is checked like ``parse_curves`` (finite losses ≥ 0, strictly increasing steps). The result keeps the
    steps present in both files (an inner join; the others are dropped with a notice) and needs at least
    ``MIN_ROWS`` of them. Two identical files are rejected (the same export uploaded twice). Wall time is ignored.
    """
    ts, tv, _ = _parse_tensorboard(train_bytes, "train", train_filename)
    vs, vv, _ = _parse_tensorboard(val_bytes, "val", val_filename)
    common = np.intersect1d(ts, vs, assume_unique=True)
    if common.size < MIN_ROWS:
        raise CurveFileError(
            f"the train and val files share {common.size} step(s) (train steps {ts[0]:g}…{ts[-1]:g}, "
            f"{ts.size} points; val steps {vs[0]:g}…{vs[-1]:g}, {vs.size} points): need at least {MIN_ROWS} "
            f"steps logged in both — are these the right two files?")
    it = np.searchsorted(ts, common)
    iv = np.searchsorted(vs, common)
    train, val = tv[it], vv[iv]
    if ts.size == vs.size and np.array_equal(ts, vs) and np.array_equal(tv, vv):
        raise CurveFileError("the train and val files hold identical curves: the same export uploaded twice?")
    notices = []
    if common.size < ts.size or common.size < vs.size:
        notices.append(f"kept the {common.size} steps logged in both files (dropped {ts.size - common.size} "
                       f"train-only and {vs.size - common.size} val-only steps)")
    return Curves(steps=common.astype(np.float64), train_loss=train, val_loss=val, notices=tuple(notices),
                  source="tensorboard")
