"""From a log's table to stores the checks read: one Store per run, filled as the live monitor fills it.

Series: "loss" (the training loss at each logged step), "val_loss" (one point per evaluation, at the
step it happened) and "lr" when the log has a learning rate. Structure: "steps", "source", "x_axis"
("step", "epoch" or "row": what the steps count) and "status". Long curves are thinned to the store's
capacity here, in one numpy pass, keeping every k-th point as the store itself would (plus the first
non-finite value and the last value), so that a million rows cost milliseconds rather than seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..monitor.store import SERIES_CAPACITY, Store
from .columns import Columns, choose_columns, words
from .errors import LogError
from .runs import fill_forward, split_runs
from .table import Table

THIN_TO = SERIES_CAPACITY - 8  # below the capacity, so the store never halves what it was given


@dataclass
class LogRun:
    """One run read from a log, with the store its diagnosis is made from."""

    source: str
    format: str
    store: Store
    columns: Columns | None = None
    x_axis: str = "step"
    train_points: int = 0
    val_points: int = 0
    run_index: int = 1
    run_count: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file, and which run of it when it holds several."""
        if self.run_count == 1:
            return self.source
        return f"{self.source} (run {self.run_index} of {self.run_count})"

    def best_val(self) -> tuple[float, int] | None:
        """The lowest finite validation loss and its step, or None without one."""
        steps, values = self.store.series("val_loss")
        finite = np.isfinite(values)
        if not finite.any():
            return None
        index = int(np.nanargmin(np.where(finite, values, np.nan)))
        return float(values[index]), int(steps[index])


def build_runs(table: Table, *, train: str | None = None, val: str | None = None) -> list[LogRun]:
    """The runs of a table, each as a LogRun with its store. Raises LogError when no training loss is
    found (naming the columns that exist)."""
    columns = choose_columns(table.counts(), train=train, val=val, source=table.source)
    x, x_axis = _x_values(table, columns)
    train_mask = table.present_mask(columns.train)
    train_values = np.where(train_mask, table.columns[columns.train], np.nan)
    runs = []
    for run in split_runs(x, train_values, table.breaks):
        rows = run.rows
        keep = train_mask[rows]
        if not keep.any():
            continue  # a stretch of validation rows only
        store = Store()
        train_steps, train_loss = run.x[keep], table.columns[columns.train][rows[keep]]
        _apply(store, "loss", train_steps, train_loss)
        val_points = 0
        if columns.val is not None:
            mask = table.present_mask(columns.val)[rows]
            _apply(store, "val_loss", run.x[mask], table.columns[columns.val][rows[mask]])
            val_points = int(mask.sum())
        if columns.lr is not None:
            lr = table.columns[columns.lr][rows]
            finite = np.isfinite(lr)
            _apply(store, "lr", run.x[finite], lr[finite])
        last = int(np.max(run.x)) if run.x.size else 0
        store.apply(
            {
                "kind": "structure",
                "data": {"steps": last + 1, "source": table.source, "x_axis": x_axis, "status": "completed"},
            }
        )
        runs.append(
            LogRun(
                source=table.source,
                format=table.format,
                store=store,
                columns=columns,
                x_axis=x_axis,
                train_points=int(keep.sum()),
                val_points=val_points,
            )
        )
    if not runs:
        raise LogError(
            f"{table.source}: column {columns.train!r} holds no training loss; nothing to diagnose"
        )
    for index, run in enumerate(runs, start=1):
        run.run_index, run.run_count = index, len(runs)
    return runs


def store_run(source: str, format: str, store: Store) -> LogRun:
    """A LogRun around a store that was rebuilt directly (an nndoctor events file)."""
    _, train = store.series("loss")
    _, val = store.series("val_loss")
    return LogRun(source, format, store, train_points=int(train.size), val_points=int(val.size))


def _x_values(table: Table, columns: Columns) -> tuple[np.ndarray, str]:
    """What each row's step is: the step column, else the epoch column, else the row's number."""
    for name, axis in ((columns.step, "step"), (columns.epoch, "epoch")):
        if name is None:
            continue
        x = fill_forward(table.columns[name])
        if np.all(np.isfinite(x)) and np.all(x == np.round(x)):
            if axis == "step" and "epoch" in words(columns.train) and table.format == "tensorboard":
                axis = "epoch"  # Keras' TensorBoard callback logs epoch_loss at the epoch number
            return x, axis
    unit = "epoch" if table.format == "json" else "row"  # a Keras history: one row per epoch
    return np.arange(table.rows, dtype=float), unit


def _apply(store: Store, name: str, steps: np.ndarray, values: np.ndarray) -> None:
    steps, values = thin(np.asarray(steps), np.asarray(values, dtype=float))
    store.apply(
        {"kind": "scalars", "name": name, "steps": steps.astype(np.int64).tolist(), "values": values.tolist()}
    )


def thin(steps: np.ndarray, values: np.ndarray, limit: int = THIN_TO) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th point when there are more than `limit`, plus the first non-finite and the last one."""
    count = values.size
    if count <= limit:
        return steps, values
    stride = math.ceil(count / (limit - 2))
    keep = np.zeros(count, dtype=bool)
    keep[::stride] = True
    keep[-1] = True
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        keep[bad[0]] = True
    return steps[keep], values[keep]
