"""`check_data`: the data checks on arrays, a DataFrame, a torch Dataset or a DataLoader.

Whatever the container, the data becomes one `DataProfile`, the profile one store record, and the
store a Diagnosis ranked like every other: `nndoctor data FILE` and the live monitor share the checks.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..diagnosis import Diagnosis, rank
from ..findings import Finding
from ..monitor.store import Store
from .profile import SAMPLE_ROWS, SAMPLE_SEED, DataProfile, DataProfiler, profile_arrays

INPUT_KEYS = ("x", "input", "inputs", "image", "images", "pixel_values", "input_ids", "features", "data")
TARGET_KEYS = ("y", "label", "labels", "target", "targets")
DATASET_BATCH = 1024  # samples of a map-style Dataset are stacked this many at a time
_SOURCE_NAMES = {
    "arrays": "the arrays",
    "tensors": "the tensors",
    "dataframe": "the DataFrame",
    "dataset": "the Dataset",
    "loader": "the DataLoader",
}


def check_data(
    data: Any,
    targets: Any = None,
    *,
    max_samples: int = SAMPLE_ROWS,
    task: str | None = None,
    classes: int | None = None,
    feature_names: Sequence[str] | None = None,
) -> Diagnosis:
    """Check a dataset for the problems that stop a network from training; returns a Diagnosis.

    `data` is one of:
      - an array of inputs (N, ...) with `targets` (N, ...) given separately, or a tuple (inputs, targets);
      - a pandas DataFrame, with `targets` the name of its target column;
      - a torch Dataset whose samples are tensors, tuples (input, target, ...) or dicts with keys such as
        "x"/"input"/"image" and "y"/"label"/"target";
      - a torch DataLoader, iterated for at most `max_samples` samples. Every random generator it may
        advance (torch's, numpy's, Python's, the loader's own) is restored afterwards, so training sees
        the same batches it would have seen.
    Statistics come from at most `max_samples` samples; `task` ("classification" or "regression") and
    `classes` (the number of model outputs) sharpen the label checks when given.
    """
    if max_samples < 1:
        raise ValueError(f"max_samples must be at least 1, got {max_samples}")
    started = time.perf_counter()
    profile = profile_data(
        data, targets, max_samples=max_samples, task=task, classes=classes, feature_names=feature_names
    )
    return diagnose_profile(profile, run={"wall_s": round(time.perf_counter() - started, 3)})


def profile_data(
    data: Any,
    targets: Any = None,
    *,
    max_samples: int = SAMPLE_ROWS,
    task: str | None = None,
    classes: int | None = None,
    feature_names: Sequence[str] | None = None,
) -> DataProfile:
    """The profile of any container `check_data` accepts."""
    options = {"task": task, "classes": classes}
    checked = {"check_labels": True}  # the label-noise probe: about a second, once
    if isinstance(data, tuple) and len(data) == 2 and targets is None:
        data, targets = data
    if _is_dataframe(data):
        from .files import frame_to_data

        if targets is not None and not isinstance(targets, str):
            raise TypeError("with a DataFrame, give targets as the name of its target column")
        loaded = frame_to_data(data, targets, source="dataframe")
        profile = profile_arrays(
            loaded.inputs,
            loaded.targets,
            feature_names=loaded.feature_names,
            target_name=loaded.target_name,
            label_names=loaded.label_names,
            max_rows=max_samples,
            source="dataframe",
            **options,
            **checked,
        )
        profile.notes[:0] = loaded.notes
        return profile
    if _is_loader(data):
        return _profile_loader(data, max_samples=max_samples, feature_names=feature_names, **options)
    if _is_dataset(data):
        return _profile_dataset(data, max_samples=max_samples, feature_names=feature_names, **options)
    torch_source = _is_tensor(data)
    targets, label_names = _labels(targets)
    return profile_arrays(
        data,
        targets,
        feature_names=feature_names,
        label_names=label_names,
        max_rows=max_samples,
        source="tensors" if torch_source else "arrays",
        integer_means_classes=torch_source,
        **options,
        **checked,
    )


def diagnose_profile(profile: DataProfile, *, run: dict[str, Any] | None = None) -> Diagnosis:
    """Run the data checks on a profile and rank their findings (a check that raises is reported, not fatal)."""
    from ..checks import data as _data_checks  # noqa: F401  (registers the data checks)
    from ..checks import registered

    store = Store()
    store.apply(profile.to_record())
    findings: list[Finding] = []
    errors = []
    for name, function in registered().items():
        if not name.startswith("data."):
            continue
        try:
            findings.extend(function(store) or ())
        except Exception as exc:  # a broken check must not hide the others
            errors.append({"check": name, "error": f"{type(exc).__name__}: {exc}"})
    summary = data_summary(profile)
    summary.update(run or {})
    if errors:
        summary["internal_errors"] = errors
    return rank(findings, run=summary)


def data_summary(profile: DataProfile) -> dict[str, Any]:
    """The `run` part of a data diagnosis: what was checked."""
    summary: dict[str, Any] = {
        "data": _SOURCE_NAMES.get(profile.source, profile.source),
        "source": profile.source,
        "samples": profile.rows,
        "sampled_samples": profile.sampled_rows,
        "features": profile.feature_count,
        "layout": profile.layout,
    }
    if profile.targets:
        if profile.targets.get("name"):
            summary["target"] = profile.targets["name"]
        summary["target_kind"] = profile.targets.get("kind")
    if profile.notes:
        summary["notes"] = list(profile.notes)
    return summary


# --- torch containers -------------------------------------------------------------------------------
def _profile_loader(loader: Any, *, max_samples: int, feature_names: Any, **options: Any) -> DataProfile:
    profiler = DataProfiler(
        feature_names=feature_names, source="loader", integer_means_classes=True, **options
    )
    total = _length(getattr(loader, "dataset", None))
    shuffles = _shuffles(loader)
    batched = getattr(loader, "batch_sampler", None) is not None  # DataLoader(batch_size=None): samples
    pending: list[tuple[Any, Any]] = []
    with preserved_rng(_generators(loader)):
        for batch in loader:
            if not batched:
                pending.append(split_sample(batch))
                if len(pending) == DATASET_BATCH or profiler.rows + len(pending) >= max_samples:
                    _add_samples(profiler, pending)
                    pending = []
            else:
                inputs, targets = split_sample(batch)
                room = max_samples - profiler.rows
                profiler.add(inputs[:room], None if targets is None else targets[:room])
            if profiler.rows >= max_samples:
                break
        if pending:
            _add_samples(profiler, pending)
    if profiler.rows == 0:
        raise ValueError("the DataLoader yielded no batches")
    if shuffles:  # the loader's order is not the Dataset's: positions would name the wrong samples
        profiler.label_sample.ids[:] = -1
    if shuffles:
        profiler.notes.append(
            "the DataLoader shuffles: nndoctor iterated it once and then restored every random generator "
            "it advanced, so training still sees the same order"
        )
    if total is not None and profiler.rows < total:
        which = "a shuffled" if shuffles else "the first"
        profiler.notes.append(f"checked {which} {profiler.rows:,} of {total:,} samples (max_samples)")
    return profiler.profile(check_labels=True)


def _profile_dataset(dataset: Any, *, max_samples: int, feature_names: Any, **options: Any) -> DataProfile:
    fast = _tensor_dataset_arrays(dataset)
    if fast is not None:
        inputs, targets = fast
        return profile_arrays(
            inputs,
            targets,
            feature_names=feature_names,
            max_rows=max_samples,
            source="dataset",
            integer_means_classes=True,
            **options,
            check_labels=True,
        )
    total = len(dataset)
    if total == 0:
        raise ValueError("the Dataset is empty")
    indices = np.arange(total)
    if total > max_samples:
        indices = np.sort(np.random.default_rng(SAMPLE_SEED).choice(total, size=max_samples, replace=False))
    profiler = DataProfiler(
        feature_names=feature_names, source="dataset", integer_means_classes=True, **options
    )
    with preserved_rng(()):  # random transforms in __getitem__ draw from the global generators
        for start in range(0, len(indices), DATASET_BATCH):
            chunk = indices[start : start + DATASET_BATCH]
            _add_samples(profiler, [split_sample(dataset[int(i)]) for i in chunk], ids=chunk)
    if total > max_samples:
        profiler.notes.append(f"checked a random {max_samples:,} of {total:,} samples (max_samples)")
    return profiler.profile(check_labels=True)


def _add_samples(profiler: DataProfiler, samples: list[tuple[Any, Any]], ids: Any = None) -> None:
    inputs = [_numpy(x) for x, _ in samples]
    targets = [None if y is None else _numpy(y) for _, y in samples]
    has_targets = targets[0] is not None
    try:
        stacked = np.stack(inputs)
        stacked_targets = np.stack(targets) if has_targets else None
    except ValueError:  # samples of different shapes (sequences): one at a time
        for index, (x, y) in enumerate(zip(inputs, targets)):
            sample_id = None if ids is None else ids[index : index + 1]
            profiler.add(x[None], None if y is None else np.asarray(y)[None], ids=sample_id)
        return
    profiler.add(stacked, stacked_targets, ids=ids)


def split_sample(sample: Any) -> tuple[Any, Any]:
    """(inputs, targets) of a sample or batch: a tensor, a tuple/list (inputs, targets, ...) or a dict."""
    if isinstance(sample, dict):
        inputs = next((sample[k] for k in INPUT_KEYS if k in sample), None)
        targets = next((sample[k] for k in TARGET_KEYS if k in sample), None)
        if inputs is None:
            keys = ", ".join(map(str, sample))
            raise ValueError(
                f"cannot find the inputs in a sample with keys {keys}: name them one of {INPUT_KEYS}"
            )
        return inputs, targets
    if isinstance(sample, (tuple, list)):
        if not sample:
            raise ValueError("a sample is an empty tuple")
        return sample[0], sample[1] if len(sample) > 1 else None
    return sample, None


@contextlib.contextmanager
def preserved_rng(generators: Sequence[Any]) -> Iterator[None]:
    """Restore torch's, numpy's and Python's global random state, and `generators`' own, on exit."""
    import torch

    python_state, numpy_state = random.getstate(), np.random.get_state()
    torch_state = torch.random.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None
    own = [(g, g.get_state()) for g in generators]
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        torch.random.set_rng_state(torch_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)
        for generator, state in own:
            generator.set_state(state)


def _generators(loader: Any) -> list[Any]:
    """The loader's own torch.Generators (its own, its sampler's, its batch sampler's sampler's)."""
    import torch

    found: list[Any] = []
    batch_sampler = getattr(loader, "batch_sampler", None)
    candidates = (
        getattr(loader, "generator", None),
        getattr(getattr(loader, "sampler", None), "generator", None),
        getattr(getattr(batch_sampler, "sampler", None), "generator", None),
    )
    for candidate in candidates:
        if isinstance(candidate, torch.Generator) and all(candidate is not g for g in found):
            found.append(candidate)
    return found


def _shuffles(loader: Any) -> bool:
    from torch.utils.data import RandomSampler

    samplers = (
        getattr(loader, "sampler", None),
        getattr(getattr(loader, "batch_sampler", None), "sampler", None),
    )
    return any(isinstance(s, RandomSampler) for s in samplers)


def _tensor_dataset_arrays(dataset: Any) -> tuple[Any, Any] | None:
    """Inputs and targets of a TensorDataset (or a Subset of one, as random_split makes) without indexing."""
    from torch.utils.data import Subset, TensorDataset

    indices = None
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorDataset):
        indices, dataset = np.asarray(dataset.indices, dtype=np.int64), dataset.dataset
    if not isinstance(dataset, TensorDataset) or not dataset.tensors:
        return None
    tensors = [t if indices is None else t[indices] for t in dataset.tensors]
    return tensors[0], tensors[1] if len(tensors) > 1 else None


def _labels(targets: Any) -> tuple[Any, list[str] | None]:
    """Text labels become class codes and names; anything else is passed through."""
    if targets is None or _is_tensor(targets):
        return targets, None
    array = np.asarray(targets)
    if array.dtype.kind not in "USO":
        return targets, None
    names, codes = np.unique(array.astype(str), return_inverse=True)
    return codes.reshape(array.shape), [str(n) for n in names]


def _numpy(value: Any) -> np.ndarray:
    if _is_tensor(value):
        value = value.detach().cpu()
        if not value.dtype.is_floating_point or value.dtype.itemsize >= 4:
            return value.numpy()
        return value.float().numpy()
    return np.asarray(value)


def _length(dataset: Any) -> int | None:
    try:
        return len(dataset)
    except TypeError:  # an IterableDataset without __len__
        return None


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def _is_loader(value: Any) -> bool:
    if "torch" not in sys.modules:  # nothing made with torch can exist: do not pay for importing it
        return False
    from torch.utils.data import DataLoader

    return isinstance(value, DataLoader)


def _is_dataset(value: Any) -> bool:
    if "torch" not in sys.modules:
        return False
    from torch.utils.data import Dataset

    return isinstance(value, Dataset) and hasattr(value, "__getitem__") and hasattr(value, "__len__")
