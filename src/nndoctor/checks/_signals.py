"""Shared readings of the store for the loss, optimisation and gradient checks.

Robust statistics (medians, MAD) rather than means and standard deviations: a training curve has
mini-batch noise, spikes and NaNs, and one bad batch must not move a threshold. Nothing here decides a
finding; the checks do.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..loss_kinds import BINARY_LOSSES, CLASS_SCORE_LOSSES, LIKELIHOOD_LOSSES
from ..monitor.store import Store

MAD_TO_SIGMA = 1.4826  # the MAD of a normal sample times this estimates its standard deviation
MIN_WINDOW_POINTS = 8  # fewer points than this and a window's median is mostly noise
MAX_WINDOWS = 10  # a curve is summarised by at most this many window medians (deciles of the run)
START_SHARE = 0.05  # the starting level is the median of the first 5% of a curve's points ...
START_POINTS = (1, 25)  # ... at most 25 of them
IMBALANCE_ENTROPY = 0.95  # labels whose entropy is under 95% of ln(C) (75% positives: 81%) set chance
# level themselves; over it, ln(C) says the same within a few percent
OTHER_PLAYER_SHARE = 0.5  # another model's optimizer stepping on half the steps or more: a two-player game
EMBEDDING_TYPES = ("Embedding", "EmbeddingBag")  # sparse rows: their gradient per weight is small by design


# --- robust statistics ---------------------------------------------------------------------------
def robust_sigma(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (0 for fewer than 2 values)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return 0.0
    return float(MAD_TO_SIGMA * np.median(np.abs(values - np.median(values))))


def step_noise(values: np.ndarray) -> float:
    """The batch-to-batch noise of a curve: robust sigma of successive differences over sqrt(2).

    Differences cancel any slow trend, so a falling curve does not count as noisy.
    """
    values = np.asarray(values, dtype=float)
    if values.size < 3:
        return 0.0
    return robust_sigma(np.diff(values)) / math.sqrt(2.0)


def split_windows(values: np.ndarray, windows: int) -> list[np.ndarray]:
    """`values` cut into `windows` consecutive chunks of nearly equal length."""
    return [chunk for chunk in np.array_split(np.asarray(values, dtype=float), windows) if chunk.size]


def window_count(points: int) -> int:
    """How many windows a curve of `points` values is cut into: up to MAX_WINDOWS of MIN_WINDOW_POINTS."""
    return max(1, min(MAX_WINDOWS, points // MIN_WINDOW_POINTS))


# --- the training loss ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LossCurve:
    """The training loss up to (not including) its first non-finite value."""

    steps: np.ndarray
    values: np.ndarray
    first_nonfinite_step: int | None
    total_steps: int  # optimizer steps in the run (finite or not)

    def __len__(self) -> int:
        return int(self.values.size)

    def windows(self) -> list[np.ndarray]:
        return split_windows(self.values, window_count(len(self)))

    def window_steps(self) -> list[np.ndarray]:
        return split_windows(self.steps, window_count(len(self)))


def train_loss(store: Store) -> LossCurve:
    steps, values = store.series("loss")
    first_bad = store.first_nonfinite_step("loss")
    finite = np.isfinite(values)
    if not finite.all():
        end = int(np.argmin(finite))
        steps, values = steps[:end], values[:end]
    total = max(store.steps_seen, int(steps[-1]) + 1 if steps.size else 0)
    return LossCurve(steps, values, first_bad, total)


@dataclass(frozen=True)
class LossScale:
    """What the task allows: the loss of a model that learned nothing (chance) and the best possible one.

    Known for classification losses only; `chance` is None otherwise.
    """

    chance: float | None
    floor: float
    description: str  # how chance was worked out, for evidence ("ln(10) = 2.30 for 10 classes")
    # False for a loss whose best value depends on the data (a Poisson or Gaussian likelihood): 0 is then
    # no floor, and how far the loss fell from its start says nothing of how far it could have fallen
    floor_known: bool = True


def train_loss_functions(store: Store) -> list[dict]:
    """The loss functions the training called (name, input shape, options), as the monitor recorded them."""
    return [
        info for info in store.structure.get("loss_functions", {}).values() if info.get("phase") == "train"
    ]


def loss_scale(store: Store) -> LossScale:
    """Chance level and floor of the training loss, from the loss function's name, shape and options."""
    train = train_loss_functions(store)
    if len(train) != 1:  # several losses summed: no single chance level
        return LossScale(None, 0.0, "")
    info = train[0]
    name, shape = info.get("name"), info.get("input_shape") or []
    per_sample = _sum_reduction_factor(info)
    if name in CLASS_SCORE_LOSSES and len(shape) >= 2 and shape[1] >= 2:
        classes = int(shape[1])
        smoothing = float(info.get("label_smoothing") or 0.0)
        chance = math.log(classes) * per_sample
        floor = _smoothed_entropy(smoothing, classes) * per_sample
        text = f"ln({classes}) = {math.log(classes):.2f} for {classes} classes"
        if smoothing > 0:
            text += f" (floor {floor:.2f} with label smoothing {smoothing:g})"
            return LossScale(chance, floor, text)
        return _imbalanced(store, classes, per_sample) or LossScale(chance, floor, text)
    if name in BINARY_LOSSES:
        return _imbalanced(store, 2, per_sample) or LossScale(
            math.log(2.0) * per_sample, 0.0, "ln(2) = 0.69 for a binary target"
        )
    return LossScale(None, 0.0, "", floor_known=name not in LIKELIHOOD_LOSSES)


