"""capacity-too-small on real, tiny, seeded loops under nndoctor.watch, and its structural rule on
hand-made stores."""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from store_builders import new_store
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.checks.capacity import structural_limit


def rings(n: int = 1024, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    label = torch.randint(0, 2, (n,), generator=gen)
    radius = 1.0 + label.float() + 0.2 * torch.randn(n, generator=gen)
    angle = 2 * math.pi * torch.rand(n, generator=gen)
    return torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1), label.float()


def blobs(classes: int = 10, per_class: int = 60, dim: int = 16, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    centers = 3.0 * torch.randn(classes, dim, generator=gen)
    x = torch.cat([c + torch.randn(per_class, dim, generator=gen) for c in centers])
    return x, torch.arange(classes).repeat_interleave(per_class)


def fit(model, x, y, loss_fn, *, lr: float, steps: int, optimizer=torch.optim.Adam):
    opt = optimizer(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(1)
    for _ in range(steps):
        index = torch.randint(0, len(x), (32,), generator=gen)
        opt.zero_grad()
        loss_fn(model(x[index]).squeeze(-1), y[index]).backward()
        opt.step()


def diagnose(run) -> list[str]:
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis.ids()


def spirals(per_class: int = 300, classes: int = 3, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for c in range(classes):
        r = torch.linspace(0.1, 1.0, per_class)
        theta = 4.0 * r + 2 * math.pi * c / classes + 0.2 * torch.randn(per_class, generator=gen)
        xs.append(torch.stack([r * torch.sin(theta), r * torch.cos(theta)], 1))
        ys.append(torch.full((per_class,), c))
    return torch.cat(xs), torch.cat(ys)


def test_a_linear_model_on_spirals_is_too_small():
    def run():
        x, y = spirals()
        fit(nn.Linear(2, 3), x, y, F.cross_entropy, lr=0.1, steps=300, optimizer=torch.optim.SGD)

    found = diagnose(run)
    assert found[0] == "capacity-too-small" and "loss-plateau" in found


def test_a_one_unit_bottleneck_before_ten_classes_is_too_small():
    def run():
        x, y = blobs()
        model = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 1), nn.Tanh(), nn.Linear(1, 10))
        fit(model, x, y, F.cross_entropy, lr=3e-3, steps=400)

    assert diagnose(run)[0] == "capacity-too-small"


def test_a_small_but_sufficient_network_is_quiet():
    def run():
        x, y = rings()
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        fit(model, x, y, F.binary_cross_entropy_with_logits, lr=1e-2, steps=400)

    assert "capacity-too-small" not in diagnose(run)


def test_a_narrow_network_stuck_for_another_reason_is_not_blamed_on_its_size():
    def run():  # the learning rate, not the width, keeps this one stuck
        x, y = rings()
        fit(
            nn.Linear(2, 1),
            x,
            y,
            F.binary_cross_entropy_with_logits,
            lr=1e-6,
            steps=300,
            optimizer=torch.optim.SGD,
        )

    found = diagnose(run)
    assert "capacity-too-small" not in found and found[0] == "lr-too-low"


def module(name, kind, **attrs):
    return {"name": name, "type": kind, "leaf": True, "params": 1} | attrs


def test_the_structural_rule():
    narrow = new_store(
        classes=10,
        modules=[
            module("fc1", "Linear", in_features=64, out_features=32),
            module("fc2", "Linear", in_features=32, out_features=3),
            module("out", "Linear", in_features=3, out_features=10),
        ],
    )
    text, where, outputs, inputs = structural_limit(narrow)
    assert where == "fc2" and outputs == 10 and inputs == 64 and "only 3 values" in text
    wide = new_store(
        classes=10,
        modules=[
            module("fc1", "Linear", in_features=64, out_features=32),
            module("out", "Linear", in_features=32, out_features=10),
        ],
    )
    assert structural_limit(wide) is None
    recurrent = new_store(
        classes=10,
        modules=[
            module("rnn", "GRU", hidden_size=4),
            module("out", "Linear", in_features=4, out_features=10),
        ],
    )
    assert structural_limit(recurrent)[1] == "rnn"
    linear = new_store(classes=None, modules=[module("fc", "Linear", in_features=8, out_features=1)])
    assert "no hidden layer" in structural_limit(linear)[0]
    conv = new_store(
        classes=10,
        modules=[
            module("conv", "Conv2d", out_channels=16),
            module("fc", "Linear", in_features=256, out_features=10),
        ],
    )
    assert structural_limit(conv) is None  # the convolutions are its hidden layers
