"""A bounded summary of a dataset's inputs and targets: what the data checks read.

Built batch by batch (`DataProfiler.add`), so that arrays, a DataLoader and, later, the live monitor's
sampled batches fill the same record. Memory stays bounded whatever the data's size: running sums per
feature, at most DISTINCT_CAP distinct values per feature, at most MAX_TRACKED_LABELS target values, and
one 8-byte hash per sample for at most MAX_HASHED_ROWS samples.

`profile.to_record()` is a store record, {"kind": "structure", "data": {"data_profile": {...}}}, so the
checks stay pure functions of the store and an event log replays it. The profile records facts (counts,
moments, ranges); what counts as a problem is for `checks/data.py` to say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .labels import MISSING_EXTRA, LabelSample, estimate_label_noise

PROFILE_VERSION = 1
SAMPLE_ROWS = 200_000  # moments of a 200k-row random sample are within about 1/sqrt(2e5) = 0.2% std errors
MAX_SAMPLE_VALUES = 20_000_000  # ... and at most 20M values (160 MB as float64) for wide rows or images
CHUNK_VALUES = 2_000_000  # arrays go through in chunks of about 16 MB, so memory stays flat
DISTINCT_CAP = 32  # distinct values tracked per feature: enough to call a column binary, coded or constant
NARROW_COLUMNS = 16  # blocks this narrow are read column by column (see ColumnStats.update)
DISTINCT_PROBE_ROWS = 2048  # a column with more distinct values than the cap shows it in these rows, mostly
MAX_TRACKED_LABELS = 10_000  # target values counted as classes up to this many distinct ones
MAX_HASHED_ROWS = 1_000_000  # 8 MB of row hashes: duplicate counts over at most this many samples
MAX_COLUMNS = 4096  # wider rows are profiled as one pooled column: per-feature lists would swamp the store
SMALL_AXIS = 4  # an image axis of at most 4 holds the channels (grey, RGB, RGBA)
SAMPLE_SEED = 0  # the row sample is drawn from its own generator: the user's RNG state is never touched

# Integer targets read as class indices (unless a task is declared): few values, several samples each,
# numbered from 0 or 1. Counts and scores (ages, prices in dollars) fail at least one of these.
MAX_INFERRED_CLASSES = 100
MIN_ROWS_PER_CLASS = 5  # e.g. the diabetes targets: 214 distinct integers over 442 rows is a regression

TARGET_KINDS = ("class-indices", "class-names", "one-hot", "multi-label", "continuous")


# --- layout: how a sample's values become feature columns -------------------------------------------
@dataclass(frozen=True)
class Layout:
    """How a batch of samples becomes a 2-D block of feature columns.

    "table": one column per feature; "image" and "sequence": one column per channel or per feature of
    the last axis, pooled over the other axes; "pooled": every value in one column.
    """

    kind: str
    names: tuple[str, ...]
    sample_shape: tuple[int, ...]
    channel_axis: int | None = None  # axis of the sample holding the columns (image, sequence)

    def columns(self, batch: np.ndarray) -> np.ndarray:
        if self.kind == "table":
            return batch.reshape(len(batch), -1)
        if self.channel_axis is None:  # pooled values, or a grey image's pixels
            return batch.reshape(-1, 1)
        moved = np.moveaxis(batch, self.channel_axis + 1, -1)
        return moved.reshape(-1, moved.shape[-1])


def choose_layout(sample_shape: tuple[int, ...], feature_names: Sequence[str] | None = None) -> Layout:
    """The layout of samples of this shape: tables per feature, images per channel, wide data pooled."""
    shape = tuple(int(s) for s in sample_shape)
    size = int(np.prod(shape)) if shape else 1
    if feature_names is not None and len(feature_names) == size and size <= MAX_COLUMNS:
        return Layout("table", tuple(str(n) for n in feature_names), shape)
    if len(shape) <= 1:
        if size > MAX_COLUMNS:
            return Layout("pooled", ("all features",), shape)
        return Layout("table", tuple(f"x[{i}]" for i in range(size)), shape)
    if len(shape) == 2:
        height, width = shape
        if height == width or width > MAX_COLUMNS:  # a grey image (H, W)
            return Layout("image" if height == width else "pooled", ("pixels",), shape)
        return Layout("sequence", tuple(f"feature {i}" for i in range(width)), shape, channel_axis=1)
    if len(shape) == 3:
        first, _, last = shape
        if first <= SMALL_AXIS:
            return Layout("image", _channel_names(first), shape, channel_axis=0)
        if last <= SMALL_AXIS:
            return Layout("image", _channel_names(last), shape, channel_axis=2)
    return Layout("pooled", ("all values",), shape)


def _channel_names(count: int) -> tuple[str, ...]:
    return tuple(f"channel {i}" for i in range(count))


# --- running statistics of columns ------------------------------------------------------------------
class ColumnStats:
    """Mergeable running statistics of the columns of 2-D blocks (rows x columns).

    Counts of NaN and Inf, minimum and maximum cover every row given (`full=False` too); moments, the
    share of 0/1 values, integrality and distinct values cover the rows given with `full=True`.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.values = 0  # rows seen, sampled or not
        self.nan = np.zeros(width, dtype=np.int64)
        self.inf = np.zeros(width, dtype=np.int64)
        self.minimum = np.full(width, np.inf)
        self.maximum = np.full(width, -np.inf)
        self.finite = np.zeros(width, dtype=np.int64)  # finite values among the sampled rows
        self.mean = np.zeros(width)
        self.m2 = np.zeros(width)  # sum of squared deviations from the mean (Chan et al.'s merge)
        self.zero_one = np.zeros(width, dtype=np.int64)
        self.non_integer = np.zeros(width, dtype=np.int64)
        self.distinct: list[set[float] | None] = [set() for _ in range(width)]

    def update(self, block: np.ndarray, *, floating: bool, full: bool = True) -> None:
        """Add a float64 block of shape (rows, width); `floating`: the data's own dtype can hold NaN.

        Columns holding NaN or Inf are found from the plain minimum and maximum (which NaN and Inf
        reach), and only they pay for masking: clean data costs a handful of passes.
        """
        rows = block.shape[0]
        if rows == 0:
            return
        self.values += rows
        # numpy reduces along memory far faster than across it: a narrow block (a sequence's 3
        # channels, an image's RGB) is read from a copy of its transpose, 4-5x faster; a wide one as it is
        data, axis = (np.ascontiguousarray(block.T), 1) if self.width <= NARROW_COLUMNS else (block, 0)
        low, high = data.min(axis=axis), data.max(axis=axis)
        dirty = np.flatnonzero(~(np.isfinite(low) & np.isfinite(high))) if floating else np.zeros(0, int)
        count = np.full(self.width, rows, dtype=np.int64)
        if dirty.size:
            sub = np.take(data, dirty, axis=1 - axis)
            bad = ~np.isfinite(sub)
            nan = np.isnan(sub).sum(axis=axis)
            self.nan[dirty] += nan
            self.inf[dirty] += bad.sum(axis=axis) - nan
            low[dirty] = np.where(bad, np.inf, sub).min(axis=axis)
            high[dirty] = np.where(bad, -np.inf, sub).max(axis=axis)
            count[dirty] = rows - bad.sum(axis=axis)
            clean = np.where(bad, 0.0, sub)
        np.minimum(self.minimum, low, out=self.minimum)
        np.maximum(self.maximum, high, out=self.maximum)
        if not full:
            return
        sums = data.sum(axis=axis)
        if dirty.size:
            sums[dirty] = clean.sum(axis=axis)
        batch_mean = sums / np.maximum(count, 1)
        deviation = data - np.expand_dims(batch_mean, axis)
        per_column = "ij,ij->i" if axis == 1 else "ij,ij->j"
        batch_m2 = np.einsum(per_column, deviation, deviation)
        non_integer = (data != np.floor(data, out=deviation)).sum(axis=axis)  # deviation is spent: reused
        if dirty.size:
            deviation = np.where(bad, 0.0, sub - np.expand_dims(batch_mean[dirty], axis))
            batch_m2[dirty] = np.einsum(per_column, deviation, deviation)
            non_integer[dirty] = (clean != np.floor(clean)).sum(axis=axis)
        total = self.finite + count
        delta = batch_mean - self.mean
        share = np.divide(count, total, out=np.zeros(self.width), where=total > 0)
        self.mean = self.mean + delta * share
        self.m2 = self.m2 + batch_m2 + delta**2 * self.finite * share
        self.finite = total
        self.zero_one += ((data == 0) | (data == 1)).sum(axis=axis)  # NaN and Inf are neither
        self.non_integer += non_integer
        self._update_distinct(data if axis == 1 else data.T)

    def _update_distinct(self, columns: np.ndarray) -> None:
        """`columns`: the block's transpose (width, rows)."""
        alive = [j for j, seen in enumerate(self.distinct) if seen is not None]
        if alive and columns.shape[1] > DISTINCT_PROBE_ROWS:  # most columns show many values in a few rows
            self._count_distinct(columns[:, :DISTINCT_PROBE_ROWS], alive, keep=False)
            alive = [j for j in alive if self.distinct[j] is not None]
        if alive:
            self._count_distinct(columns, alive, keep=True)

    def _count_distinct(self, columns: np.ndarray, alive: list[int], *, keep: bool) -> None:
        ordered = np.sort(columns[alive], axis=1)  # -Inf first, NaN last
        changes = (ordered[:, 1:] != ordered[:, :-1]) & np.isfinite(ordered[:, 1:])
        counts = changes.sum(axis=1) + np.isfinite(ordered[:, 0])
        for position, column in enumerate(alive):
            seen = self.distinct[column]
            if counts[position] > DISTINCT_CAP:
                self.distinct[column] = None
                continue
            if not keep:
                continue
            values = ordered[position]
            first = np.concatenate(([True], changes[position]))
            seen.update(float(v) for v in values[first] if math.isfinite(v))
            if len(seen) > DISTINCT_CAP:
                self.distinct[column] = None

    def std(self) -> np.ndarray:
        return np.sqrt(
            np.divide(self.m2, self.finite, out=np.full(self.width, np.nan), where=self.finite > 0)
        )

    def summary(self, names: Sequence[str]) -> dict[str, list[Any]]:
        """Column-oriented lists (JSON-able; None where a value is undefined, e.g. an all-NaN column)."""
        some = self.finite > 0
        ranged = self.minimum <= self.maximum
        return {
            "names": list(names),
            "count": self.finite.tolist(),
            "mean": _floats(np.where(some, self.mean, np.nan)),
            "std": _floats(self.std()),
            "min": _floats(np.where(ranged, self.minimum, np.nan)),
            "max": _floats(np.where(ranged, self.maximum, np.nan)),
            "nan": self.nan.tolist(),
            "inf": self.inf.tolist(),
            "zero_one_share": _floats(
                np.divide(self.zero_one, self.finite, out=np.full(self.width, np.nan), where=some)
            ),
            "integer_valued": [bool(s and n == 0) for s, n in zip(some, self.non_integer)],
            "distinct": [None if seen is None else len(seen) for seen in self.distinct],
        }


