"""Checks on unit health: ReLU units that never fire (dead-relu), sigmoid/tanh units pinned at their
bounds (saturated-activations).

Both read the units probe's windows (probes/units.py): per layer, over a few activation-sampled batches,
the share of ReLU units that never fired and the share of sigmoid/tanh outputs where the slope is at
most 4% of its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import loss_scale, name_list, train_loss
from .loss import loss_stall

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
            result.append(
                LayerShare(name, float(last), float(values[0][1]), counts.get(name), int(steps[last_row]))
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
    narrow layers) from units killed by training (a learning rate too high).
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
    return [
        Finding(
            "dead-relu",
            evidence,
            confidence=0.9 if whole else 0.75,
            step=worst.step,
            where=worst.name,
            advice=advice,
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
SATURATED_SHARE = 0.5  # half a layer's outputs on a slope <= 4% of its maximum: most of its gradient is gone


@check
def saturated_activations(store: Store) -> list[Finding]:
    """Sigmoid/tanh units sit where their slope is nearly flat.

    Rule: in the last window of sampled batches that covered at least 64 samples, half or more of a
    sigmoid/tanh layer's outputs are within the saturated zone (slope at most 4% of its maximum: sigmoid
    below 0.01 or above 0.99, tanh beyond +-0.98), and the training loss is stuck (loss-plateau's rule):
    saturated units still work as on/off features, and a network that learns with them is left alone.
    """
    layers = [layer for layer in _late_shares(store, "saturated_frac") if layer.share >= SATURATED_SHARE]
    if not layers or loss_stall(train_loss(store), loss_scale(store)) is None:
        return []
    worst = max(layers, key=lambda layer: layer.share)
    parts = [f"`{layer.name}`: {100 * layer.share:.0f}%" for layer in layers]
    evidence = (
        f"Half or more of the outputs of {len(layers)} sigmoid/tanh layers sit where the slope is at most "
        f"4% of its maximum, so gradients through them are cut 25x or more ({name_list(parts, 4)} of "
        "outputs, over the last sampled batches)."
    )
    evidence += (
        f" `{worst.name}` was {100 * worst.first_share:.0f}% saturated from the first batches"
        if worst.first_share >= SATURATED_SHARE
        else f" `{worst.name}` saturated during training ({100 * worst.first_share:.0f}% at the start)"
    ) + ", and the training loss has stopped falling."
    advice = (
        "Look at what feeds these units: standardise the inputs, use Xavier init (xavier_normal_ with "
        "gain calculate_gain('tanh') for tanh), remove any scaling of the pre-activations, add a "
        "LayerNorm/BatchNorm before the activation, or use ReLU/GELU in hidden layers."
    )
    return [
        Finding(
            "saturated-activations",
            evidence,
            confidence=0.8,
            step=worst.step,
            where=worst.name,
            advice=advice,
        )
    ]
