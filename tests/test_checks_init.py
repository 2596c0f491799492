"""bad-init: constant weights, scales far from every standard scheme and biases that switch units off, on
hand-made stores and real runs; zeroed residual branches, default and LSTM gate biases stay quiet."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from store_builders import finish, new_store
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.checks.init import bad_init
from nndoctor.monitor.probes.units import SIGMOID_MARGIN, TANH_BOUND
from nndoctor.monitor.probes.weights import flat_zone


def weights_store(rows: list[dict], first_stds: list[float] | None = None):
    """The weights probe's table, and the first forward pass's output std per layer (module = name)."""
    store = new_store()
    store.apply({"kind": "structure", "data": {"weights": rows}})
    if first_stds is not None:
        names = [row["module"] for row in rows]
        store.apply({"kind": "columns", "name": "act_std", "names": names})
        store.apply({"kind": "vector", "name": "act_std", "step": 0, "values": first_stds})
    return finish(store, 100)


def row(index: int, std: float, *, fan_in=64, fan_out=64, activation="relu", constant=False, mean=0.0):
    return {
        "name": f"fc{index}.weight",
        "module": f"fc{index}",
        "type": "Linear",
        "fan_in": fan_in,
        "fan_out": fan_out,
        "activation": activation,
        "normalized": False,
        "forward_index": index,
        "std": std,
        "mean": mean,
        "constant": constant,
    }


def default_std(fan_in: int) -> float:
    return 1 / math.sqrt(3 * fan_in)


# --- hand-made stores -------------------------------------------------------------------------------
def test_tiny_weights_that_shrink_the_signal_are_reported_with_the_scheme():
    rows = [row(i, 0.02, activation="tanh") for i in range(6)] + [
        row(6, 0.02, fan_out=1, activation="output")
    ]
    [finding] = bad_init(weights_store(rows, [0.1, 0.02, 4e-3, 8e-4, 1.6e-4, 3e-5, 1e-6]))
    assert finding.id == "bad-init" and "Xavier/Glorot" in finding.evidence
    assert "6.25x below the 0.125" in finding.evidence  # Xavier for 64 -> 64: sqrt(2 / 128)
    assert "std 0.125" in finding.advice


def test_quiet_on_pytorch_default_init_even_when_a_deep_stack_shrinks_the_signal():
    rows = [row(i, default_std(64), activation="sigmoid") for i in range(10)]
    assert bad_init(weights_store(rows, [10.0**-i for i in range(10)])) == []


def test_quiet_when_the_signal_does_not_show_it():
    """Small weights behind which the signal keeps its scale (normalisation, residual sums)."""
    rows = [row(i, 0.02) for i in range(4)]
    assert bad_init(weights_store(rows, [0.3, 0.3, 0.3, 0.3])) == []


def test_weights_far_above_he_that_blow_the_signal_up():
    rows = [row(i, 1.0, fan_in=256, fan_out=256) for i in range(4)]
    [finding] = bad_init(weights_store(rows, [4.0, 45.0, 500.0, 6000.0]))
    assert "above every standard scale" in finding.evidence and "He (kaiming_normal_)" in finding.evidence


def test_constant_hidden_weights_but_not_a_zero_output_layer():
    zero_hidden = [row(0, 0.0, constant=True), row(1, 0.0, constant=True), row(2, 0.1, activation="output")]
    [finding] = bad_init(weights_store(zero_hidden))
    assert "equal to 0" in finding.evidence and "kaiming_normal_" in finding.advice
    zero_head = [row(0, default_std(64)), row(1, 0.0, activation="output", constant=True)]
    assert bad_init(weights_store(zero_head, [0.5, 0.0])) == []


def test_a_single_zero_initialised_layer_is_plain_logistic_regression():
    assert bad_init(weights_store([row(0, 0.0, activation="output", constant=True)])) == []


# --- real runs --------------------------------------------------------------------------------------
def blobs(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    centers = 3.0 * torch.randn(4, 16, generator=gen)
    x = torch.cat([c + torch.randn(128, 16, generator=gen) for c in centers])
    order = torch.randperm(len(x), generator=gen)  # shuffled once: the batches below are taken in order
    x, y = x[order], torch.arange(4).repeat_interleave(128)[order]
    return (x - x.mean(0)) / x.std(0), y  # standardised, as people do


def run_ids(model: nn.Module, *, steps: int = 200, lr: float = 1e-3, sgd: bool = False) -> list[str]:
    return run(model, steps=steps, lr=lr, sgd=sgd).ids()


def run(model: nn.Module, *, steps: int = 200, lr: float = 1e-3, sgd: bool = False) -> nndoctor.Diagnosis:
    x, y = blobs()
    with nndoctor.watch() as doc:
        if sgd:
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        for step in range(steps):
            index = torch.arange(step * 32, step * 32 + 32) % len(x)
            optimizer.zero_grad()
            F.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis


class TanhStack(nn.Module):
    """Functional tanh between the layers: the probe must infer it from the layers' outputs."""

    def __init__(self, depth: int = 8, std: float | None = None):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(16, 64)] + [nn.Linear(64, 64) for _ in range(depth - 1)])
        self.head = nn.Linear(64, 4)
        if std is not None:
            for layer in self.layers:
                nn.init.normal_(layer.weight, std=std)

    def forward(self, x):
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return self.head(x)


