"""The loss, optimisation and gradient checks on real (tiny, seeded) training loops under nndoctor.watch.

Each faulty loop must raise its finding (as the headline when it is the root cause); each healthy loop
must raise none of these ids.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.findings import Severity

OWN_IDS = {
    "loss-nonfinite",
    "loss-diverging",
    "loss-oscillating",
    "loss-plateau",
    "lr-too-high",
    "lr-too-low",
    "exploding-gradients",
    "vanishing-gradients",
}


def blobs(classes: int = 4, per_class: int = 128, dim: int = 16, seed: int = 0):
    """Gaussian blobs, easy to separate: a healthy model gets its loss well below chance in ~100 steps."""
    gen = torch.Generator().manual_seed(seed)
    centers = 3.0 * torch.randn(classes, dim, generator=gen)
    x = torch.cat([c + torch.randn(per_class, dim, generator=gen) for c in centers])
    y = torch.arange(classes).repeat_interleave(per_class)
    return (x - x.mean(0)) / x.std(0), y  # standardised, as people do: these tests are about other faults


def batches(x, y, *, steps: int, batch: int = 32, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    done = 0
    while done < steps:
        order = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x) - batch + 1, batch):
            if done == steps:
                return
            index = order[start : start + batch]
            yield x[index], y[index]
            done += 1


def mlp(dim: int = 16, hidden: int = 32, out: int = 4, depth: int = 2, act=nn.ReLU, norm: bool = False):
    layers, width = [], dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden)] + ([nn.BatchNorm1d(hidden)] if norm else []) + [act()]
        width = hidden
    return nn.Sequential(*layers, nn.Linear(width, out))


def train(model, optimizer, data, *, loss_fn=None, scheduler=None, clip=None):
    loss_fn = loss_fn or F.cross_entropy  # looked up now: the monitor wraps F's losses while it watches
    for xb, yb in data:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()


def diagnose(run) -> list[str]:
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis.ids()


# --- faulty runs --------------------------------------------------------------------------------------
def test_sgd_rate_too_high_for_a_regression_blows_up_to_nan():
    def run():
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(512, 8, generator=gen)
        y = x @ torch.randn(8, 1, generator=gen)
        model = mlp(dim=8, out=1, act=nn.Tanh)
        train(
            model, torch.optim.SGD(model.parameters(), lr=1.0), batches(x, y, steps=100), loss_fn=F.mse_loss
        )

    found = diagnose(run)
    assert found[0] == "lr-too-high"
    assert {"loss-nonfinite", "loss-diverging"} <= set(found)


def test_sgd_learning_rate_typo_throws_the_loss_up():
    def run():
        x, y = blobs()
        model = mlp()
        train(model, torch.optim.SGD(model.parameters(), lr=10.0), batches(x, y, steps=60))

    assert diagnose(run)[0] == "lr-too-high"


def test_adam_with_an_sgd_learning_rate():
    def run():
        x, y = blobs()
        model = mlp(hidden=64)
        train(model, torch.optim.Adam(model.parameters(), lr=1.0), batches(x, y, steps=200))

    assert diagnose(run)[0] == "lr-too-high"


def test_full_batch_descent_just_above_the_stability_limit_diverges():
    def run():
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(256, 4, generator=gen) * torch.tensor([1.0, 1.0, 1.0, 4.0])
        y = x @ torch.tensor([1.0, -2.0, 0.5, 0.3]) + 0.1 * torch.randn(256, generator=gen)
        w = torch.zeros(4, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.07)  # stable below 2 / (2 * 16) = 0.0625
        for _ in range(150):
            optimizer.zero_grad()
            F.mse_loss(x @ w, y).backward()
            optimizer.step()

    found = diagnose(run)
    assert found[0] == "lr-too-high"
    assert "loss-diverging" in found


def test_momentum_too_high_for_the_rate_oscillates():
    def run():
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(512, 8, generator=gen)
        y = (x @ torch.randn(8, 1, generator=gen) + 0.5 * torch.randn(512, 1, generator=gen)) / 3
        model = nn.Linear(8, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.16, momentum=0.9)  # at the edge of stability
        train(model, optimizer, batches(x, y, steps=300, batch=16), loss_fn=F.mse_loss)

    found = diagnose(run)
    assert found[0] == "lr-too-high"
    assert "loss-oscillating" in found


def test_learning_rate_far_too_low():
    def run():
        x, y = blobs()
        model = mlp()
        train(model, torch.optim.SGD(model.parameters(), lr=1e-5), batches(x, y, steps=250))

    found = diagnose(run)
    assert found[0] == "lr-too-low"
    assert "loss-plateau" in found


def test_scheduler_stepped_per_batch_instead_of_per_epoch():
    def run():
        x, y = blobs(classes=5, dim=8, seed=3)
        x = x / 3.0  # overlapping blobs: learning needs more than a few steps
        model = mlp(dim=8, out=5)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.1)
        train(model, optimizer, batches(x, y, steps=300), scheduler=scheduler)

    found = diagnose(run)
    assert found[0] == "lr-too-low"
    assert "loss-plateau" in found


def warmup_run(warmup_steps: int, total: int = 300):
    """SGD with momentum on overlapping blobs, a linear warm-up of `warmup_steps` then a linear decay."""

    def run():
        x, y = blobs(classes=5, dim=8, seed=3)
        x = x / 3.0  # overlapping blobs: learning needs more than a few steps
        model = mlp(dim=8, out=5)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

        def warmup_then_decay(step: int) -> float:
            if step < warmup_steps:
                return (step + 1) / warmup_steps
            return max(0.0, (total - step) / max(1, total - warmup_steps))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_then_decay)
        train(model, optimizer, batches(x, y, steps=total), scheduler=scheduler)

    return run


def test_a_warmup_longer_than_the_run_keeps_the_rate_too_low():
    # three epochs of warm-up counted in samples (3 x 640) instead of batches (3 x 20)
    found = diagnose(warmup_run(warmup_steps=3 * 640))
    assert found[0] == "lr-too-low"
    assert OWN_IDS.isdisjoint(diagnose(warmup_run(warmup_steps=3 * 20)))


def test_deep_sigmoid_stack_vanishes():
    def run():
        x, y = blobs()
        model = mlp(depth=10, act=nn.Sigmoid)
        train(model, torch.optim.SGD(model.parameters(), lr=0.1), batches(x, y, steps=200))

    found = diagnose(run)
    assert found[0] == "vanishing-gradients"
    assert "loss-plateau" in found


def test_rare_outlier_batches_spike_the_gradient():
    def run():
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(512, 8, generator=gen)
        y = x @ torch.randn(8, 1, generator=gen)
        model = mlp(dim=8, out=1)
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        for step, (xb, yb) in enumerate(batches(x, y, steps=200)):
            if step == 40:
                yb = yb * 1e4  # a corrupted batch: targets in the wrong unit
            optimizer.zero_grad()
            F.mse_loss(model(xb), yb).backward()
            optimizer.step()

    found = diagnose(run)
    assert "exploding-gradients" in found
    assert "lr-too-high" not in found


def short_last_batch_run(seed: int, *, corrupt_steps: tuple[int, ...] = (), scale: float = 10.0):
    """Noisy regression, 1025 samples in batches of 64: each epoch ends with a batch of one sample, whose
    loss scatters like one squared residual (up to several times the level); at `corrupt_steps` a full
    batch's targets are scaled `scale` times."""

    def run():
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(1025, 8, generator=gen)
        y = x @ torch.randn(8, 1, generator=gen) + 0.5 * torch.randn(1025, 1, generator=gen)
        model = mlp(dim=8, out=1)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        step = 0
        for _ in range(30):
            for xb, yb in DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=gen):
                if step in corrupt_steps:
                    yb = yb * scale
                optimizer.zero_grad()
                F.mse_loss(model(xb), yb).backward()
                optimizer.step()
                step += 1

    return run


