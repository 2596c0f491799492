"""bad-init: weight matrices that start constant, or far from the scale the standard schemes give.

Reads the weights probe's table (probes/weights.py: per weight matrix at the first step its std, fan-in,
fan-out, whether it is constant and the activation after it) and the monitor's activation statistics
of the first forward pass, which show what the initial scale did to the signal.

The schemes, for a layer with fan-in n and fan-out m:
- He (kaiming_normal_, ReLU family): std sqrt(2 / n);
- LeCun (SELU, linear and output layers): std sqrt(1 / n);
- Xavier/Glorot (xavier_uniform_, tanh and sigmoid): std sqrt(2 / (n + m)), times 5/3 with the tanh gain;
- PyTorch's default (kaiming_uniform_ with a = sqrt(5)): std 1 / sqrt(3 n), and 1 / sqrt(3 hidden) for
  recurrent layers. It is sound, and stays quiet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import fmt, name_list

RELU_FAMILY = ("relu", "leaky_relu", "elu", "gelu", "silu", "softplus")
SATURATING = ("tanh", "sigmoid")
LINEAR = ("selu", "identity", "output")
TANH_GAIN = 5 / 3  # torch.nn.init.calculate_gain("tanh")
SCALED_TYPES = ("Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "RNN", "LSTM", "GRU")
RECURRENT_TYPES = ("RNN", "LSTM", "GRU")
# the standard schemes already disagree by up to ~2.5x (PyTorch's default is 0.41x He); a layer 2x beyond
# all of them is outside any of them, not a variant
SCHEME_MARGIN = 2.0
# an order of magnitude: the signal leaving the network at the first step is 10x (or more) smaller or
# larger than a properly initialised network gives; within that, optimisers and normalisation cope
SIGNAL_FACTOR = 10.0


@dataclass(frozen=True)
class LayerInit:
    name: str
    module: str
    std: float
    recommended: float  # std of the scheme for the activation after it
    scheme: str  # "He", "LeCun" or "Xavier/Glorot", with the activation it suits
    activation: str
    low: float  # the accepted range: every standard scheme for this layer, SCHEME_MARGIN beyond
    high: float
    forward_index: int | None

    @property
    def ratio(self) -> float:
        return self.std / self.recommended


def layer_inits(store: Store) -> list[LayerInit]:
    """Every scaled weight matrix (not behind a normalisation layer) with its scheme and accepted range."""
    layers = []
    for row in store.structure.get("weights", []):
        if row.get("type") not in SCALED_TYPES or row.get("normalized") or row.get("constant"):
            continue
        fan_in, fan_out = max(1, int(row["fan_in"])), max(1, int(row["fan_out"]))
        activation = row.get("activation", "unknown")
        he, lecun = math.sqrt(2 / fan_in), math.sqrt(1 / fan_in)
        xavier = math.sqrt(2 / (fan_in + fan_out))
        hidden = row.get("hidden_size") if row.get("type") in RECURRENT_TYPES else None
        default = 1 / math.sqrt(3 * (hidden or fan_in))
        if activation in RELU_FAMILY:
            recommended, scheme = he, f"He (kaiming_normal_) for the {activation} after it"
            accepted = [he, math.sqrt(2 / fan_out)]
        elif activation in SATURATING:
            recommended, scheme = xavier, f"Xavier/Glorot (xavier_normal_) for the {activation} after it"
            accepted = [xavier, TANH_GAIN * xavier if activation == "tanh" else xavier, lecun]
        elif activation in LINEAR:
            what = "the SELU after it" if activation == "selu" else "a layer with no activation after it"
            recommended, scheme = lecun, f"LeCun (std sqrt(1/fan_in)) for {what}"
            accepted = [lecun, math.sqrt(1 / fan_out)]
        else:  # unknown: judged against every scheme, advised the one PyTorch uses
            recommended, scheme = default, "PyTorch's default (kaiming_uniform_ with a=sqrt(5))"
            accepted = [he, math.sqrt(2 / fan_out), TANH_GAIN * xavier, lecun]
        accepted += [default, xavier]
        layers.append(
            LayerInit(
                name=row["name"],
                module=row.get("module", row["name"]),
                std=float(row["std"]),
                recommended=recommended,
                scheme=scheme,
                activation=activation,
                low=min(accepted) / SCHEME_MARGIN,
                high=max(accepted) * SCHEME_MARGIN,
                forward_index=row.get("forward_index"),
            )
        )
    return layers


def signal_change(store: Store, layers: list[LayerInit]) -> float | None:
    """How much the first forward pass's signal grew (>1) or shrank (<1) from the first weight layer's
    output to the last one's, as std ratio at the first activation-sampled step."""
    _, modules, stds = store.vectors("act_std")
    if not stds.shape[0]:
        return None
    first_row = stds[0]
    position = {name: index for index, name in enumerate(modules)}
    ordered = sorted(
        (layer for layer in layers if layer.forward_index is not None and layer.module in position),
        key=lambda layer: layer.forward_index,
    )
    if len(ordered) < 2:
        return None
    first, last = first_row[position[ordered[0].module]], first_row[position[ordered[-1].module]]
    if not (np.isfinite(first) and np.isfinite(last)) or first <= 0:
        return None
    return float(last / first)