def _imbalanced(store: Store, classes: int, per_sample: float) -> LossScale | None:
    """Chance level for labels of unequal shares, as the batches profiled them: a model that learned
    nothing predicts each class's share, and its loss is their entropy, below ln(C) (0.56 against ln 2 =
    0.69 for 75% positives). None while they are about balanced (entropy within IMBALANCE_ENTROPY of
    ln(C)), or unknown (a saved log)."""
    targets = (store.structure.get("data_profile") or {}).get("targets") or {}
    counts = np.asarray(((targets.get("classes") or {}).get("counts")) or [], dtype=float)
    if counts.size < 2 or counts.sum() <= 0:
        return None
    shares = counts[counts > 0] / counts.sum()
    entropy = float(-(shares * np.log(shares)).sum())
    if entropy >= IMBALANCE_ENTROPY * math.log(classes):
        return None
    labels = (targets.get("classes") or {}).get("labels") or list(range(counts.size))
    commonest = int(np.argmax(counts))
    text = (
        f"{entropy:.2f}, the entropy of its labels ({100 * counts[commonest] / counts.sum():.0f}% of them "
        f"{labels[commonest]}; ln({classes}) = {math.log(classes):.2f} if they were balanced)"
    )
    return LossScale(entropy * per_sample, 0.0, text)


def _sum_reduction_factor(info: dict) -> float:
    """With reduction='sum' the loss adds up the batch: chance scales with the number of terms."""
    if info.get("reduction") != "sum":
        return 1.0
    shape = info.get("input_shape") or [1]
    terms = shape[0] * (int(np.prod(shape[2:])) if len(shape) > 2 else 1)
    if info.get("name") in BINARY_LOSSES:
        terms = int(np.prod(shape))
    return float(max(terms, 1))


def _smoothed_entropy(smoothing: float, classes: int) -> float:
    """The lowest cross-entropy reachable with label smoothing: the entropy of the smoothed target."""
    if smoothing <= 0:
        return 0.0
    on = 1.0 - smoothing + smoothing / classes
    off = smoothing / classes
    return -(on * math.log(on) + (classes - 1) * off * math.log(off))


# --- parameters ----------------------------------------------------------------------------------
def weight_matrix_columns(store: Store, names: list[str]) -> list[int]:
    """Columns of the per-parameter vectors that hold weight matrices (2-D or more), embeddings left out.

    Biases and normalisation gains are 1-D: often initialised to 0 or 1, their update ratios say little
    about the learning rate. Embedding rows get gradient only when their token is in the batch.
    """
    shapes = {p["name"]: p.get("shape", []) for p in store.structure.get("params", [])}
    embeddings = _embedding_prefixes(store)
    columns = []
    for index, name in enumerate(names):
        if len(shapes.get(name, [])) < 2:
            continue
        if any(name == prefix + ".weight" or name == prefix for prefix in embeddings):
            continue
        columns.append(index)
    return columns


def _embedding_prefixes(store: Store) -> set[str]:
    return {m["name"] for m in store.structure.get("modules", []) if m.get("type") in EMBEDDING_TYPES}


def learning_rate(store: Store) -> float | None:
    """The peak learning rate of the first parameter group (after any warm-up), or the configured one."""
    _, lrs = store.series("lr")
    if lrs.size and np.isfinite(lrs).any():
        return float(np.nanmax(lrs))
    groups = (store.structure.get("optimizer") or {}).get("groups") or []
    lr = groups[0].get("lr") if groups else None
    return float(lr) if isinstance(lr, (int, float)) else None


def start_points(values: np.ndarray) -> np.ndarray:
    """The first points of a curve, whose median is the level it started at: the first 5% of them, at
    most 25, over before the fast first fall is."""
    return values[: int(np.clip(START_SHARE * len(values), *START_POINTS))]


def start_level(values: np.ndarray) -> float:
    """The level a curve started at: the median of its `start_points`."""
    return float(np.median(start_points(values)))


def loss_shape_check(function: Callable[[Store], list[Finding]]) -> Callable[[Store], list[Finding]]:
    """A check that reads the training loss curve's shape: it stands down in a two-player game."""

    @functools.wraps(function)
    def judged_unless_a_game(store: Store) -> list[Finding]:
        return [] if two_player_game(store) else function(store)

    return judged_unless_a_game


def two_player_game(store: Store) -> bool:
    """Whether another model trained alongside this one, by its own optimizer, on at least half as many
    steps: a GAN's generator and discriminator, an actor and a critic. Each player's loss is a score in a
    game, held near an equilibrium by the other (a discriminator's 2 ln 2), not a curve that should fall
    to a floor: the checks that read the loss curve's shape do not judge it."""
    other = int(store.structure.get("other_player_steps") or 0)
    return other > 0 and other >= OTHER_PLAYER_SHARE * store.steps_seen


def optimizer_type(store: Store) -> str:
    return str((store.structure.get("optimizer") or {}).get("type") or "the optimizer")


# --- formatting ----------------------------------------------------------------------------------
def fmt(value: float) -> str:
    """A number as a person reads it: 3 significant digits, scientific notation when tiny or huge."""
    if value is None or not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.1e}"


def name_list(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