def test_a_short_last_batch_is_not_a_spike_but_a_bad_full_batch_is():
    for seed in range(3):
        assert "loss-spike" not in diagnose(short_last_batch_run(seed))
    assert "loss-spike" in diagnose(short_last_batch_run(0, corrupt_steps=(300,)))


def test_one_spike_that_leaves_no_mark_is_info_and_recurring_ones_a_warning():
    """As the catalog has it: a few spikes are harmless, recurring ones are not. One batch with its
    targets doubled, after which the loss went on from where it had been, is noted (INFO); the same
    every 60 steps is a warning, and so is one 10x batch, whose update set the loss back for a while."""

    def spike(run):
        torch.manual_seed(0)  # the model's initial weights
        with nndoctor.watch() as doc:
            run()
        return next(f for f in doc.diagnosis().findings if f.id == "loss-spike")

    once = spike(short_last_batch_run(0, corrupt_steps=(300,), scale=2.0))
    assert once.severity == Severity.INFO and "the only one" in once.evidence
    recurring = spike(short_last_batch_run(0, corrupt_steps=tuple(range(300, 900, 60)), scale=2.0))
    assert recurring.severity == Severity.WARNING and "spikes in all" in recurring.evidence
    set_back = spike(short_last_batch_run(0, corrupt_steps=(300,), scale=10.0))
    assert set_back.severity == Severity.WARNING and "the only one" not in set_back.evidence