def _floats(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]


# --- row hashes (duplicates) ------------------------------------------------------------------------
_MIX_A = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser: every input bit moves every output bit
_MIX_B = np.uint64(0x94D049BB133111EB)
HASH_CHUNK_VALUES = 65536  # values hashed at a time (512 KB as float64): the temporaries stay in cache


def _mix(bits: np.ndarray) -> np.ndarray:
    bits = bits ^ (bits >> np.uint64(30))
    bits = bits * _MIX_A
    bits = bits ^ (bits >> np.uint64(27))
    bits = bits * _MIX_B
    return bits ^ (bits >> np.uint64(31))


def combine_hashes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One hash per row of two hashed parts of it (order matters)."""
    with np.errstate(over="ignore"):
        return _mix(first ^ _mix(second + np.uint64(0x9E3779B97F4A7C15)))


def row_hashes(rows: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of a 2-D array of numbers, hashed as float64; equal rows (+0.0 and -0.0,
    any NaN) hash equal. Rows go through in chunks of HASH_CHUNK_VALUES values: the temporaries of a
    large array, each as large again, cost more in page faults and cache misses than the hashing."""
    salts = _mix(np.arange(1, rows.shape[1] + 1, dtype=np.uint64))  # position matters: (1, 2) != (2, 1)
    step = max(1, HASH_CHUNK_VALUES // max(1, rows.shape[1]))
    hashes = np.empty(len(rows), dtype=np.uint64)
    for start in range(0, len(rows), step):
        hashes[start : start + step] = _hash_rows(rows[start : start + step], salts)
    return hashes


def _hash_rows(rows: np.ndarray, salts: np.ndarray) -> np.ndarray:
    canonical = np.add(rows, 0.0, dtype=np.float64)  # as float64, and -0.0 becomes +0.0
    canonical[np.isnan(canonical)] = np.nan  # one NaN bit pattern
    bits = np.ascontiguousarray(canonical).view(np.uint64)
    with np.errstate(over="ignore"):
        return _mix(_mix(bits ^ salts).sum(axis=1, dtype=np.uint64))


# --- targets ----------------------------------------------------------------------------------------
class TargetStats:
    """Running statistics of targets: per-column moments, and class counts where they are labels."""

    def __init__(
        self, sample_shape: tuple[int, ...], dtype: np.dtype, label_names: Sequence[str] | None
    ) -> None:
        self.sample_shape = sample_shape
        self.dtype = dtype
        self.label_names = list(label_names) if label_names is not None else None
        self.dense = len(sample_shape) >= 2  # per-pixel or per-token labels: pooled into one column
        self.width = 1 if self.dense or not sample_shape else int(sample_shape[0])
        self.columns = ColumnStats(self.width)
        self.rows = 0
        self.rows_nonfinite = 0
        self.counts: dict[float, int] | None = {} if self.width == 1 else None
        self.one_hot_rows = 0  # multi-column targets: rows of 0/1 with exactly one 1
        self.binary_rows = 0  # ... rows of 0/1 values
        self.full_rows = 0
        self.argmax_counts = np.zeros(self.width, dtype=np.int64) if self.width > 1 else None

    def update(self, targets: np.ndarray, *, full: bool) -> None:
        rows = len(targets)
        self.rows += rows
        flat = targets.reshape(rows, -1).astype(np.float64, copy=False)
        floating = targets.dtype.kind in "fc"
        if floating and not np.isfinite(flat.sum()):
            self.rows_nonfinite += int((~np.isfinite(flat)).any(axis=1).sum())
        block = flat.reshape(-1, 1) if self.dense else flat
        self.columns.update(block, floating=floating, full=full)
        if self.counts is not None:  # exact for every row: a class histogram is cheap
            values = block[:, 0]
            values = values[np.isfinite(values)] if floating else values
            if values.size and bool((values != np.floor(values)).any()):
                self.counts = None
            else:
                labels, counts = np.unique(values, return_counts=True)
                for label, count in zip(labels.tolist(), counts.tolist()):
                    self.counts[label] = self.counts.get(label, 0) + count
                if len(self.counts) > MAX_TRACKED_LABELS:
                    self.counts = None
        if self.argmax_counts is not None and full:
            binary = ((flat == 0) | (flat == 1)).all(axis=1)
            one_hot = binary & (flat.sum(axis=1) == 1)
            self.full_rows += rows
            self.binary_rows += int(binary.sum())
            self.one_hot_rows += int(one_hot.sum())
            self.argmax_counts += np.bincount(flat[one_hot].argmax(axis=1), minlength=self.width)

    def hash_labels(self, targets: np.ndarray) -> np.ndarray:
        return row_hashes(targets.reshape(len(targets), -1))

    def kind(self, task: str | None, integer_means_classes: bool) -> str:
        """What the targets are: class indices, class names, one-hot rows, multi-label rows or values."""
        if self.label_names is not None:
            return "class-names"
        if self.width > 1:
            if self.full_rows and self.one_hot_rows == self.full_rows:
                return "one-hot"
            if self.full_rows and self.binary_rows == self.full_rows:
                return "multi-label"
            return "continuous"
        if task == "regression" or not self.counts:  # not integers, too many values, or none finite
            return "continuous"
        if task == "classification" or (integer_means_classes and self.dtype.kind in "iub"):
            return "class-indices"
        distinct = len(self.counts)
        if distinct <= 2:
            return "class-indices"
        lowest = min(self.counts) if self.counts else 0
        if (
            distinct <= MAX_INFERRED_CLASSES
            and self.rows >= MIN_ROWS_PER_CLASS * distinct
            and lowest in (0, 1)
        ):
            return "class-indices"
        return "continuous"

    def summary(self, name: str | None, task: str | None, integer_means_classes: bool) -> dict[str, Any]:
        kind = self.kind(task, integer_means_classes)
        names = (
            [name or "target"] if self.width == 1 else [f"{name or 'target'}[{i}]" for i in range(self.width)]
        )
        out: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "dtype": str(self.dtype),
            "shape": list(self.sample_shape),
            "rows": self.rows,
            "rows_nonfinite": self.rows_nonfinite,
            "columns": self.columns.summary(names),
            "classes": None,
        }
        if kind in ("class-indices", "class-names") and self.counts is not None:
            labels = sorted(self.counts)
            out["classes"] = {
                "labels": [int(v) for v in labels],
                "counts": [self.counts[v] for v in labels],
            }
            if self.label_names is not None:
                out["classes"]["names"] = [self.label_names[int(v)] for v in labels]
        elif kind == "one-hot" and self.argmax_counts is not None:
            out["classes"] = {"labels": list(range(self.width)), "counts": self.argmax_counts.tolist()}
        return out