def test_small_init_under_functional_tanh_is_the_root_cause():
    torch.manual_seed(0)
    ids = run_ids(TanhStack(std=0.01), lr=0.05, sgd=True)
    assert ids[0] == "bad-init" and "vanishing-gradients" in ids


def test_quiet_on_default_init_and_on_pretrained_weights():
    torch.manual_seed(0)
    assert "bad-init" not in run_ids(TanhStack())
    torch.manual_seed(0)
    pretrained = TanhStack(depth=3)
    run_ids(pretrained, steps=300, lr=1e-2)  # trained once: its weights no longer follow any scheme
    fresh = TanhStack(depth=3)
    fresh.load_state_dict(pretrained.state_dict())
    assert "bad-init" not in run_ids(fresh, steps=100)


def test_zero_init_of_a_relu_network():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    for module in model:
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)
    assert run_ids(model)[0] == "bad-init"


# --- biases -----------------------------------------------------------------------------------------
def test_flat_zones_agree_with_the_units_probe_saturation_bounds():
    assert flat_zone("relu") == (0.0, math.inf) and flat_zone("gelu")[1] == math.inf
    low, high = flat_zone("tanh")
    assert low == -high and math.tanh(high) == pytest.approx(TANH_BOUND, abs=1e-3)
    assert 1 - torch.sigmoid(torch.tensor(flat_zone("sigmoid")[1])).item() == pytest.approx(
        SIGMOID_MARGIN, abs=1e-4
    )


def bias_row(silenced: int, silenced_bias: float, *, units: int = 64, fan_in: int = 64) -> dict:
    return row(0, math.sqrt(2 / fan_in), fan_in=fan_in) | {
        "bias": {
            "mean": silenced_bias,
            "min": silenced_bias,
            "max": silenced_bias,
            "preact_std": 0.5,
            "units": units,
            "silenced": silenced,
            "silenced_bias": silenced_bias,
        }
    }


def test_a_bias_that_silences_half_a_layer_beyond_the_default_range_is_reported():
    [finding] = bad_init(weights_store([bias_row(40, -3.0), row(1, 0.1, activation="output")]))
    assert finding.where == "fc0.bias" and "40 of 64 units never fire" in finding.evidence
    assert "6x less than the bias" in finding.evidence and "nn.init.zeros_" in finding.advice


def test_quiet_on_biases_within_the_default_range_or_silencing_few_units():
    """PyTorch's default draws biases within +-1/sqrt(fan_in) = 0.125 here: on a tiny signal they can
    switch off units, but that is the signal's scale, not the init."""
    assert bad_init(weights_store([bias_row(40, -0.1), row(1, 0.1, activation="output")])) == []
    assert bad_init(weights_store([bias_row(20, -3.0), row(1, 0.1, activation="output")])) == []


