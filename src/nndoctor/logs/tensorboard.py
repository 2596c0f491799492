"""TensorBoard event files, read with the `tensorboard` package's EventAccumulator (an extra:
`pip install nndoctor[tensorboard]`), which also settles restarts the way TensorBoard shows them: a run
resumed at an earlier step replaces what was logged after it.

A folder is read with every event file below it. Tags are prefixed with their sub-folder, so Keras'
`train/epoch_loss` and `validation/epoch_loss`, and `add_scalars`' `Loss_train/Loss` and
`Loss_val/Loss`, stay apart. Sub-folders whose names say nothing of train or validation (`run1/`,
`run2/`) are separate runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .columns import TRAIN_WORDS, VAL_WORDS, is_loss, is_validation, words
from .errors import LogError
from .table import Table

INSTALL_HINT = (
    "reading TensorBoard event files needs the tensorboard package: pip install nndoctor[tensorboard]"
)
EVENT_FILE_MARK = "tfevents"


def is_event_file(path: Path) -> bool:
    return EVENT_FILE_MARK in path.name


def event_folders(path: Path) -> list[Path]:
    """The folders holding event files, at or below `path` (or `path`'s own folder for a file)."""
    if path.is_file():
        return [path]
    found = []
    for folder, _, files in sorted(os.walk(path)):
        if any(EVENT_FILE_MARK in name for name in files):
            found.append(Path(folder))
    return found


def read_tensorboard(path: Path) -> list[Table]:
    """One table per run under `path` (a folder or one event file), with a `step` column and one
    column per scalar tag. Raises LogError when tensorboard is not installed or nothing is readable."""
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError:
        raise LogError(INSTALL_HINT) from None
    groups: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for folder in event_folders(path):
        relative = "" if folder == path or path.is_file() else folder.relative_to(path).as_posix()
        try:
            with _quiet_library():
                accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0, "tensors": 0})
                accumulator.Reload()
                groups[relative] = _scalars(accumulator)
        except Exception as error:  # a corrupt file: the library's own errors are many
            raise LogError(
                f"{folder}: cannot read its TensorBoard events ({type(error).__name__}: {error})"
            ) from None
    groups = {name: tags for name, tags in groups.items() if tags}
    if not groups:
        raise LogError(f"{path}: no scalar was logged in its TensorBoard events; nothing to diagnose")
    if _separate_runs(groups):
        return [_table(f"{path}/{name}", {name: tags}) for name, tags in groups.items()]
    return [_table(str(path), groups)]


@contextlib.contextmanager
def _quiet_library() -> Iterator[None]:
    """tensorboard logs a warning for every restart it settles; the report says what matters."""
    logger = logging.getLogger("tensorboard")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _scalars(accumulator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar tag: classic scalar summaries and TF2 scalar tensors (Keras' TensorBoard callback)."""
    out = {}
    tags = accumulator.Tags()
    for tag in tags.get("scalars", []):
        events = accumulator.Scalars(tag)
        out[tag] = (
            np.array([e.step for e in events], dtype=float),
            np.array([e.value for e in events], dtype=float),
        )
    for tag in tags.get("tensors", []):
        if tag in out or accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
            continue
        from tensorboard.util import tensor_util

        events = accumulator.Tensors(tag)
        values = [tensor_util.make_ndarray(e.tensor_proto) for e in events]
        if all(v.size == 1 for v in values):
            out[tag] = (np.array([e.step for e in events], dtype=float), np.array([float(v) for v in values]))
    return out


def _separate_runs(groups: dict[str, dict]) -> bool:
    """Several sub-folders that each hold a training loss and whose names do not say train/validation."""
    if len(groups) < 2:
        return False
    for name, tags in groups.items():
        if set(words(name)) & (TRAIN_WORDS | VAL_WORDS):
            return False
        if not any(is_loss(tag) and not is_validation(tag) for tag in tags):
            return False
    return True


def _table(source: str, groups: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]) -> Table:
    """Tags of several folders merged into rows by step (NaN where a tag has no value at that step)."""
    series = {
        (f"{folder}/{tag}" if folder else tag): data
        for folder, tags in groups.items()
        for tag, data in tags.items()
    }
    steps = np.unique(np.concatenate([s for s, _ in series.values()]))
    columns = {"step": steps.astype(float)}
    present = {"step": np.ones(steps.size, dtype=bool)}
    for name, (tag_steps, values) in series.items():
        column = np.full(steps.size, np.nan)
        mask = np.zeros(steps.size, dtype=bool)
        index = np.searchsorted(steps, tag_steps)
        column[index] = values  # a step logged twice keeps its last value
        mask[index] = True
        key = name if name != "step" else "tag/step"
        columns[key], present[key] = column, mask
    return Table(source, "tensorboard", columns, present=present)
