"""Reading a dataset file into arrays: CSV (or TSV), Parquet, `.npz` and `.npy`.

CSV goes through pandas' C parser (on a million rows by 50 columns it takes about 3 s of CPU where
the pyarrow engine takes 5 s over its threads: on a busy machine C is the faster), Parquet through
pandas and pyarrow (the `parquet` extra). Every problem with the user's file ends
in one `DataFileError` whose message says which file, what is wrong and, for a missing column, which
columns exist.
"""

from __future__ import annotations

import difflib
import gzip
import importlib.util
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", "\t", ";")
TARGET_NAMES = ("target", "label", "labels", "class", "y", "outcome")  # guessed when --target is not given
INPUT_ARRAY_NAMES = ("X", "x", "inputs", "data", "features", "images")
TARGET_ARRAY_NAMES = ("y", "Y", "targets", "target", "labels", "label")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".ods")
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096
SHOWN_COLUMNS = 12  # a missing-column error lists this many of the columns that exist


class DataFileError(Exception):
    """A problem with the user's data file; the message is one line that says what to do."""


@dataclass
class LoadedData:
    """A dataset file as arrays: inputs (N, ...), optional targets (N, ...), and what is known of them."""

    inputs: np.ndarray
    targets: np.ndarray | None
    source: str  # "csv", "parquet", "npz" or "npy"
    feature_names: list[str] | None = None
    target_name: str | None = None
    label_names: list[str] | None = None  # the text of each class code, for text labels
    notes: list[str] = field(default_factory=list)


def load_data_file(path: str | Path, *, target: str | None = None) -> LoadedData:
    """Read a dataset file; `target` names the target column (CSV, Parquet) or array (`.npz`).

    Without `target`, a column named like a target (target, label, class, y, ...) is taken, or the `y`
    array of an `.npz` (else its second array); failing that the file is read as inputs only.
    """
    file = Path(path)
    if not file.exists():
        raise DataFileError(f"{path}: no such file")
    if file.is_dir():
        raise DataFileError(f"{path} is a directory; give a CSV, Parquet or .npz file")
    try:
        with file.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise DataFileError(f"{path}: cannot read it ({error.strerror or error})") from None
    if head.startswith(GZIP_MAGIC):  # a compressed CSV: sniff its text, pandas reads it whole
        head = _gunzip_head(file)
    if not head.strip():
        raise DataFileError(f"{path} is empty; nothing to check")
    kind = _kind(file, head)
    if kind == "npz":
        return _read_npz(file, target)
    if kind == "npy":
        return _read_npy(file, target)
    frame = _read_parquet(file) if kind == "parquet" else _read_csv(file, head)
    return frame_to_data(frame, target, source=kind, path=str(path))