# --- the profiler -----------------------------------------------------------------------------------
class DataProfiler:
    """Accumulates a data profile from batches of (inputs, targets), in bounded memory.

    The first batch fixes the layout (tables per feature, images per channel). A later batch whose
    samples have another shape (sequences padded per batch) turns the profile into one pooled column.
    `task` ("classification" or "regression") and `classes` (the number of model outputs) are what the
    user declared; None when unknown.
    """

    def __init__(
        self,
        *,
        feature_names: Sequence[str] | None = None,
        target_name: str | None = None,
        label_names: Sequence[str] | None = None,
        source: str = "arrays",
        task: str | None = None,
        classes: int | None = None,
        integer_means_classes: bool = False,
        max_hashed_rows: int = MAX_HASHED_ROWS,
    ) -> None:
        if task not in (None, "classification", "regression"):
            raise ValueError(f"task must be 'classification', 'regression' or None, got {task!r}")
        self.feature_names = list(feature_names) if feature_names is not None else None
        self.target_name = target_name
        self.label_names = label_names
        self.source = source
        self.task = task
        self.classes = classes
        self.integer_means_classes = integer_means_classes
        self.max_hashed_rows = max_hashed_rows
        self.notes: list[str] = []
        self.layout: Layout | None = None
        self.input_dtype: np.dtype | None = None
        self.features: ColumnStats | None = None
        self.targets: TargetStats | None = None
        self.rows = 0
        self.sampled_rows = 0
        self.rows_nonfinite = 0
        self._input_hashes: list[np.ndarray] = []
        self._pair_hashes: list[np.ndarray] = []
        self._hashed = 0
        self.label_sample = LabelSample()

    def add(self, inputs: Any, targets: Any = None, *, full: bool = True, ids: Any = None) -> None:
        """Add a batch: `inputs` of shape (N, ...) and optional `targets` of shape (N, ...).

        With `full=False` only the cheap exact counts (NaN/Inf, ranges, class counts) take the batch:
        the rows outside a random sample still count there. `ids` (N,) name the samples in the label
        check's report (file rows, Dataset indices); by default, their position in the data added.
        """
        inputs = _as_array(inputs, "inputs")
        if inputs.ndim == 0:
            raise ValueError("inputs must have a batch dimension: got a single number")
        if inputs.ndim == 1:
            inputs = inputs.reshape(-1, 1)
        rows = len(inputs)
        target_array = None
        if targets is not None:
            target_array = _as_array(targets, "targets")
            if target_array.ndim == 0 or len(target_array) != rows:
                got = "a single value" if target_array.ndim == 0 else f"{len(target_array)}"
                raise ValueError(f"inputs have {rows} samples but targets have {got}")
        self._fix_layout(inputs, target_array)
        floating = inputs.dtype.kind in "fc"
        ids = self.rows + np.arange(rows) if ids is None else np.asarray(ids, dtype=np.int64)
        step = max(1, CHUNK_VALUES // max(1, int(np.prod(inputs.shape[1:]))))
        for start in range(0, rows, step):
            chunk = inputs[start : start + step].astype(np.float64, copy=False)
            per_sample = chunk.reshape(len(chunk), -1)
            if floating and not np.isfinite(per_sample.sum()):  # NaN and Inf reach the sum: one cheap pass
                self.rows_nonfinite += int((~np.isfinite(per_sample)).any(axis=1).sum())
            self.features.update(self.layout.columns(chunk), floating=floating, full=full)
            target_chunk = None if target_array is None else target_array[start : start + step]
            if target_chunk is not None:
                self.targets.update(target_chunk, full=full)
            if full and self._hashed < self.max_hashed_rows:
                self._hash(per_sample, target_chunk)
            if full and target_chunk is not None:
                self.label_sample.offer(
                    per_sample, target_chunk.reshape(len(target_chunk), -1), ids[start : start + step]
                )
        self.rows += rows
        if full:
            self.sampled_rows += rows

    def _fix_layout(self, inputs: np.ndarray, targets: np.ndarray | None) -> None:
        sample_shape = tuple(inputs.shape[1:])
        if self.layout is None:
            self.layout = choose_layout(sample_shape, self.feature_names)
            self.input_dtype = inputs.dtype
            self.features = ColumnStats(len(self.layout.names))
        elif sample_shape != self.layout.sample_shape and self.layout.kind != "pooled":
            if self.layout.kind in ("image", "sequence") and _same_channels(self.layout, sample_shape):
                return  # e.g. sequences padded per batch: the per-channel columns still line up
            self._pool(sample_shape)
        if targets is not None and self.targets is None:
            self.targets = TargetStats(tuple(targets.shape[1:]), targets.dtype, self.label_names)

    def _pool(self, sample_shape: tuple[int, ...]) -> None:
        """Samples changed shape: merge every column into one pooled column (exact for every statistic)."""
        old = self.features
        pooled = ColumnStats(1)
        pooled.values = old.values * old.width
        pooled.nan[:], pooled.inf[:] = old.nan.sum(), old.inf.sum()
        pooled.minimum[:], pooled.maximum[:] = old.minimum.min(), old.maximum.max()
        total = old.finite.sum()
        pooled.finite[:] = total
        if total:
            mean = float((old.mean * old.finite).sum() / total)
            pooled.mean[:] = mean
            pooled.m2[:] = float((old.m2 + old.finite * (old.mean - mean) ** 2).sum())
        pooled.zero_one[:], pooled.non_integer[:] = old.zero_one.sum(), old.non_integer.sum()
        merged: set[float] = set()
        for seen in old.distinct:
            if seen is None:
                merged = None
                break
            merged |= seen
        pooled.distinct = [merged if merged is not None and len(merged) <= DISTINCT_CAP else None]
        self.features = pooled
        self.layout = Layout("pooled", ("all values",), sample_shape)
        self.notes.append(
            "samples differ in shape from batch to batch: inputs are summarised as one pool of values"
        )

    def _hash(self, per_sample: np.ndarray, targets: np.ndarray | None) -> None:
        take = min(len(per_sample), self.max_hashed_rows - self._hashed)
        hashes = row_hashes(per_sample[:take])
        self._input_hashes.append(hashes)
        if targets is not None:
            label_hashes = self.targets.hash_labels(targets[:take])
            self._pair_hashes.append(_mix(hashes ^ _mix(label_hashes)))
        self._hashed += take

    def profile(self, *, check_labels: bool = False) -> DataProfile:
        """The profile of everything added so far; `check_labels` also runs the label-noise probe
        (a second or so) when the targets are classes."""
        if self.layout is None:
            raise ValueError("no samples were added: the data is empty")
        features = self.features.summary(self.layout.names)
        duplicates = _duplicates(self._input_hashes, self._pair_hashes)
        targets = None
        label_noise = None
        if self.targets is not None:
            targets = self.targets.summary(self.target_name, self.task, self.integer_means_classes)
            if check_labels and targets["kind"] in ("class-indices", "class-names", "one-hot"):
                label_noise = estimate_label_noise(self.label_sample, one_hot=targets["kind"] == "one-hot")
                if label_noise.get("skipped") == MISSING_EXTRA:
                    self.notes.append(MISSING_EXTRA)
        return DataProfile(
            source=self.source,
            rows=self.rows,
            sampled_rows=self.sampled_rows,
            input_shape=list(self.layout.sample_shape),
            input_dtype=str(self.input_dtype),
            layout=self.layout.kind,
            features=features,
            rows_nonfinite=self.rows_nonfinite,
            duplicates=duplicates,
            targets=targets,
            task=self.task,
            classes=self.classes,
            notes=list(self.notes),
            label_noise=label_noise,
        )


def _same_channels(layout: Layout, sample_shape: tuple[int, ...]) -> bool:
    old = layout.sample_shape
    axis = layout.channel_axis
    if axis is None or len(sample_shape) != len(old):
        return False
    return sample_shape[axis] == old[axis]


def _duplicates(input_hashes: list[np.ndarray], pair_hashes: list[np.ndarray]) -> dict[str, int]:
    if not input_hashes:
        return {"hashed_rows": 0, "duplicate_rows": 0, "conflicting_inputs": 0}
    inputs = np.concatenate(input_hashes)
    unique_inputs = np.unique(inputs)
    result = {
        "hashed_rows": int(inputs.size),
        "duplicate_rows": int(inputs.size - unique_inputs.size),
        "conflicting_inputs": 0,  # inputs that occur with more than one target
    }
    if pair_hashes and result["duplicate_rows"]:
        pairs = np.concatenate(pair_hashes)
        _, first = np.unique(pairs, return_index=True)
        _, labels_per_input = np.unique(inputs[first], return_counts=True)
        result["conflicting_inputs"] = int((labels_per_input > 1).sum())
    return result


def _as_array(values: Any, what: str) -> np.ndarray:
    if hasattr(values, "detach") and hasattr(values, "cpu"):  # a torch tensor, without importing torch
        tensor = values.detach().cpu()
        if str(tensor.dtype) in ("torch.bfloat16", "torch.float16"):
            tensor = tensor.float()
        values = tensor.numpy()
    array = np.asarray(values)
    if array.dtype.kind == "b":
        array = array.astype(np.uint8)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{what} must be numbers, got an array of dtype {array.dtype}")
    return array


# --- the profile --------------------------------------------------------------------------------------
@dataclass
class DataProfile:
    """The summary the data checks read: per-feature statistics, targets, duplicates.

    `features` and `targets["columns"]` are column-oriented dicts of lists (names, count, mean, std,
    min, max, nan, inf, zero_one_share, integer_valued, distinct); `rows` counts every sample seen and
    `sampled_rows` those behind the moments. See `DataProfiler` for how it is built.
    """

    source: str
    rows: int
    sampled_rows: int
    input_shape: list[int]
    input_dtype: str
    layout: str
    features: dict[str, list[Any]]
    rows_nonfinite: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    targets: dict[str, Any] | None = None
    task: str | None = None
    classes: int | None = None
    notes: list[str] = field(default_factory=list)
    label_noise: dict[str, Any] | None = None  # the label-noise probe's result (see labels.py)
    version: int = PROFILE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "rows": self.rows,
            "sampled_rows": self.sampled_rows,
            "input_shape": self.input_shape,
            "input_dtype": self.input_dtype,
            "layout": self.layout,
            "features": self.features,
            "rows_nonfinite": self.rows_nonfinite,
            "duplicates": self.duplicates,
            "targets": self.targets,
            "task": self.task,
            "classes": self.classes,
            "notes": self.notes,
            "label_noise": self.label_noise,
        }

    def to_record(self) -> dict[str, Any]:
        """The store record that holds this profile: {"kind": "structure", "data": {"data_profile": ...}}."""
        return {"kind": "structure", "data": {"data_profile": self.to_dict()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DataProfile:
        """The profile of a record's "data_profile" dict (as `to_dict` wrote it)."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**fields)

    @property
    def feature_count(self) -> int:
        return len(self.features.get("names", []))


def profile_arrays(
    inputs: Any,
    targets: Any = None,
    *,
    feature_names: Sequence[str] | None = None,
    target_name: str | None = None,
    label_names: Sequence[str] | None = None,
    max_rows: int = SAMPLE_ROWS,
    source: str = "arrays",
    task: str | None = None,
    classes: int | None = None,
    integer_means_classes: bool = False,
    check_labels: bool = False,
) -> DataProfile:
    """Profile in-memory arrays: `inputs` of shape (N, ...), optional `targets` of shape (N, ...).

    Moments, duplicates and distinct values come from a random sample of at most `max_rows` samples
    (fewer for wide samples: MAX_SAMPLE_VALUES values in all), drawn from a private generator; NaN/Inf
    counts, ranges and class counts cover every sample. `check_labels` runs the label-noise probe.
    """
    inputs = _as_array(inputs, "inputs")
    if inputs.ndim == 0 or len(inputs) == 0:
        raise ValueError("inputs hold no samples")
    target_array = None if targets is None else _as_array(targets, "targets")
    if target_array is not None and (target_array.ndim == 0 or len(target_array) != len(inputs)):
        got = "a single value" if target_array.ndim == 0 else str(len(target_array))
        raise ValueError(f"inputs have {len(inputs)} samples but targets have {got}")
    profiler = DataProfiler(
        feature_names=feature_names,
        target_name=target_name,
        label_names=label_names,
        source=source,
        task=task,
        classes=classes,
        integer_means_classes=integer_means_classes,
    )
    rows = len(inputs)
    per_sample = max(1, int(np.prod(inputs.shape[1:])))
    budget = max(1, min(max_rows, MAX_SAMPLE_VALUES // per_sample))
    if rows <= budget:
        profiler.add(inputs, target_array)
        return profiler.profile(check_labels=check_labels)
    chosen = np.zeros(rows, dtype=bool)
    chosen[np.random.default_rng(SAMPLE_SEED).choice(rows, size=budget, replace=False)] = True
    profiler.add(
        inputs[chosen], None if target_array is None else target_array[chosen], ids=np.flatnonzero(chosen)
    )
    step = max(1, CHUNK_VALUES // per_sample)
    for start in range(0, rows, step):  # the rest: exact counts only, chunk by chunk
        rest = ~chosen[start : start + step]
        if rest.any():
            batch_targets = None if target_array is None else target_array[start : start + step][rest]
            profiler.add(inputs[start : start + step][rest], batch_targets, full=False)
    return profiler.profile(check_labels=check_labels)
