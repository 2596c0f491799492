"""Checks on unit health: ReLU units that never fire (dead-relu), sigmoid/tanh units pinned at their
bounds (saturated-activations).

Both read the units probe's windows (probes/units.py): per layer, over a few activation-sampled batches,
the share of ReLU units that never fired and the share of sigmoid/tanh outputs where the slope is at
most 4% of its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..findings import Finding, Severity
from ..monitor.store import Store
from . import check
from ._signals import fmt, loss_scale, name_list, train_loss
from .loss import Stall, loss_stall

# dead-relu
MIN_WINDOW_SAMPLES = 64  # a unit firing on 5% of inputs shows at least once in 64 samples with 96% odds
DEAD_SHARE = 0.5  # half a layer silent: it passes on half its width at most; healthy layers lose a few %
ALL_DEAD_SHARE = 1.0  # every unit silent: nothing passes the layer, nothing below it gets a gradient


@dataclass(frozen=True)
class LayerShare:
    name: str
    share: float  # in the last window that covered enough samples
    first_share: float  # in the first such window
    units: int | None
    step: int  # when the last window ended
    history: tuple[tuple[int, float], ...] = ()  # (step the window ended, share) of every window read


def _late_shares(store: Store, series: str) -> list[LayerShare]:
    """Per layer, its share in the last window with at least MIN_WINDOW_SAMPLES samples (and the first)."""
    steps, layers, matrix = store.vectors(series)
    window_steps, samples = store.series("units_window_samples")
    enough = set(window_steps[samples >= MIN_WINDOW_SAMPLES].tolist())
    rows = [index for index, step in enumerate(steps) if int(step) in enough]
    if not rows:
        return []
    counts = store.structure.get("unit_counts", {})
    result = []
    for column, name in enumerate(layers):
        values = [(row, matrix[row, column]) for row in rows if np.isfinite(matrix[row, column])]
        if values:
            last_row, last = values[-1]
            history = tuple((int(steps[row]), float(value)) for row, value in values)
            result.append(
                LayerShare(
                    name, float(last), float(values[0][1]), counts.get(name), int(steps[last_row]), history
                )
            )
    return result


def _units_text(layer: LayerShare) -> str:
    if layer.units is None:
        return f"{100 * layer.share:.0f}%"
    return f"{round(layer.share * layer.units)} of {layer.units} units"


@check
def dead_relu(store: Store) -> list[Finding]:
    """A large share of a layer's ReLU units never fire.

    Rule: in the last window of sampled batches that covered at least 64 samples, half or more of a
    ReLU layer's units did not fire once (output > 0). Healthy layers lose a few percent; half a layer
    silent halves its width, and a layer with every unit silent passes nothing on and stops every
    gradient below it. The share at the first window tells apart units dead from the start (init,
    narrow layers) from units killed by training (a learning rate too high). Half a layer silent while
    the loss still fell to a level it did not stall at is a note: the live half carries the training.
    """
    layers = _late_shares(store, "relu_dead_frac")
    dead = [layer for layer in layers if layer.share >= DEAD_SHARE]
    if not dead:
        return []
    worst = max(dead, key=lambda layer: layer.share)
    whole = [layer for layer in dead if layer.share >= ALL_DEAD_SHARE]
    parts = [f"`{layer.name}`: {_units_text(layer)}" for layer in dead]
    evidence = (
        f"{len(dead)} of {len(layers)} ReLU layers have half or more of their units that never fired over "
        f"the last sampled batches ({name_list(parts, 4)})."
    )
    if whole:
        evidence += (
            f" In {name_list([f'`{layer.name}`' for layer in whole])} no unit fires at all: the layer outputs 0 for "
            "every input, and no gradient reaches the layers before it."
        )
    if worst.first_share < DEAD_SHARE <= worst.share:
        evidence += f" At the start only {100 * worst.first_share:.0f}% of `{worst.name}` was silent: training killed them."
    else:
        evidence += (
            f" `{worst.name}` was already {100 * worst.first_share:.0f}% silent in the first sampled batches."
        )
    advice = _dead_advice(store, worst)
    hurts = bool(whole) or loss_stall(train_loss(store), loss_scale(store)) is not None
    if not hurts:
        evidence += " The loss did not stall: the live units carry the training, so far."
    return [
        Finding(
            "dead-relu",
            evidence,
            confidence=0.9 if whole else 0.75,
            step=worst.step,
            where=worst.name,
            advice=advice,
            severity=None if hurts else Severity.INFO,
        )
    ]


def _dead_advice(store: Store, worst: LayerShare) -> str:
    if worst.units is not None and worst.units <= 16:
        return (
            f"`{worst.name}` has only {worst.units} units: with so few, all of them can be negative on every "
            "input. Make the layers wider (32 or more units) or the network shallower, or use LeakyReLU."
        )
    return "Use nn.LeakyReLU(0.01) or GELU in place of ReLU."


# --- saturated-activations -------------------------------------------------------------------------
# half a layer's outputs where the slope is <= 4% of its maximum: at most half the layer still passes a
# gradient, and in a recurrent layer the cut repeats at every time step
SATURATED_SHARE = 0.5
RECURRENT_TYPES = ("RNN", "LSTM", "GRU")
# a recurrent layer this saturated from its first batches, and still: with unit-scale inputs and a
# Xavier/LeCun-scaled cell the pre-activations have a std near 1 and ~2% of tanh outputs pass +-0.98;
# 25% is what a std of 2 gives (P(|z| > 2.3) for z ~ N(0, 2^2)): inputs twice too large or more
RECURRENT_START_SHARE = 0.25


@check
def saturated_activations(store: Store) -> list[Finding]:
    """Sigmoid/tanh units sit where their slope is nearly flat while the loss is stuck, or a recurrent
    layer does so from its first batches on.

    Rule: the training loss is stuck (loss-plateau's rule: flat over the last half of the run, well
    above chance level or its start), and over the batches sampled while it was stuck (median of the
    windows) half or more of a sigmoid/tanh layer's outputs sit in the saturated zone: slope at most 4%
    of its maximum, sigmoid below 0.01 or above 0.99, tanh beyond +-0.98. Saturated units still work as
    on/off features, so a network that keeps learning with them is left alone; except a recurrent layer
    (nn.RNN/LSTM/GRU, or a hand-written cell) that starts with a quarter or more of its outputs saturated
    and stays so (median over the run): its gradient through time is cut at every time step, so what
    spans more than a few steps is not learnt even while the loss falls on the rest.
    """
    layers = _late_shares(store, "saturated_frac")
    stall = loss_stall(train_loss(store), loss_scale(store))
    if stall is not None:
        stuck = [
            (layer, share)
            for layer in layers
            if (share := _median_since(layer, stall.since_step)) >= SATURATED_SHARE
        ]
        if stuck:
            return [_saturation_finding(store, stuck, stall)]
    recurrent = [
        (layer, share)
        for layer in layers
        if _is_recurrent(store, layer)
        and layer.first_share >= RECURRENT_START_SHARE
        and (share := _median_since(layer, 0)) >= RECURRENT_START_SHARE
    ]
    return [_saturation_finding(store, recurrent, None)] if recurrent else []


def _saturation_finding(store: Store, layers: list[tuple[LayerShare, float]], stall: Stall | None) -> Finding:
    worst = max(layers, key=lambda pair: pair[1])[0]
    parts = [f"{100 * share:.0f}% of the outputs of `{layer.name}`" for layer, share in layers]
    zone = (
        "sigmoid/tanh outputs sat where the slope is at most 4% of its maximum, which cuts the gradient "
        f"through them 25x or more: {name_list(parts, 4)}"
    )
    if stall is not None:
        evidence = (
            f"While the training loss stayed flat at {fmt(stall.level)} (since step {stall.since_step}), "
            f"{zone} (median over the batches sampled since then)."
        )
        evidence += (
            f" `{worst.name}` was {100 * worst.first_share:.0f}% saturated from the first batches."
            if worst.first_share >= SATURATED_SHARE
            else f" `{worst.name}` saturated during training ({100 * worst.first_share:.0f}% at the start)."
        )
    else:
        evidence = (
            f"From the first batches on, {zone} (median over the run; {100 * worst.first_share:.0f}% at the "
            f"start). `{worst.name}` is recurrent: the gradient through time passes these units at every "
            "step, so what spans more than a few steps is hardly learnt, even while the loss falls."
        )
    return Finding(
        "saturated-activations",
        evidence,
        confidence=0.8 if stall is not None else 0.6,
        step=worst.step,
        where=worst.name,
        advice=_saturation_advice(store, worst),
    )


def _feeding(layer: LayerShare) -> str:
    return layer.name.rsplit(" (", 1)[0]  # units are named after the layers that feed them


def _is_recurrent(store: Store, layer: LayerShare) -> bool:
    types = {row.get("module"): row.get("type") for row in store.structure.get("weights", [])}
    return types.get(_feeding(layer)) in RECURRENT_TYPES or layer.name in store.structure.get(
        "recurrent_units", []
    )


def _median_since(layer: LayerShare, step: int) -> float:
    """The layer's median share over the windows that ended at or after `step` (else its last one)."""
    shares = [share for window_step, share in layer.history if window_step >= step]
    return float(np.median(shares)) if shares else layer.share


def _saturation_advice(store: Store, worst: LayerShare) -> str:
    if _is_recurrent(store, worst):
        return (
            f"`{worst.name}` is recurrent: its gradient is cut again at every time step. Check the scale "
            "of what it reads (an embedding multiplied by sqrt(d), a sum over a bag of embeddings where a "
            "mean was meant, unnormalised features): keep its inputs near unit scale, or put a LayerNorm "
            "before it."
        )
    feeding = _feeding(worst)
    if worst.first_share < SATURATED_SHARE:
        return (
            f"`{feeding}`'s pre-activations grew during training: its updates are too large (try a learning "
            "rate 3-10x lower), or what feeds it grows (a sum over many inputs where a mean was meant). "
            "Adam's per-weight step sizes often pull saturated units back where plain SGD cannot."
        )
    return (
        f"`{feeding}`'s pre-activations are too large from the start: look at what feeds it (a sum over "
        "many inputs where a mean was meant, a scale factor, unnormalised features, a large init)."
    )
