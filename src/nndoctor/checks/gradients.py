"""Checks on the gradients: norms that explode, or that vanish before reaching the first layers.

Gradient norms are sampled (every step for the first 64, then every 8th, then every 64th), before any
clipping. Thresholds are in orders of magnitude against the run's own levels: its running median for
spikes, its last layer for vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import fmt, name_list, weight_matrix_columns

# exploding-gradients
SPIKE_FACTOR = 100.0  # two orders of magnitude above the running median: far outside batch-to-batch spread
ABOVE_USUAL_FACTOR = 10.0  # and an order above the 90th percentile of all earlier norms: near convergence
# gradients shrink 1000x, and one ordinary batch then looks like a spike against the running median alone
RUNNING_WINDOW = 16  # samples in the running median a spike is compared with
MIN_HISTORY = 4  # a running median over fewer samples is not a level yet
CLIP_QUANTILE = 0.9  # clip at the 90th percentile of the healthy norms: leaves typical steps untouched

# vanishing-gradients
VANISHING_FACTOR = 1e-2  # two orders of magnitude below the last layer (healthy nets stay within ~30x)
COMPENSATED_FACTOR = 1e-1  # Adam-like optimisers rescale: updates within 10x of the last layer's still learn
TINY_WEIGHT_NORM = 1e-8  # a zero-initialised matrix has no scale to compare its gradient with
MIN_GRADIENT_SAMPLES = 4


# --- exploding-gradients -------------------------------------------------------------------------
@dataclass(frozen=True)
class Spike:
    step: int
    norm: float
    running_median: float
    count: int  # spikes in the run
    clip_at: float
    steps: tuple[int, ...]  # every spike's step


def gradient_spikes(store: Store) -> Spike | None:
    """The largest gradient-norm spike of at least SPIKE_FACTOR times the running median before it.

    With clipping on, a norm counts only up to the clipping threshold: what clipping caps cannot throw
    the weights away. The first samples, with little past, are compared with the samples before them.
    """
    steps, norms = store.series("grad_norm")
    clip = store.structure.get("clip_max_norm")
    effective = np.minimum(norms, clip) if isinstance(clip, (int, float)) and clip > 0 else norms
    finite = np.isfinite(effective)
    if not finite.all():  # after a NaN the norms say nothing more
        steps, effective = steps[: int(np.argmin(finite))], effective[: int(np.argmin(finite))]
    spikes: list[tuple[float, int, float, float]] = []
    history: list[float] = []
    for index, (step, norm) in enumerate(zip(steps, effective)):
        level = _typical_level(effective, index, history)
        if _is_spike(norm, level, history):
            spikes.append((norm / level, int(step), float(norm), level))
            continue  # keep spikes out of the running level
        history.append(float(norm))
    if not spikes:
        return None
    _, step, norm, level = max(spikes)
    clip_at = float(np.quantile(history, CLIP_QUANTILE)) if history else spikes[0][3]
    return Spike(step, norm, level, len(spikes), clip_at, tuple(sorted(spike[1] for spike in spikes)))


def _typical_level(norms: np.ndarray, index: int, history: list[float]) -> float:
    """The median of the last RUNNING_WINDOW non-spike norms; for the first samples, with little past, the
    median of every sample before it. Never the samples after: gradients that start large and shrink by
    orders of magnitude are a run converging (L-BFGS, a fast start), not one exploding."""
    if len(history) >= MIN_HISTORY:
        return float(np.median(history[-RUNNING_WINDOW:]))
    past = norms[max(0, index - RUNNING_WINDOW) : index]
    return float(np.median(past)) if past.size else 0.0


def _is_spike(norm: float, level: float, history: list[float]) -> bool:
    if level <= 0 or norm < SPIKE_FACTOR * level:
        return False
    if len(history) < MIN_HISTORY:
        return True
    return norm >= ABOVE_USUAL_FACTOR * float(np.quantile(history, CLIP_QUANTILE))


@check
def exploding_gradients(store: Store) -> list[Finding]:
    """The gradient norm jumps by orders of magnitude above its usual level.

    Rule: a sampled total gradient norm (before clipping, capped at the clipping threshold if one is
    set) is 100x or more the running median of the 16 samples before it (all the samples before it early on), and 10x or more the 90th
    percentile of all earlier norms (so that shrinking gradients near convergence do not make an
    ordinary batch look like a spike). The advice clips at the 90th percentile of the other samples' norms,
    which leaves ordinary steps untouched.
    """
    spike = gradient_spikes(store)
    if spike is None:
        return []
    evidence = (
        f"The gradient norm reached {fmt(spike.norm)} at step {spike.step}, "
        f"{fmt(spike.norm / spike.running_median)}x its running median of {fmt(spike.running_median)}"
        + (f" ({spike.count} sampled steps spiked 100x or more)." if spike.count > 1 else ".")
    )
    clip_at = float(f"{spike.clip_at:.2g}")
    advice = (
        f"Clip at max_norm={clip_at:g} (the 90th percentile of this run's other gradient norms): "
        f"torch.nn.utils.clip_grad_norm_(model.parameters(), {clip_at:g})."
    )
    clip = store.structure.get("clip_max_norm")
    if isinstance(clip, (int, float)):
        advice = f"The run clips at max_norm={clip:g}, far above its usual norms. " + advice
    return [Finding("exploding-gradients", evidence, confidence=0.85, step=spike.step, advice=advice)]


# --- vanishing-gradients -------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerScale:
    name: str
    relative_gradient: float  # median over samples of gradient norm / weight norm
    update_ratio: float | None


def layer_gradient_scales(store: Store) -> list[LayerScale]:
    """Each weight matrix's gradient relative to its own norm, in parameter (usually forward) order.

    Normalising by the weight norm makes layers of different widths and scales comparable: it is how
    fast plain SGD would change the layer. Exact zeros (dead units, unused branches) are left out: a
    gradient that is absent has not vanished.
    """
    grad_steps, names, gradients = store.vectors("grad_norm")
    weight_steps, _, weights = store.vectors("weight_norm")
    ratio_steps, _, ratios = store.vectors("update_ratio")
    if not grad_steps.size or not weight_steps.size:
        return []
    common, grad_rows, weight_rows = np.intersect1d(grad_steps, weight_steps, return_indices=True)
    _, _, ratio_rows = np.intersect1d(common, ratio_steps, return_indices=True)
    scales = []
    for column in _in_forward_order(store, names, weight_matrix_columns(store, names)):
        gradient = gradients[grad_rows, column]
        weight = weights[weight_rows, column]
        usable = np.isfinite(gradient) & np.isfinite(weight) & (gradient > 0) & (weight > TINY_WEIGHT_NORM)
        if usable.sum() < MIN_GRADIENT_SAMPLES:
            continue
        relative = float(np.median(gradient[usable] / weight[usable]))
        update = ratios[ratio_rows, column] if ratio_rows.size else np.zeros(0)
        update = update[np.isfinite(update)]
        scales.append(LayerScale(names[column], relative, float(np.median(update)) if update.size else None))
    return scales


def _in_forward_order(store: Store, names: list[str], columns: list[int]) -> list[int]:
    """Parameter columns sorted by when their module ran in the forward pass, when the monitor saw every
    one of those modules' outputs; otherwise in the optimizer's order (registration order, usually the same)."""
    _, modules, _ = store.vectors("act_mean")
    position = {module: index for index, module in enumerate(modules)}
    owners = [names[column].rpartition(".")[0] for column in columns]
    if not modules or not all(owner in position for owner in owners):
        return columns
    return [
        column for _, column in sorted(zip((position[o] for o in owners), columns), key=lambda pair: pair[0])
    ]


@check
def vanishing_gradients(store: Store) -> list[Finding]:
    """The gradient reaching the first layers is orders of magnitude below the last layer's.

    Rule: per weight matrix, the median over sampled steps of gradient norm / weight norm; the first
    matrix and every matrix below 1e-2 times the last matrix's value (two orders of magnitude; healthy
    nets, default-initialised or normalised, stay within about 30x) are reported. Quiet when an adaptive
    optimiser compensates: if those layers' update ratios are within 10x of the last layer's, they learn.
    """
    scales = layer_gradient_scales(store)
    if len(scales) < 2:
        return []
    last = scales[-1]
    vanished = [s for s in scales[:-1] if s.relative_gradient <= VANISHING_FACTOR * last.relative_gradient]
    if not vanished or vanished[0] is not scales[0]:
        return []
    if _optimizer_compensates(vanished, last):
        return []
    first = scales[0]
    orders = np.log10(last.relative_gradient / first.relative_gradient)
    evidence = (
        f"Relative to their weights, the gradients of {len(vanished)} of {len(scales)} weight matrices "
        f"({name_list([s.name for s in vanished])}) are {VANISHING_FACTOR:g}x or less the last layer's "
        f"({last.name}: {fmt(last.relative_gradient)}); the first, {first.name}, is {orders:.1f} orders of "
        f"magnitude below ({fmt(first.relative_gradient)})."
    )
    if first.update_ratio is not None:
        evidence += (
            f" Its weights move by {fmt(first.update_ratio)} of their norm per step."
            if first.update_ratio > 0
            else " Its weights do not move at all (each update is below float precision)."
        )
    return [Finding("vanishing-gradients", evidence, confidence=0.85, where=first.name)]


def _optimizer_compensates(vanished: list[LayerScale], last: LayerScale) -> bool:
    if last.update_ratio is None or not last.update_ratio > 0:
        return False
    updates = [s.update_ratio for s in vanished if s.update_ratio is not None]
    return bool(updates) and float(np.median(updates)) >= COMPENSATED_FACTOR * last.update_ratio