def test_hand_written_log_loss_hits_log_of_zero():
    def run():
        x, y = blobs(classes=2)
        model = mlp(out=1)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        for xb, yb in batches(x, y, steps=200):
            p = torch.sigmoid(model(xb).squeeze(-1))
            target = yb.float()
            loss = -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    found = diagnose(run)
    assert found[0] == "loss-nonfinite"
    assert "lr-too-high" not in found


# --- healthy runs -------------------------------------------------------------------------------------
def test_quiet_on_adam_with_warmup_and_cosine_decay_to_zero():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        total = 300

        def warmup_cosine(step: int) -> float:
            if step < 30:
                return (step + 1) / 30
            return 0.5 * (1 + math.cos(math.pi * (step - 30) / (total - 30)))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)
        train(model, optimizer, batches(x, y, steps=total), scheduler=scheduler)

    assert OWN_IDS.isdisjoint(diagnose(run))


def test_quiet_on_sgd_momentum_with_step_decay_and_early_convergence():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.1)
        train(model, optimizer, batches(x, y, steps=400), scheduler=scheduler)

    assert OWN_IDS.isdisjoint(diagnose(run))


def test_quiet_on_a_deep_net_with_batch_norm():
    def run():
        x, y = blobs()
        model = mlp(depth=8, norm=True)
        train(model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9), batches(x, y, steps=200))

    assert OWN_IDS.isdisjoint(diagnose(run))


def test_quiet_on_label_smoothing_with_gradient_clipping():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        loss_fn = nn.CrossEntropyLoss(label_smoothing=0.2)
        train(model, optimizer, batches(x, y, steps=300), loss_fn=loss_fn, clip=0.5)

    assert OWN_IDS.isdisjoint(diagnose(run))


def test_quiet_on_small_batch_regression():
    def run():
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(512, 8, generator=gen)
        y = torch.tanh(x @ torch.randn(8, 1, generator=gen)) + 0.3 * torch.randn(512, 1, generator=gen)
        model = mlp(dim=8, out=1)
        train(
            model,
            torch.optim.Adam(model.parameters(), lr=1e-3),
            batches(x, y, steps=300, batch=8),
            loss_fn=F.mse_loss,
        )

    assert OWN_IDS.isdisjoint(diagnose(run))


def test_a_gan_discriminator_at_equilibrium_is_a_game_not_a_plateau():
    # D's loss settles at 2 ln 2 once G matches the data: the equilibrium a GAN aims for
    def run():
        gen = torch.Generator().manual_seed(0)
        real = 2.0 + 0.5 * torch.randn(4096, 1, generator=gen)
        generator = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
        discriminator = nn.Sequential(nn.Linear(1, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        g_opt = torch.optim.Adam(generator.parameters(), lr=2e-3, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-3, betas=(0.5, 0.999))
        bce = nn.BCEWithLogitsLoss()
        ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
        for _ in range(1200):
            batch = real[torch.randint(0, 4096, (64,), generator=gen)]
            fake = generator(torch.randn(64, 4, generator=gen))
            d_loss = bce(discriminator(batch), ones) + bce(discriminator(fake.detach()), zeros)
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
            g_loss = bce(discriminator(fake), ones)
            g_opt.zero_grad()
            g_loss.backward()
            g_opt.step()

    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    assert doc.store.structure["other_player_steps"] >= 0.9 * doc.store.steps_seen
    assert OWN_IDS.isdisjoint(doc.diagnosis().ids())
