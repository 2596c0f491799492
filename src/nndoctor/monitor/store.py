"""Bounded memory of a run, built from records.

The monitor emits plain JSON-able records; the store applies them, and the event log writes the same
records to disk. Replaying an event log through `Store.apply` therefore rebuilds exactly the store that
the live run had, so `nndoctor diagnose events.jsonl` sees what `nndoctor run` saw.

Record kinds:
    {"kind": "structure", "data": {...}}                       facts about model, optimizer, losses (merged)
    {"kind": "scalars", "name": N, "steps": [...], "values": [...]}   one value per step
    {"kind": "columns", "name": N, "names": [...]}             column names of a vector series
    {"kind": "vector", "name": N, "step": S, "values": [...]}  one sampled value per column (layer)
    {"kind": "event", "type": T, ...}                          something that happened once

A script that trains a second model after the first (pretraining then fine-tuning, two experiments in
a row) records `phase_start` in the structure: the readers then give the last training only, with its
steps counted from its own start, so every check reads it as a run of its own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SERIES_CAPACITY = 4096  # points per scalar series before halving its resolution
VECTOR_CAPACITY = 512  # sampled rows per vector series before halving
EVENT_CAPACITY = 200


class DecimatedSeries:
    """Keeps at most `capacity` points: when full, every other point is dropped and the stride doubles.

    A run of any length therefore costs the same memory, with full resolution for short runs and an
    evenly thinned history for long ones. The first non-finite step is kept exactly.
    """

    def __init__(self, capacity: int = SERIES_CAPACITY) -> None:
        self.capacity = capacity
        self.stride = 1
        self.steps: list[int] = []
        self.values: list[Any] = []
        self.count = 0
        self.first_nonfinite_step: int | None = None

    def append(self, step: int, value: Any) -> None:
        index = self.count  # kept points are those whose index is a multiple of the stride
        self.count += 1
        finite = math.isfinite(value) if isinstance(value, float) else bool(np.all(np.isfinite(value)))
        if self.first_nonfinite_step is None and not finite:
            self.first_nonfinite_step = step
        if index % self.stride == 0:
            self.steps.append(step)
            self.values.append(value)
            self._thin_while_full()

    def extend(self, steps: list[int], values: list[float]) -> None:
        """Append many scalar points at once: the same result as `append` one by one, at numpy speed."""
        if not steps:
            return
        start = self.count
        self.count += len(steps)
        if self.first_nonfinite_step is None:
            finite = np.isfinite(np.asarray(values, dtype=float))
            if not finite.all():
                self.first_nonfinite_step = int(steps[int(np.argmin(finite))])
        first_kept = (-start) % self.stride  # the next index that is a multiple of the stride
        self.steps.extend(steps[first_kept :: self.stride])
        self.values.extend(values[first_kept :: self.stride])
        self._thin_while_full()

    def _thin_while_full(self) -> None:
        """Drop every other point and double the stride until below capacity (kept indexes stay multiples)."""
        while len(self.steps) >= self.capacity:
            self.steps = self.steps[::2]
            self.values = self.values[::2]
            self.stride *= 2


class Store:
    """Everything the checks read. Build it with `apply(record)`; read it with the accessors."""

    def __init__(self) -> None:
        self.structure: dict[str, Any] = {}
        self._scalars: dict[str, DecimatedSeries] = {}
        self._vectors: dict[str, DecimatedSeries] = {}
        self._columns: dict[str, list[str]] = {}
        self._events: list[dict[str, Any]] = []

    # --- building -------------------------------------------------------------------------------
    def apply(self, record: dict[str, Any]) -> None:
        kind = record["kind"]
        if kind == "scalars":
            series = self._scalars.setdefault(record["name"], DecimatedSeries())
            values = record["values"]
            # None is how JSON lines replay a NaN; plain numbers convert in one pass
            values = list(map(float, values)) if None not in values else [_to_float(v) for v in values]
            series.extend(list(map(int, record["steps"])), values)
        elif kind == "vector":
            series = self._vectors.setdefault(record["name"], DecimatedSeries(VECTOR_CAPACITY))
            series.append(int(record["step"]), np.asarray(record["values"], dtype=float))
        elif kind == "columns":
            self._columns[record["name"]] = list(record["names"])
        elif kind == "structure":
            self.structure.update(record["data"])
        elif kind == "event":
            if len(self._events) < EVENT_CAPACITY:
                self._events.append({k: v for k, v in record.items() if k != "kind"})
        else:
            raise ValueError(f"unknown record kind {kind!r}")

    # --- reading --------------------------------------------------------------------------------
    def scalar_names(self) -> list[str]:
        return sorted(self._scalars)

    @property
    def phase_start(self) -> int:
        """The step the last training began at (0 unless the script trained models one after another)."""
        return int(self.structure.get("phase_start", 0))

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Steps and values of a scalar series (empty arrays when it was never recorded)."""
        series = self._scalars.get(name)
        if series is None:
            return np.zeros(0, dtype=int), np.zeros(0)
        steps, values = np.asarray(series.steps, dtype=int), np.asarray(series.values, dtype=float)
        start = self.phase_start
        if start:
            keep = steps >= start
            steps, values = steps[keep] - start, values[keep]
        return steps, values

    def first_nonfinite_step(self, name: str) -> int | None:
        """The first step a scalar series held NaN or Inf, exactly (decimation does not lose it)."""
        series = self._scalars.get(name)
        first = None if series is None else series.first_nonfinite_step
        if first is None or first < self.phase_start:
            return None
        return first - self.phase_start

    def vectors(self, name: str) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Steps, column names and a (samples x columns) matrix of a sampled vector series.

        Rows recorded before a column existed are padded with NaN.
        """
        series = self._vectors.get(name)
        names = self._columns.get(name, [])
        start = self.phase_start
        rows = (
            []
            if series is None
            else [(s - start, v) for s, v in zip(series.steps, series.values) if s >= start]
        )
        if not rows:
            return np.zeros(0, dtype=int), names, np.zeros((0, len(names)))
        width = max(len(names), max(len(v) for _, v in rows))
        matrix = np.full((len(rows), width), np.nan)
        for row, (_, values) in enumerate(rows):
            matrix[row, : len(values)] = values
        names = names + [f"#{i}" for i in range(len(names), width)]
        return np.asarray([s for s, _ in rows], dtype=int), names, matrix

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        start = self.phase_start
        events = [e for e in self._events if event_type is None or e["type"] == event_type]
        if not start:
            return events
        kept = []
        for event in events:  # those of the last training, its steps counted from its start
            step = event.get("step")
            if not isinstance(step, int):
                kept.append(event)
            elif step >= start:
                kept.append(event | {"step": step - start})
        return kept

    @property
    def steps_seen(self) -> int:
        """Number of optimizer steps observed (of the last training, when there were several)."""
        return max(0, int(self.structure.get("steps", 0)) - self.phase_start)


def _to_float(value: Any) -> float:
    return float("nan") if value is None else float(value)
