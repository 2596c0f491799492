"""bad-init: weight matrices that start constant or far from the scale the standard schemes give, and
biases that start a layer's units in the flat zone of their activation.

Reads the weights probe's table (probes/weights.py: per weight matrix at the first step its std, fan-in,
fan-out, whether it is constant and the activation after it; per biased layer what its bias does to the
pre-activation of the first forward pass) and the monitor's activation statistics of the first forward
pass, which show what the initial scale did to the signal.

The schemes, for a layer with fan-in n and fan-out m:
- He (kaiming_normal_, ReLU family): std sqrt(2 / n);
- LeCun (SELU, linear and output layers): std sqrt(1 / n);
- Xavier/Glorot (xavier_uniform_, tanh and sigmoid): std sqrt(2 / (n + m)), times 5/3 with the tanh gain;
- PyTorch's default (kaiming_uniform_ with a = sqrt(5)): std 1 / sqrt(3 n), and 1 / sqrt(3 hidden) for
  recurrent layers. It is sound, and stays quiet.
Biases: 0 in every scheme, or PyTorch's default uniform(+-1/sqrt(fan_in)).
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
# a zero matrix cuts the input off: every later layer computes the same for all samples. When the next
# layer's output still varies across samples by 1% of its scale or more (a healthy layer's varies by
# tens of %), the input goes around it: the zero-init residual trick, whose branch starts as the identity
SIGNAL_PASSES = 0.01
# half a layer's units off from the first step: as dead-relu and saturated-activations count a layer
SILENCED_SHARE = 0.5


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
    A zero matrix whose next layer still sees the input (its output varies across the first batch's
    samples by 1% of its scale or more) is the last layer of a residual branch, zeroed on purpose.
    Rule 2: weight matrices whose std lies 2x outside the range spanned by He, LeCun, Xavier and
    PyTorch's default for their shape (layers behind a normalisation layer are left out: it undoes the
    scale), when the first forward pass confirms it: the signal leaving the last weight layer is 10x
    smaller (or larger) than a well-scaled first layer with the same signal change would give.
    Rule 3: a bias that turns off half a layer's units or more at the first forward pass: with it they
    sit in the flat zone of the activation after it (a ReLU that never fires on the batch, a tanh/sigmoid
    or smooth ReLU whose typical pre-activation is where its slope is at most 4% of its maximum), without
    it they do not; and the bias of those units lies beyond +-1/sqrt(fan_in), which no standard scheme
    gives (PyTorch's default draws within it, the others use 0). Judging each unit's bias against its own
    pre-activation leaves pretrained biases, small positive ReLU biases and gate biases alone unless they
    really switch the units off.
    """
    return _constant_weights(store) + _badly_scaled(store) + _silencing_biases(store)


def _constant_weights(store: Store) -> list[Finding]:
    rows = [row for row in store.structure.get("weights", []) if row.get("type") in SCALED_TYPES]
    if len(rows) < 2:  # a single layer (logistic regression) has no units to keep symmetric
        return []
    indexed = [row for row in rows if row.get("forward_index") is not None]
    last = max(indexed, key=lambda row: row["forward_index"]) if indexed else rows[-1]
    constant = [row for row in rows if row.get("constant") and row is not last and not _bypassed_zero(row)]
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


def _bypassed_zero(row: dict) -> bool:
    """A zero matrix that the input goes around (a residual branch's last layer, zeroed on purpose)."""
    return row["mean"] == 0 and (row.get("next_sample_spread") or 0.0) >= SIGNAL_PASSES


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


def _silencing_biases(store: Store) -> list[Finding]:
    rows = [row for row in store.structure.get("weights", []) if _bias_silences(row)]
    if not rows:
        return []
    names = [_bias_name(row) for row in rows]
    layers = f"{len(rows)} layers ({name_list(names)})" if len(rows) > 1 else f"one layer ({names[0]})"
    bound = fmt(1 / math.sqrt(max(1, rows[0]["fan_in"])))
    evidence = (
        f"At the first step the biases of {layers} switch off half their units or more, units that work "
        f"without them: {'; '.join(_silenced_text(row) for row in rows[:3])}. Units held there pass on "
        "almost nothing of the input and get almost no gradient. PyTorch's default biases stay within "
        f"+-1/sqrt(fan_in) ({bound} for {names[0]}), other schemes use 0."
    )
    advice = (
        f"Initialise {name_list(names)} to 0 (nn.init.zeros_), or to a small value (0.01) before a ReLU, "
        f"and the weights with {_scheme_call(rows[0].get('activation', 'unknown'))}, so that units start "
        "in the working range of their activation. For sparse features, penalise the activations (an L1 "
        "term) instead."
    )
    return [Finding("bad-init", evidence, confidence=0.9, step=0, where=names[0], advice=advice)]


def _bias_silences(row: dict) -> bool:
    bias = row.get("bias")
    if not bias or not bias.get("units") or bias.get("silenced_bias") is None:
        return False
    default_bound = 1 / math.sqrt(max(1, int(row["fan_in"])))
    return bias["silenced"] / bias["units"] >= SILENCED_SHARE and abs(bias["silenced_bias"]) > default_bound


def _silenced_text(row: dict) -> str:
    bias = row["bias"]
    value = fmt(bias["mean"])
    if bias["min"] != bias["max"]:
        value = f"{fmt(bias['min'])} to {fmt(bias['max'])} (mean {value})"
    spread = bias.get("preact_std") or 0.0
    scale = f"the pre-activation it is added to has std {fmt(spread)}"
    if spread > 0:
        scale += f", {fmt(abs(bias['silenced_bias']) / spread)}x less than the bias of these units"
    activation = row.get("activation", "unknown")
    off = (
        "never fire on the first batch"
        if activation == "relu"
        else f"sit mostly where the {activation} is flat (slope at most 4% of its maximum)"
    )
    units = f"{round(bias['silenced'])} of {round(bias['units'])} units"
    return f"{_bias_name(row)} = {value} and {scale}; {units} {off}"


def _bias_name(row: dict) -> str:
    name = row["name"]
    return name[: -len("weight")] + "bias" if name.endswith("weight") else f"{row['module']}.bias"


def _scheme_call(activation: str) -> str:
    if activation in RELU_FAMILY:
        return "nn.init.kaiming_normal_(w, nonlinearity='relu') (He)"
    if activation in SATURATING:
        return f"nn.init.xavier_normal_(w, gain=nn.init.calculate_gain('{activation}')) (Xavier/Glorot)"
    if activation in LINEAR:
        return "nn.init.kaiming_normal_(w, nonlinearity='linear') (LeCun)"
    return "PyTorch's default (remove the custom init)"
