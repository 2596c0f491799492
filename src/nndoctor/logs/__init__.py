"""Readers of saved training curves: CSV (Keras, Lightning), JSON lines, Hugging Face trainer_state.json,
TensorBoard event files, and nndoctor's own events files.

`read_log(path)` returns one LogRun per run in the log, each with a Store filled as a live run fills
it, so every check (the curve states, and the loss checks) reads a log as it reads a live run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .build import LogRun, build_runs, store_run
from .errors import LogError

__all__ = ["LogError", "LogRun", "read_log", "read_tables"]

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".log")
SUPPORTED = "CSV, JSON lines, trainer_state.json, TensorBoard event files"


def read_log(path: str | Path, *, train: str | None = None, val: str | None = None) -> list[LogRun]:
    """Every run in the log at `path` (a file, or a folder of TensorBoard events, a Lightning log folder
    with metrics.csv, or a Hugging Face output folder with trainer_state.json).

    `train` and `val` name the loss columns (tags, keys); otherwise they are guessed. Raises LogError,
    with a one-line message, for a missing, empty or malformed file, or columns that cannot be found.
    """
    target = Path(path)
    if not target.exists():
        raise LogError(f"{path}: no such file or folder")
    found = read_tables(target, wanted=(train, val))
    if not isinstance(found, list):  # an nndoctor events file: already a store
        return [store_run(str(target), "nndoctor-events", found)]
    runs: list[LogRun] = []
    for table in found:
        runs.extend(build_runs(table, train=train, val=val))
    if len(found) > 1:  # several runs in one folder: number them across the folder
        for index, run in enumerate(runs, start=1):
            run.run_index, run.run_count = index, len(runs)
            run.source = str(target)
    return runs


def read_tables(path: Path, *, wanted: tuple[str | None, ...] = ()):
    """The tables of a log (a list), or a Store for an nndoctor events file."""
    if path.is_dir():
        return _read_folder(path, wanted)
    if not path.is_file():
        raise LogError(f"{path} is not a regular file")
    from .tensorboard import is_event_file, read_tensorboard

    if is_event_file(path):
        return read_tensorboard(path)
    try:
        if path.stat().st_size == 0:
            raise LogError(f"{path} is empty; nothing to diagnose")
    except OSError as error:
        raise LogError(f"{path}: cannot read it ({error.strerror or error})") from None
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            from .csv import read_csv

            return [read_csv(path, wanted=wanted)]
        first = _first_text(path)
        if suffix in JSON_LINES_SUFFIXES or (
            suffix != ".json" and first.startswith("{") and _is_json_lines(path)
        ):
            return _json_lines(path, first)
        if suffix == ".json" or first.startswith(("{", "[")):
            return _json_document(path)
        from .csv import read_csv

        return [read_csv(path, wanted=wanted)]
    except PermissionError:
        raise LogError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise LogError(f"{path} is not a text file; the logs nndoctor reads: {SUPPORTED}") from None


def _read_folder(path: Path, wanted: tuple[str | None, ...]):
    from .tensorboard import event_folders, read_tensorboard

    if event_folders(path):
        return read_tensorboard(path)
    for name in ("metrics.csv", "trainer_state.json"):
        if (path / name).is_file():
            return read_tables(path / name, wanted=wanted)
    checkpoints = sorted(
        (p for p in path.glob("checkpoint-*/trainer_state.json")),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    )
    if checkpoints:
        return read_tables(checkpoints[-1], wanted=wanted)
    raise LogError(
        f"{path} is a folder without a log nndoctor reads (TensorBoard event files, metrics.csv, "
        "trainer_state.json); give the log file itself"
    )


def _json_lines(path: Path, first: str):
    from .jsonl import is_nndoctor_events, read_json_lines

    if is_nndoctor_events(first):
        from ..monitor.eventlog import EventLogError, read_events

        try:
            return read_events(path)
        except EventLogError as error:
            raise LogError(str(error)) from None
    return [read_json_lines(path)]


def _json_document(path: Path):
    from .hf import is_trainer_state, read_trainer_state
    from .jsonl import read_json

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # several JSON objects: JSON lines named .json
            return _json_lines(path, _first_text(path))
        raise LogError(f"{path} is not valid JSON (line {error.lineno}: {error.msg})") from None
    if is_trainer_state(document):
        return [read_trainer_state(path, document)]
    return [read_json(path, document)]


def _first_text(path: Path) -> str:
    """The first non-blank line of a file (up to 64 KB of it)."""
    with path.open("rb") as file:
        head = file.read(65536)
    if b"\0" in head:
        raise LogError(f"{path} is not a text file; the logs nndoctor reads: {SUPPORTED}")
    for line in head.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            return line.strip()
    raise LogError(f"{path} is empty; nothing to diagnose")


def _is_json_lines(path: Path) -> bool:
    try:
        json.loads(_first_text(path))
    except json.JSONDecodeError:
        return False
    return True
