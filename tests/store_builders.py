"""Hand-made stores for the checks' unit tests: records applied as the monitor would emit them."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.monitor.store import Store

MLP_PARAMS = [
    ("fc1.weight", [64, 64]),
    ("fc1.bias", [64]),
    ("fc2.weight", [64, 64]),
    ("fc2.bias", [64]),
    ("head.weight", [10, 64]),
    ("head.bias", [10]),
]


def new_store(
    *,
    classes: int | None = 10,
    loss_name: str | None = None,
    label_smoothing: float | None = None,
    params: list[tuple[str, list[int]]] = MLP_PARAMS,
    optimizer: str = "SGD",
    lr: float = 0.1,
    modules: list[dict] | None = None,
) -> Store:
    """A store that knows the model's parameters, the optimizer and the training loss function."""
    store = Store()
    if loss_name is None:
        loss_name = "cross_entropy" if classes else "mse_loss"
    shape = [64, classes] if classes else [64, 1]
    info = {"name": loss_name, "phase": "train", "input_shape": shape}
    if label_smoothing is not None:
        info["label_smoothing"] = label_smoothing
    names = [name for name, _ in params]
    for vector in ("grad_norm", "update_ratio", "weight_norm"):
        store.apply({"kind": "columns", "name": vector, "names": names})
    data = {
        "loss_functions": {f"train:{loss_name}": info},
        "params": [
            {"name": n, "shape": s, "numel": int(np.prod(s)), "requires_grad": True} for n, s in params
        ],
        "optimizer": {"type": optimizer, "groups": [{"lr": lr, "num_params": len(params)}]},
        "modules": modules or [],
    }
    store.apply({"kind": "structure", "data": data})
    return store


def add_scalars(store: Store, name: str, values, steps=None) -> None:
    values = [float(v) for v in values]
    steps = list(range(len(values))) if steps is None else [int(s) for s in steps]
    store.apply({"kind": "scalars", "name": name, "steps": steps, "values": values})


def add_vectors(store: Store, name: str, steps, rows) -> None:
    for step, row in zip(steps, rows):
        store.apply({"kind": "vector", "name": name, "step": int(step), "values": [float(v) for v in row]})


def finish(store: Store, steps: int) -> Store:
    store.apply({"kind": "structure", "data": {"steps": steps, "status": "completed"}})
    return store


def sampled_steps(total: int) -> list[int]:
    """The monitor's default gradient schedule: every step for 64, then every 8th, then every 64th."""
    return [s for s in range(total) if s < 64 or (s < 1024 and s % 8 == 0) or s % 64 == 0]


# --- curves ---------------------------------------------------------------------------------------
def noisy(values, relative_noise: float = 0.1, seed: int = 0) -> np.ndarray:
    """Mini-batch noise: multiplicative, so a low loss has small absolute swings, as in real runs."""
    rng = np.random.default_rng(seed)
    values = np.asarray(values, dtype=float)
    return values * np.exp(relative_noise * rng.standard_normal(values.size))


def converging(steps: int, start: float = math.log(10), end: float = 0.05, tau: float = 40.0, seed: int = 0):
    """A healthy curve: exponential decay from `start` to `end` with mini-batch noise."""
    t = np.arange(steps)
    return noisy(end + (start - end) * np.exp(-t / tau), seed=seed)


def flat(steps: int, level: float, relative_noise: float = 0.02, seed: int = 0):
    return noisy(np.full(steps, level), relative_noise, seed=seed)


def ratio_rows(steps, values_per_param) -> list[list[float]]:
    """One row per sampled step, the same value per parameter each step (a callable of the step or a list)."""
    return [[v(step) if callable(v) else v for v in values_per_param] for step in steps]
