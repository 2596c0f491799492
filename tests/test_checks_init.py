"""bad-init: constant weights and scales far from every standard scheme, on hand-made stores and real runs."""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from store_builders import finish, new_store
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.checks.init import bad_init


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
    return diagnosis.ids()


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
