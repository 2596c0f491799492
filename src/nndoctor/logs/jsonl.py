"""JSON logs: JSON lines (one record per line), a JSON list of records, or a dict of lists (a Keras
`history.history` saved with json.dump)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .errors import LogError
from .table import Table, table_from_records

NNDOCTOR_RECORD_KINDS = {"header", "structure", "scalars", "columns", "vector", "event"}


def read_json_lines(path: Path) -> Table:
    """Read a JSON-lines log: each line an object of numbers (nested objects are flattened to `a/b`).

    Blank lines are skipped; a cut-off last line (a run killed while writing) is ignored; any other
    line that is not a JSON object raises LogError naming it.
    """
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    records: list[dict[str, Any]] = []
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not numbered:
        raise LogError(f"{path} is empty; nothing to diagnose")
    for position, (number, line) in enumerate(numbered):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            if position == len(numbered) - 1 and records:
                break  # the last line was being written when the run stopped
            raise LogError(f"{path}, line {number}: not JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise LogError(f"{path}, line {number}: a JSON {type(record).__name__}, not an object of metrics")
        records.append(flatten(record))
    return table_from_records(str(path), "jsonl", records)


def read_json(path: Path, document: Any) -> Table:
    """A parsed JSON document: a list of records, or an object of equally long lists of numbers."""
    if isinstance(document, list) and document and all(isinstance(r, dict) for r in document):
        return table_from_records(str(path), "json", [flatten(r) for r in document])
    if isinstance(document, dict) and document and all(isinstance(v, list) for v in document.values()):
        length = max(len(v) for v in document.values())
        columns = {key: _column(values, length) for key, values in document.items()}
        return Table(str(path), "json", columns)
    raise LogError(
        f"{path}: a JSON log must be a list of records, an object of lists (Keras history) or a "
        "Hugging Face trainer_state.json"
    )


def is_nndoctor_events(first_line: str) -> bool:
    """Whether a JSON-lines file is an events file written by `nndoctor run --events`."""
    try:
        record = json.loads(first_line)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and record.get("kind") in NNDOCTOR_RECORD_KINDS


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"train": {"loss": 1}} -> {"train/loss": 1}."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "/"))
        else:
            out[name] = value
    return out


def _column(values: list[Any], length: int) -> np.ndarray:
    out = np.full(length, np.nan)
    for index, value in enumerate(values):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[index] = float(value)
    return out