def _gunzip_head(file: Path) -> bytes:
    try:
        with gzip.open(file, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    except (OSError, EOFError) as error:
        raise DataFileError(f"{file} is not a readable gzip file ({_first_line(error)})") from None


def _kind(file: Path, head: bytes) -> str:
    name = file.name.lower()
    if name.endswith(SPREADSHEET_SUFFIXES):
        raise DataFileError(f"{file} is a spreadsheet; save it as CSV (one row per sample) and check that")
    if name.endswith(PARQUET_SUFFIXES) or head.startswith(b"PAR1"):
        return "parquet"
    if name.endswith(".npz") or (head.startswith(b"PK") and not name.endswith(CSV_SUFFIXES)):
        return "npz"
    if name.endswith(".npy") or head.startswith(b"\x93NUMPY"):
        return "npy"
    if b"\0" in head:
        raise DataFileError(f"{file} is not a text file; give a CSV, Parquet or .npz file")
    return "csv"


# --- tables -------------------------------------------------------------------------------------------
def _read_csv(file: Path, head: bytes) -> Any:
    import pandas as pd

    header = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip("\r\ufeff")
    delimiter = max(DELIMITERS, key=header.count)
    names = [n.strip().strip('"') for n in header.split(delimiter)]
    headerless = all(_is_number(n) for n in names)
    options: dict[str, Any] = {"sep": delimiter, "header": None if headerless else "infer"}
    if headerless:
        options["names"] = [f"column {i}" for i in range(len(names))]
    try:
        frame = pd.read_csv(file, engine="c", low_memory=False, **options)
    except Exception as error:  # pandas' and pyarrow's parse errors share no base class
        raise DataFileError(f"{file} is not a well-formed CSV file ({_first_line(error)})") from None
    if len(frame) == 0:
        raise DataFileError(f"{file} has a header line but no rows; nothing to check")
    return frame


def _read_parquet(file: Path) -> Any:
    import pandas as pd

    if importlib.util.find_spec("pyarrow") is None and importlib.util.find_spec("fastparquet") is None:
        raise DataFileError(f"reading {file} needs pyarrow: pip install 'nndoctor[parquet]'")
    try:
        frame = pd.read_parquet(file)
    except Exception as error:
        raise DataFileError(f"{file} is not a readable Parquet file ({_first_line(error)})") from None
    if len(frame) == 0:
        raise DataFileError(f"{file} holds no rows; nothing to check")
    return frame


def frame_to_data(frame: Any, target: str | None, *, source: str, path: str = "the table") -> LoadedData:
    """A pandas DataFrame as inputs (its numeric columns) and targets (the `target` column)."""
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    notes: list[str] = []
    target_name = _target_column(columns, target, path)
    if target_name is None:
        notes.append("no target column found: only the inputs were checked (name it with --target COLUMN)")
    elif target is None:
        notes.append(f"target column: {target_name} (guessed; choose another with --target COLUMN)")
    targets, label_names = None, None
    if target_name is not None:
        targets, label_names = _target_values(frame[target_name])
    feature_columns = [c for c in columns if c != target_name]
    numeric = [c for c in feature_columns if _is_numeric(frame[c], pd)]
    left_out = [c for c in feature_columns if c not in numeric]
    if left_out:
        shown = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        notes.append(
            f"left out {len(left_out)} non-numeric column(s): {shown} (encode them as numbers to train on them)"
        )
    if not numeric:
        raise DataFileError(f"{path} has no numeric feature columns (columns: {_shown(columns)})")
    inputs = frame[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    return LoadedData(inputs, targets, source, numeric, target_name, label_names, notes)


def _target_column(columns: list[str], target: str | None, path: str) -> str | None:
    if target is None:
        lowered = {c.lower(): c for c in columns}
        return next((lowered[n] for n in TARGET_NAMES if n in lowered), None)
    if target in columns:
        return target
    try:  # a column number, e.g. --target -1 for the last column of a file without a header
        return columns[int(target)]
    except (ValueError, IndexError):
        pass
    close = difflib.get_close_matches(target, columns, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise DataFileError(f"{path} has no column {target!r}; {hint}its columns are: {_shown(columns)}")


def _target_values(series: Any) -> tuple[np.ndarray, list[str] | None]:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy()
        if values.dtype.kind not in "iufb":  # nullable integers with gaps
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, None
    codes, names = pd.factorize(series, sort=True)
    values = codes.astype(np.float64)
    values[codes < 0] = np.nan  # a missing label
    return values, [str(n) for n in names]


def _is_numeric(series: Any, pd: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _shown(columns: list[str]) -> str:
    more = len(columns) - SHOWN_COLUMNS
    return ", ".join(columns[:SHOWN_COLUMNS]) + (f" and {more} more" if more > 0 else "")


# --- numpy files ----------------------------------------------------------------------------------------
def _read_npz(file: Path, target: str | None) -> LoadedData:
    try:
        with np.load(file, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataFileError(f"{file} is not a readable .npz file ({_first_line(error)})") from None
    if not arrays:
        raise DataFileError(f"{file} holds no arrays; nothing to check")
    names = list(arrays)
    if target is not None and target not in arrays:
        raise DataFileError(f"{file} has no array {target!r}; its arrays are: {', '.join(names)}")
    target_name = target or next((n for n in TARGET_ARRAY_NAMES if n in arrays), None)
    if target_name is None and len(names) >= 2:
        target_name = names[1]
    input_name = next((n for n in INPUT_ARRAY_NAMES if n in arrays and n != target_name), None)
    input_name = input_name or next((n for n in names if n != target_name), None)
    if input_name is None:
        raise DataFileError(f"{file} holds only the target array {target_name!r}; the inputs are missing")
    inputs, targets = arrays[input_name], arrays.get(target_name) if target_name else None
    notes = [f"inputs: array {input_name!r}" + (f", targets: array {target_name!r}" if target_name else "")]
    _check_array(inputs, file, input_name)
    if targets is not None:
        _check_array(targets, file, target_name, rows=len(inputs), inputs=input_name)
    label_names = None
    if targets is not None and targets.dtype.kind in "USO":
        names_found, codes = np.unique(targets.astype(str), return_inverse=True)
        targets, label_names = codes.reshape(targets.shape), [str(n) for n in names_found]
    return LoadedData(inputs, targets, "npz", None, target_name, label_names, notes)


def _read_npy(file: Path, target: str | None) -> LoadedData:
    if target is not None:
        raise DataFileError(
            f"{file} holds one array (the inputs); put inputs and targets in an .npz to use --target"
        )
    try:
        inputs = np.load(file, allow_pickle=False, mmap_mode="r")
    except (OSError, ValueError) as error:
        raise DataFileError(f"{file} is not a readable .npy file ({_first_line(error)})") from None
    _check_array(inputs, file, "inputs")
    return LoadedData(
        np.asarray(inputs), None, "npy", notes=["no targets in an .npy file: only the inputs were checked"]
    )


def _check_array(
    array: np.ndarray, file: Path, name: str, *, rows: int | None = None, inputs: str = ""
) -> None:
    if array.ndim == 0 or len(array) == 0:
        raise DataFileError(f"{file}: array {name!r} holds no samples; nothing to check")
    if array.dtype.kind not in "iufbUSO" or (array.dtype.kind in "USO" and rows is None):
        raise DataFileError(f"{file}: array {name!r} has dtype {array.dtype}; inputs must be numbers")
    if rows is not None and len(array) != rows:
        raise DataFileError(
            f"{file}: array {inputs!r} has {rows} samples but array {name!r} has {len(array)}"
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]