@check
def bad_init(store: Store) -> list[Finding]:
    """Weights start constant, or far off every standard scale and the signal shows it.

    Rule 1: a hidden weight matrix (any but the last layer the forward pass runs) whose entries are all
    equal: its units compute the same thing and get the same update, so they stay copies of each other
    (zero: no signal passes at all).
    Rule 2: weight matrices whose std lies 2x outside the range spanned by He, LeCun, Xavier and
    PyTorch's default for their shape (layers behind a normalisation layer are left out: it undoes the
    scale), when the first forward pass confirms it: the signal leaving the last weight layer is 10x
    smaller (or larger) than a well-scaled first layer with the same signal change would give.
    """
    findings = _constant_weights(store)
    scaled = _badly_scaled(store)
    return findings + scaled


def _constant_weights(store: Store) -> list[Finding]:
    rows = [row for row in store.structure.get("weights", []) if row.get("type") in SCALED_TYPES]
    if len(rows) < 2:  # a single layer (logistic regression) has no units to keep symmetric
        return []
    indexed = [row for row in rows if row.get("forward_index") is not None]
    last = max(indexed, key=lambda row: row["forward_index"]) if indexed else rows[-1]
    constant = [row for row in rows if row.get("constant") and row is not last]
    if not constant:
        return []
    zero = all(row["mean"] == 0 for row in constant)
    value = "0" if zero else ", ".join(sorted({fmt(row["mean"]) for row in constant}))
    names = [row["name"] for row in constant]
    evidence = (
        f"{len(constant)} hidden weight matrices start with every entry equal to {value} "
        f"({name_list(names)}): the units of each layer compute the same output and receive the same "
        "update, so they stay copies of one another"
        + (" (and a zero matrix passes no signal and no gradient at all)." if zero else ".")
    )
    advice = " ".join(
        f"Initialise {row['name']} with {_scheme_call(row.get('activation', 'unknown'))}."
        for row in constant[:3]
    )
    return [Finding("bad-init", evidence, confidence=0.9, step=0, where=constant[0]["name"], advice=advice)]


def _badly_scaled(store: Store) -> list[Finding]:
    # the output layer is left out: a small one (near-uniform first predictions) is a deliberate choice
    layers = [layer for layer in layer_inits(store) if layer.activation != "output"]
    small = [layer for layer in layers if layer.std < layer.low]
    large = [layer for layer in layers if layer.std > layer.high]
    change = signal_change(store, layers)
    if change is None or not (small or large):
        return []
    ordered = sorted(layers, key=lambda layer: (layer.forward_index is None, layer.forward_index or 0))
    first = ordered[0]
    # the first layer's own deviation is not in the measured change: the signal entering it is not seen
    leaving = change * (first.ratio if first in small + large else 1.0)
    if small and leaving <= 1 / SIGNAL_FACTOR:
        off, direction, verb = small, "below", "shrinks"
    elif large and leaving >= SIGNAL_FACTOR:
        off, direction, verb = large, "above", "grows"
    else:
        return []
    worst = (
        min(off, key=lambda layer: layer.ratio) if direction == "below" else max(off, key=lambda l: l.ratio)
    )
    times = worst.ratio if direction == "above" else 1 / worst.ratio
    evidence = (
        f"{len(off)} of {len(layers)} weight matrices start {direction} every standard scale "
        f"({name_list([layer.name for layer in off])}); {worst.name} has std {fmt(worst.std)}, "
        f"{fmt(times)}x {direction} the {fmt(worst.recommended)} of {worst.scheme}. At the first step the "
        f"signal {verb} to {fmt(leaving)}x of a well-scaled network's by the last weight layer "
        f"(measured std of the layer outputs: {fmt(change)}x from the first to the last)."
    )
    advice = " ".join(f"{layer.name}: std {fmt(layer.recommended)}, {layer.scheme}." for layer in off[:3])
    return [Finding("bad-init", evidence, confidence=0.85, step=0, where=worst.name, advice=advice)]


def _scheme_call(activation: str) -> str:
    if activation in RELU_FAMILY:
        return "nn.init.kaiming_normal_(w, nonlinearity='relu') (He)"
    if activation in SATURATING:
        return f"nn.init.xavier_normal_(w, gain=nn.init.calculate_gain('{activation}')) (Xavier/Glorot)"
    if activation in LINEAR:
        return "nn.init.kaiming_normal_(w, nonlinearity='linear') (LeCun)"
    return "PyTorch's default (remove the custom init)"
