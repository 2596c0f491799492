"""The curve checks on hand-made stores, and on live runs under nndoctor.watch.

Every state has a run that must show it and noisy healthy runs that must not; the statistics
(Mann-Kendall, Theil-Sen) are checked against known answers.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

from nndoctor import catalog
from nndoctor.checks.curves import (
    Curve,
    curve_state,
    curve_states,
    loss_spike,
    loss_spikes,
    mann_kendall_z,
    theil_sen_slope,
    trend,
)
from nndoctor.findings import Severity
from nndoctor.monitor.store import Store

STEPS = 2000


def make_store(train, val=None, *, val_steps=None, lr=None, classes=None, x_axis=None, structure=None):
    store = Store()
    if classes:
        info = {"name": "cross_entropy", "phase": "train", "input_shape": [32, classes]}
        store.apply({"kind": "structure", "data": {"loss_functions": {"train:cross_entropy": info}}})
    train = np.asarray(train, dtype=float)
    store.apply(
        {"kind": "scalars", "name": "loss", "steps": list(range(train.size)), "values": train.tolist()}
    )
    if val is not None:
        store.apply({"kind": "scalars", "name": "val_loss", "steps": list(val_steps), "values": list(val)})
    if lr is not None:
        store.apply({"kind": "scalars", "name": "lr", "steps": list(range(len(lr))), "values": list(lr)})
    data = {"steps": int(train.size)} | ({"x_axis": x_axis} if x_axis else {}) | (structure or {})
    store.apply({"kind": "structure", "data": data})
    return store


def noisy(values, noise, seed):
    values = np.asarray(values, dtype=float)
    return values * np.exp(noise * np.random.default_rng(seed).standard_normal(values.size))


def evaluations(count, steps=STEPS):
    return np.linspace(steps / count, steps, count).astype(int) - 1


def run(kind, *, seed=0, n_val=20, val_noise=0.02, train_noise=0.2):
    """A run of STEPS steps, validated n_val times: the train and validation curves of one state."""
    t = np.arange(STEPS)
    v = evaluations(n_val)
    if kind == "still-learning":  # stopped at 6 time constants: both still falling
        train, val = 0.05 + 2.2 * np.exp(-t / 333), 0.15 + 2.1 * np.exp(-v / 333)
    elif kind == "converged":  # converged long ago, flat at a good level
        train, val = 0.05 + 2.2 * np.exp(-t / 60), 0.15 + 2.1 * np.exp(-v / 60)
    elif kind == "overfitting":  # validation turns up after 40% of the run
        train = 0.02 + 2.2 * np.exp(-t / 250)
        val = 0.2 + 2.1 * np.exp(-v / 250) + 0.3 * np.clip(v / STEPS - 0.4, 0, None)
    elif kind == "dataset-problem":  # training flat near chance, validation falls steadily
        train, val, train_noise = np.full(STEPS, 2.25), 2.1 - 0.4 * v / STEPS, 0.05
    elif kind == "bottleneck":  # both flat where they started (near chance, batch losses vary little)
        train, val, train_noise = np.full(STEPS, 2.30), np.full(n_val, 2.31), 0.05
    elif kind == "diverging":  # both climb in the last half
        rise = lambda x: np.clip(x / STEPS - 0.5, 0, None) ** 2  # noqa: E731
        train, val = 0.5 + 1.5 * np.exp(-t / 200) + 4 * rise(t), 0.6 + 1.5 * np.exp(-v / 200) + 4 * rise(v)
    else:
        raise ValueError(kind)
    return noisy(train, train_noise, seed), noisy(val, val_noise, seed + 1), v


def severity(finding) -> Severity:
    return finding.severity if finding.severity is not None else catalog.entry(finding.id).severity


def state_of(kind, **options):
    train, val, steps = run(kind, **options)
    state = curve_state(make_store(train, val, val_steps=steps))
    return None if state is None else state.id


# --- statistics ----------------------------------------------------------------------------------
def test_mann_kendall_and_theil_sen_on_known_series():
    assert mann_kendall_z(np.arange(10.0)) == pytest.approx((45 - 1) / math.sqrt(10 * 9 * 25 / 18))
    assert mann_kendall_z(np.arange(10.0)[::-1]) == pytest.approx(-mann_kendall_z(np.arange(10.0)))
    assert mann_kendall_z(np.ones(5)) == 0.0
    x = np.arange(20.0)
    y = 3 * x + 1
    y[4] = 500.0  # an outlier does not move the Theil-Sen slope
    assert theil_sen_slope(x, y) == pytest.approx(3.0)


def test_trend_reads_direction_through_batch_noise():
    t = np.arange(600.0)
    falling = [trend(Curve(t, noisy(1.0 - 0.3 * t / 600, 0.2, seed))) for seed in range(40)]
    flat = [trend(Curve(t, noisy(np.ones(600), 0.2, seed))) for seed in range(40)]
    assert sum(f.falling for f in falling) >= 38 and not any(f.flat for f in falling)
    assert sum(f.flat for f in flat) >= 30  # a flat curve with 20% batch noise: mostly provably flat
    assert sum(f.falling or f.rising for f in flat) <= 6  # 5% one-sided tests on both sides: about 4


def test_trend_of_tiny_losses_is_relative():
    t = np.arange(300.0)
    assert trend(Curve(t, 1e-6 * (1 - 0.5 * t / 300))).falling
    flat = [trend(Curve(t, noisy(np.full(300, 1e-6), 0.05, seed))) for seed in range(20)]
    assert sum(f.flat for f in flat) >= 18


# --- the states ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("still-learning", "still-learning"),
        ("overfitting", "overfitting"),
        ("dataset-problem", "dataset-problem"),
        ("bottleneck", "learning-bottleneck"),
        ("diverging", "loss-diverging"),
        ("converged", None),
    ],
)
def test_each_state_is_read_through_noise(kind, expected, seed):
    assert state_of(kind, seed=seed) == expected


@pytest.mark.parametrize("n_val", [3, 4, 5, 8, 40])
@pytest.mark.parametrize("val_noise", [0.01, 0.04])
def test_healthy_runs_raise_no_alarm_whatever_the_evaluation_count(n_val, val_noise):
    for kind in ("still-learning", "converged"):
        for seed in range(5):
            train, val, steps = run(kind, seed=seed, n_val=n_val, val_noise=val_noise)
            store = make_store(train, val, val_steps=steps)
            findings = curve_states(store) + loss_spike(store)
            alarms = [f.id for f in findings if severity(f) >= Severity.WARNING]
            assert alarms == [], (kind, seed, [(f.id, f.evidence) for f in findings])


def test_overfitting_with_four_evaluations():
    t = np.arange(400)
    train = noisy(0.004 * np.exp(-t / 200), 0.1, 0)
    val = [0.498, 0.508, 0.517, 0.525]
    state = curve_state(make_store(train, val, val_steps=[99, 199, 299, 399], x_axis="epoch"))
    assert state is not None and state.id == "overfitting" and state.step == 99
    assert "epoch 99" in state.evidence


def test_a_memorised_training_set_overfits_with_its_loss_flat_near_zero():
    """The training loss falls from 0.7 to about 0.002 in the first tenth of the run and stays there
    (nothing left to fall by); validation bottoms out early and climbs for the rest. A training loss as
    flat but at half its start, with the same validation, is not overfitting."""
    t = np.arange(1500)
    val_steps = np.arange(9, 1500, 10)
    val = 0.5 + 0.4 * (1 - np.exp(-np.maximum(val_steps - 90, 0) / 300)) + 0.01 * np.sin(val_steps)
    memorised = noisy(0.002 + 0.7 * np.exp(-t / 30), 0.3, 0)
    state = curve_state(make_store(memorised, val, val_steps=val_steps))
    assert state is not None and state.id == "overfitting"
    stuck = noisy(0.35 + 0.35 * np.exp(-t / 30), 0.05, 0)
    state = curve_state(make_store(stuck, val, val_steps=val_steps))
    assert state is None or state.id != "overfitting"


def test_two_higher_evaluations_after_the_best_are_not_enough_with_a_flat_training_loss():
    train = noisy(np.full(400, 0.3), 0.1, 0)
    state = curve_state(make_store(train, [0.5, 0.4, 0.42, 0.43], val_steps=[99, 199, 299, 399]))
    assert state is None


def test_no_state_without_validation_or_with_too_few_points():
    train, val, steps = run("overfitting")
    assert curve_state(make_store(train)) is None
    assert curve_state(make_store(train, val[:2], val_steps=steps[:2])) is None


def test_no_state_after_a_nan():
    train, val, steps = run("overfitting")
    train[-10:] = np.nan
    assert curve_state(make_store(train, val, val_steps=steps)) is None


def test_flat_at_a_good_level_is_not_a_bottleneck_but_flat_near_chance_is():
    converged = noisy(np.full(STEPS, 0.08), 0.2, 0)
    val = noisy(np.full(20, 0.12), 0.01, 1)
    assert curve_state(make_store(converged, val, val_steps=evaluations(20), classes=10)) is None
    near_chance = noisy(np.full(STEPS, 2.2), 0.05, 0)
    chance_val = noisy(np.full(20, 2.21), 0.01, 1)
    state = curve_state(make_store(near_chance, chance_val, val_steps=evaluations(20), classes=10))
    assert state is not None and state.id == "learning-bottleneck" and "chance" in state.evidence


def test_a_learning_rate_drop_restarts_the_window():
    t = np.arange(STEPS)
    v = evaluations(20)

    def level(x, base):  # converged, then 10x rate drops at 50% and 75% lower it a step each time
        return base + 1.5 * np.exp(-x / 200) - 0.3 * base * (x >= 1000) - 0.2 * base * (x >= 1500)

    lr = 0.1 * np.where(t >= 1000, 0.1, 1) * np.where(t >= 1500, 0.1, 1)
    train, val = noisy(level(t, 0.3), 0.2, 0), noisy(level(v, 0.45), 0.01, 1)
    assert curve_state(make_store(train, val, val_steps=v, lr=lr)) is None


def test_warm_up_does_not_read_as_overfitting():
    t = np.arange(STEPS)
    v = evaluations(20)
    train = 0.1 + 2.2 * np.exp(-np.clip(t - 100, 0, None) / 600) + 0.5 * (t < 100) * t / 100
    val = 0.2 + 2.1 * np.exp(-np.clip(v - 100, 0, None) / 600)
    state = curve_state(make_store(noisy(train, 0.2, 0), noisy(val, 0.01, 1), val_steps=v))
    assert state is not None and state.id == "still-learning"


def test_no_regularization_only_when_the_model_has_none():
    train, val, steps = run("overfitting")
    bare = {
        "modules": [
            {"name": "0", "type": "Linear", "leaf": True},
            {"name": "1", "type": "ReLU", "leaf": True},
        ],
        "optimizer": {"type": "Adam", "groups": [{"lr": 1e-3, "weight_decay": 0}]},
    }
    ids = [f.id for f in curve_states(make_store(train, val, val_steps=steps, structure=bare))]
    assert ids == ["overfitting", "no-regularization"]
    decayed = bare | {"optimizer": {"type": "AdamW", "groups": [{"lr": 1e-3, "weight_decay": 0.01}]}}
    assert [f.id for f in curve_states(make_store(train, val, val_steps=steps, structure=decayed))] == [
        "overfitting"
    ]
    dropout = bare | {"modules": bare["modules"] + [{"name": "2", "type": "Dropout", "p": 0.2, "leaf": True}]}
    assert [f.id for f in curve_states(make_store(train, val, val_steps=steps, structure=dropout))] == [
        "overfitting"
    ]
    # a log: the structure is unknown, so nothing is said about regularisation
    assert [f.id for f in curve_states(make_store(train, val, val_steps=steps))] == ["overfitting"]


# --- loss-spike ----------------------------------------------------------------------------------
def test_an_isolated_spike_is_found_and_noise_is_not():
    t = np.arange(1000)
    curve = noisy(0.1 + 2 * np.exp(-t / 150), 0.2, 0)
    assert loss_spikes(make_store(curve))[0] == []
    curve[600] *= 30
    spikes, spread, relative = loss_spikes(make_store(curve))
    assert [s.step for s in spikes] == [600] and relative and 0.1 < spread < 0.4
    finding = loss_spike(make_store(curve))[0]
    assert finding.step == 600 and "x its recent level" in finding.evidence
    assert finding.severity == Severity.INFO  # the only one, and the loss went on from where it was
    curve[601:] *= 2.0  # back below halfway at once, but the run was set back: no longer harmless
    [finding] = loss_spike(make_store(curve))
    assert finding.step == 600 and finding.severity is None  # the catalog's warning
    curve[601:] /= 2.0
    curve[800] *= 30  # a second one: spikes recur
    [finding] = loss_spike(make_store(curve))
    assert finding.severity is None and "2 spikes in all" in finding.evidence


def test_the_loss_after_a_short_last_batch_is_judged_with_its_noise():
    """Epochs of 43 steps, the last of 3 rows where the others have 40: that batch's update is
    sqrt(40 / 3) = 3.7x noisier, and the next step's loss shows it. A 1.8x jump there is that noise; a 10x
    jump is a spike wherever it falls."""
    t = np.arange(1075)
    curve = noisy(0.015 + 0.1 * np.exp(-t / 150), 0.08, 0)
    short = np.arange(42, 1075, 43)
    info = {"name": "mse_loss", "phase": "train", "input_shape": [40, 64]}
    rows = {"kind": "scalars", "name": "loss_rows", "steps": short.tolist(), "values": [3.0] * short.size}
    curve[903] = 1.8 * curve[880:903].mean()
    store = make_store(curve, structure={"loss_functions": {"train:mse_loss": info}})
    store.apply(rows)
    assert loss_spikes(store)[0] == []
    curve[903] = 10 * curve[880:903].mean()
    store = make_store(curve, structure={"loss_functions": {"train:mse_loss": info}})
    store.apply(rows)
    assert [s.step for s in loss_spikes(store)[0]] == [903]


def test_a_level_shift_is_not_a_spike():
    curve = noisy(np.concatenate([np.full(500, 0.2), np.full(500, 0.8)]), 0.1, 0)
    assert loss_spikes(make_store(curve))[0] == []


def test_spikes_at_tiny_losses_are_judged_against_the_start():
    t = np.arange(1000)
    curve = noisy(1e-9 + 0.1 * np.exp(-t / 50), 0.2, 0)
    curve[800] = curve[799] * 50  # 50x, but a millionth of the starting loss
    assert loss_spikes(make_store(curve))[0] == []


def test_a_margin_loss_near_zero_scatters_without_spikes():
    # a triplet loss: each batch's mean over a few violated margins (a gamma of shape 4), often exactly
    # 0 late on, whose mean falls with training; its top percent are several times its median
    rng = np.random.default_rng(0)
    t = np.arange(600)
    mean = 0.7 * np.exp(-t / 40) + 0.004
    curve = np.where(rng.random(600) < 0.2 * (t > 200), 0.0, rng.gamma(4.0, mean / 4.0))
    assert loss_spikes(make_store(curve))[0] == []
    curve[400] = 0.35  # half the starting loss at once: that one is a spike
    assert [s.step for s in loss_spikes(make_store(curve))[0]] == [400]


def test_a_sparse_hinge_mean_scatters_like_a_count_without_spikes():
    """Each batch's loss is the mean of the few of its 64 margins still violated (an exponential term
    each, a fraction falling to 3%): a compound count, whose spread grows with its level. Judged on its
    square root, none of 20 runs shows a spike (judged in absolute terms, 8 did); a jump to the starting
    level is still found."""
    t = np.arange(800)
    share, size = 0.6 * np.exp(-t / 100) + 0.03, 0.4 * np.exp(-t / 200) + 0.3
    for seed in range(20):
        rng = np.random.default_rng(seed)
        violated = rng.random((800, 64)) < share[:, None]
        curve = (violated * rng.exponential(size[:, None], (800, 64))).mean(axis=1)
        assert loss_spikes(make_store(curve))[0] == [], seed
        curve[500] = curve[:20].mean()
        assert 500 in [s.step for s in loss_spikes(make_store(curve))[0]], seed


def test_a_margin_loss_at_exactly_zero_on_most_batches_has_no_spikes():
    """Late in training 9 batches in 10 violate no margin (a loss of exactly 0) and the others a few:
    those are its noise, not spikes. A jump to the starting level is one."""
    rng = np.random.default_rng(0)
    t = np.arange(800)
    share = 0.5 * np.exp(-t / 60) + 0.0016  # of the 64 pairs a batch holds, violated
    violated = rng.random((800, 64)) < share[:, None]
    curve = (violated * rng.exponential(0.5, (800, 64))).mean(axis=1)
    assert (curve[400:] == 0).mean() > 0.85
    assert loss_spikes(make_store(curve))[0] == []
    curve[600] = curve[:20].mean()
    assert [s.step for s in loss_spikes(make_store(curve))[0]] == [600]


def test_spikes_of_a_loss_that_goes_negative_are_absolute():
    t = np.arange(600)
    curve = -1.0 + 2 * np.exp(-t / 100) + 0.02 * np.random.default_rng(0).standard_normal(600)
    curve[400] += 1.5
    finding = loss_spike(make_store(curve))[0]
    assert finding.step == 400 and "above its recent level" in finding.evidence


def test_spikes_in_an_epoch_level_log():
    curve = [2.0, 1.2, 0.8, 0.6, 0.5, 0.45, 0.42, 1.6, 0.40, 0.39, 0.38, 0.37]
    spikes, _, _ = loss_spikes(make_store(curve, x_axis="epoch"))
    assert [s.step for s in spikes] == [7]


# --- live runs under nndoctor.watch -----------------------------------------------------------------
def _digits(train: int, val: int):
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))
    x = data.data[order].astype(np.float32)
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    x, y = torch.from_numpy(x), torch.from_numpy(data.target[order]).long()
    return x[:train], y[:train], x[train : train + val], y[train : train + val]


def _train(model, optimizer, data, *, epochs: int, batch: int, restore_best: bool = False):
    """`restore_best`: early stopping's end, the weights of the best validation loss loaded back."""
    import nndoctor

    x, y, xv, yv = data
    generator = torch.Generator().manual_seed(0)
    best, best_state = math.inf, None
    with nndoctor.watch() as doc:
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(y), generator=generator)
            for start in range(0, len(y), batch):
                index = order[start : start + batch]
                loss = torch.nn.functional.cross_entropy(model(x[index]), y[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():  # seen by the monitor as one validation point per epoch
                val_loss = torch.nn.functional.cross_entropy(model(xv), yv).item()
            if val_loss < best:
                best, best_state = val_loss, copy.deepcopy(model.state_dict())
        if restore_best:
            model.load_state_dict(best_state)
    return doc.diagnosis()


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: threads only contend with each other
    yield
    torch.set_num_threads(threads)


def _overfitting_mlp() -> torch.nn.Module:
    """Two wide hidden layers without dropout or weight decay: 100 digits are memorised in 40 epochs."""
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )


def test_live_overfitting_run_is_caught_with_its_missing_regularisation(one_thread):
    model = _overfitting_mlp()
    diagnosis = _train(
        model, torch.optim.Adam(model.parameters(), 1e-3), _digits(100, 500), epochs=40, batch=20
    )
    ids = diagnosis.ids()
    assert ids[:2] == ["no-regularization", "overfitting"], [(f.id, f.evidence) for f in diagnosis.findings]
    overfitting = diagnosis.findings[1]
    assert overfitting.step is not None and f"step {overfitting.step}" in overfitting.evidence


def test_overfitting_undone_by_restoring_the_best_weights_is_only_noted(one_thread):
    model = _overfitting_mlp()
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    diagnosis = _train(model, optimizer, _digits(100, 500), epochs=40, batch=20, restore_best=True)
    [overfitting] = [f for f in diagnosis.findings if f.id == "overfitting"]
    assert overfitting.severity is Severity.INFO and "loaded earlier weights" in overfitting.evidence
    assert not [f.id for f in diagnosis.findings if f.severity >= Severity.WARNING]


def test_live_healthy_run_raises_no_alarm(one_thread):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(64, 10)
    )
    diagnosis = _train(
        model, torch.optim.Adam(model.parameters(), 1e-3), _digits(1400, 397), epochs=12, batch=64
    )
    alarms = [f.id for f in diagnosis.findings if f.severity >= Severity.WARNING]
    assert alarms == [], [(f.id, f.evidence) for f in diagnosis.findings]