def mlp(activation: type[nn.Module], widths=(16, 64, 64)) -> nn.Sequential:
    layers = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        layers += [nn.Linear(fan_in, fan_out), activation()]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 4))


def init_hidden(model: nn.Sequential, bias: float, nonlinearity: str) -> nn.Sequential:
    for layer in list(model)[:-1]:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity=nonlinearity)
            nn.init.constant_(layer.bias, bias)
    return model


def test_negative_bias_before_relu_is_the_root_cause_of_the_dead_units():
    torch.manual_seed(0)
    diagnosis = run(init_hidden(mlp(nn.ReLU), -3.0, "relu"), steps=150)
    headline = diagnosis.headline
    assert headline.id == "bad-init" and "units never fire on the first batch" in headline.evidence
    assert "2.bias" in headline.evidence


def test_positive_bias_that_pins_tanh_units_at_their_bound():
    torch.manual_seed(0)
    diagnosis = run(init_hidden(mlp(nn.Tanh), 4.0, "tanh"), steps=100)
    assert diagnosis.ids()[0] == "bad-init" and "where the tanh is flat" in diagnosis.headline.evidence


def test_quiet_on_default_biases_and_on_small_positive_relu_biases():
    torch.manual_seed(0)
    assert "bad-init" not in run_ids(mlp(nn.ReLU), steps=100)
    torch.manual_seed(0)
    assert "bad-init" not in run_ids(init_hidden(mlp(nn.ReLU), 0.1, "relu"), steps=100)


class ResidualMLP(nn.Module):
    """x + fc2(relu(fc1(x))) per block, functional ReLU; `zero` names the layer zeroed in every block."""

    def __init__(self, zero: str, blocks: int = 3, width: int = 32):
        super().__init__()
        self.stem = nn.Linear(16, width)
        self.blocks = nn.ModuleList(
            nn.ModuleDict({"fc1": nn.Linear(width, width), "fc2": nn.Linear(width, width)})
            for _ in range(blocks)
        )
        self.head = nn.Linear(width, 4)
        for block in self.blocks:
            nn.init.zeros_(block[zero].weight)

    def forward(self, x):
        x = F.relu(self.stem(x))
        for block in self.blocks:
            x = x + block["fc2"](F.relu(block["fc1"](x)))
        return self.head(x)


def test_zero_init_residual_branch_is_quiet_but_a_zero_layer_inside_the_branch_is_not():
    """Zeroing a branch's last layer starts the block as the identity (the input goes around it);
    zeroing its first layer cuts the branch's input off and its units stay copies."""
    torch.manual_seed(0)
    assert "bad-init" not in run_ids(ResidualMLP(zero="fc2"), steps=100)
    torch.manual_seed(0)
    diagnosis = run(ResidualMLP(zero="fc1"), steps=100)
    assert "bad-init" in diagnosis.ids()
    finding = next(f for f in diagnosis.findings if f.id == "bad-init")
    assert "fc1.weight" in finding.evidence and "fc2.weight" not in finding.evidence


class SequenceLSTM(nn.Module):
    """Each 16-feature blob read as 4 steps of 4 features."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 32, batch_first=True)
        self.head = nn.Linear(32, 4)
        hidden = self.lstm.hidden_size
        with torch.no_grad():  # the forget gate's slice: remember by default (Jozefowicz et al.)
            self.lstm.bias_ih_l0[hidden : 2 * hidden].fill_(1.0)
            self.lstm.bias_hh_l0[hidden : 2 * hidden].zero_()

    def forward(self, x):
        output, _ = self.lstm(x.reshape(len(x), 4, 4))
        return self.head(output[:, -1])


def test_quiet_on_lstm_forget_gate_bias_one():
    torch.manual_seed(0)
    assert "bad-init" not in run_ids(SequenceLSTM(), steps=100, lr=3e-3)
