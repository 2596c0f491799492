"""CSV logs: Keras' CSVLogger (`epoch,loss,val_loss`), Lightning's CSVLogger `metrics.csv` (train and
validation rows interleaved, with empty cells), and any table of numbers with a header line.

Parsed with pandas' C engine, the fastest reader at hand for a million rows (about 0.1 s; numpy's
loadtxt takes 2 s and cannot read empty cells). Every row is tokenised (so a row with too many fields
is an error: pandas' `usecols` would silently drop them), and the columns that can matter (losses,
step, epoch, learning rate, and the ones the user names) are converted to numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .columns import EPOCH_NAMES, STEP_NAMES, is_loss, words
from .errors import LogError
from .table import Table

DELIMITERS = (",", "\t", ";")
NAN_TOKENS = (b"nan", b"NaN", b"NAN")  # how writers spell a NaN loss (Python's csv writes "nan")
ABSENT_TOKENS = ("", "na", "n/a", "null", "none", "<na>")  # an empty cell: nothing logged in that row


def read_csv(path: Path, *, wanted: tuple[str | None, ...] = ()) -> Table:
    """Read a CSV (or TSV) log with a header line.

    `wanted` are column names the user asked for, read whatever they look like. An empty cell (or
    Keras' `NA`) means nothing was logged in that row; a literal `nan` or `inf` is a logged non-finite
    value and is kept as one. A header line repeated further down (files concatenated with `cat`)
    starts a new run. Raises LogError for an empty, binary or malformed file.
    """
    data = path.read_bytes()
    if not data or data.isspace():
        raise LogError(f"{path} is empty; nothing to diagnose")
    if b"\0" in data[:4096]:
        raise LogError(
            f"{path} is not a text file; give a CSV, JSON lines, trainer_state.json or TensorBoard log"
        )
    header_line, _, _ = data.partition(b"\n")
    header = _decode(header_line, path).strip("\r\ufeff")
    delimiter = _delimiter(header)
    names = [name.strip().strip('"') for name in _split(header, delimiter)]
    if not any(names) or all(_is_number(name) for name in names if name):
        raise LogError(f"{path} has no header line of column names (first line: {header[:60]!r})")
    wanted_names = {w for w in wanted if w}
    usecols = [n for n in names if n and (n in wanted_names or _may_matter(n))]
    chunks = _split_repeated_headers(data, header_line)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in usecols}
    present: dict[str, list[np.ndarray]] = {name: [] for name in usecols}
    breaks, rows = [], 0
    for chunk in chunks:
        if rows:
            breaks.append(rows)
        frame = _parse(chunk, path, names, usecols, delimiter)
        has_nan_text = any(token in chunk for token in NAN_TOKENS)
        for name in usecols:
            values = frame[name].to_numpy(dtype=float, na_value=np.nan)
            columns[name].append(values)
            present[name].append(_present(chunk, name, values, delimiter, has_nan_text))
        rows += len(frame)
    if rows == 0:
        raise LogError(f"{path} has a header line but no rows; nothing to diagnose")
    return Table(
        str(path),
        "csv",
        {n: np.concatenate(columns[n]) for n in usecols},
        breaks,
        present={n: np.concatenate(present[n]) for n in usecols},
        all_names=[n for n in names if n],
    )


def _may_matter(name: str) -> bool:
    lowered = name.lower()
    return (
        is_loss(name)
        or lowered in STEP_NAMES
        or lowered in EPOCH_NAMES
        or "lr" in words(name)
        or {"learning", "rate"} <= set(words(name))
    )


def _parse(chunk: bytes, path: Path, names: list[str], usecols: list[str], delimiter: str):
    import pandas as pd

    if not usecols:
        return pd.DataFrame({})
    options = dict(
        sep=r"\s+" if delimiter == " " else delimiter,
        engine="c",
        skipinitialspace=True,
        na_values=list(ABSENT_TOKENS),
    )
    try:
        try:
            frame = pd.read_csv(io.BytesIO(chunk), dtype={n: "float64" for n in usecols}, **options)
        except ValueError as error:
            if isinstance(error, pd.errors.ParserError):
                raise
            # a column with text in it (a name, a date): keep its numbers, the rest is NaN
            frame = pd.read_csv(io.BytesIO(chunk), dtype=str, **options)
            frame = frame[usecols].apply(pd.to_numeric, errors="coerce")
        return frame[usecols]
    except pd.errors.EmptyDataError:
        return pd.DataFrame({n: [] for n in usecols})
    except pd.errors.ParserError as error:
        detail = str(error).replace("Error tokenizing data. C error: ", "").strip().rstrip(".")
        raise LogError(f"{path} is not a well-formed CSV ({detail})") from None
    except UnicodeDecodeError:
        raise LogError(f"{path} is not a text file (it is not UTF-8)") from None


def _present(chunk: bytes, name: str, values: np.ndarray, delimiter: str, has_nan_text: bool) -> np.ndarray:
    """Which cells hold a logged value: the finite ones, infinities, and cells that literally say nan
    (read again as text only when the file has such a cell, which healthy logs never do)."""
    present = ~np.isnan(values)
    if present.all() or not has_nan_text:
        return present
    import pandas as pd

    text = pd.read_csv(
        io.BytesIO(chunk),
        sep=r"\s+" if delimiter == " " else delimiter,
        usecols=[name],
        dtype=str,
        keep_default_na=False,
        engine="c",
        skipinitialspace=True,
    )[name]
    literal = text.str.strip().str.lower().isin(["nan", "-nan", "+nan"]).to_numpy()
    return present | literal


def _split_repeated_headers(data: bytes, header_line: bytes) -> list[bytes]:
    """The file cut before every repetition of its header line (each piece keeps the header)."""
    marker = b"\n" + header_line.rstrip(b"\r")
    pieces, start = [], 0
    body_start = len(header_line) + 1
    position = data.find(marker, body_start - 1)
    while position != -1:
        end = position + len(marker)
        if end == len(data) or data[end : end + 1] in (b"\n", b"\r"):
            pieces.append(data[start : position + 1])
            start = position + 1
        position = data.find(marker, end)
    pieces.append(data[start:])
    return [piece for piece in pieces if piece and not piece.isspace()]


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best]:
        return best
    return " " if len(header.split()) > 1 else ","


def _split(header: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return header.split()
    import csv

    return next(csv.reader([header], delimiter=delimiter))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _decode(line: bytes, path: Path) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(f"{path} is not a text file (it is not UTF-8)") from None
