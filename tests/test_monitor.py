"""The monitor's promises: no observer effect, no hooks left behind, its own failures contained."""

from __future__ import annotations

import contextlib
import random

import numpy as np
import pytest
import torch
import torch.nn.modules.module as torch_modules
import torch.optim.optimizer as torch_optim
from torch import nn
from torch.nn import functional as F

import nndoctor
from nndoctor.monitor import monitor as monitor_module
from nndoctor.monitor.eventlog import read_events
from nndoctor.monitor.monitor import Monitor
from nndoctor.monitor.pending import PendingSignals
from nndoctor.monitor.store import DecimatedSeries


def train(steps: int = 80, *, clip: bool = True, validate_every: int = 20) -> nn.Module:
    """A small seeded run with the usual ingredients: dropout (draws random numbers), clipping, Adam,
    a scheduler and a validation pass in eval mode under no_grad."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.5)
    inputs, targets = torch.randn(256, 8), torch.randint(0, 3, (256,))
    for step in range(steps):
        index = torch.randint(0, 256, (32,))
        loss = nn.CrossEntropyLoss()(model(inputs[index]), targets[index])
        optimizer.zero_grad()
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % validate_every == validate_every - 1:
            model.eval()
            with torch.no_grad():
                F.cross_entropy(model(inputs[:64]), targets[:64])
            model.train()
    return model


def global_hook_counts() -> tuple[int, ...]:
    return (
        len(torch_modules._global_forward_hooks),
        len(torch_modules._global_forward_pre_hooks),
        len(torch_optim._global_optimizer_pre_hooks),
        len(torch_optim._global_optimizer_post_hooks),
    )


ORIGINALS = (
    torch.autograd.backward,
    F.cross_entropy,
    F.mse_loss,
    nn.utils.clip_grad_norm_,
    nn.Module.load_state_dict,
)


def test_parameters_bitwise_equal_with_and_without_the_monitor():
    plain = train()
    with nndoctor.watch():
        watched = train()
    for (name, a), (_, b) in zip(plain.named_parameters(), watched.named_parameters()):
        assert torch.equal(a, b), name


def test_monitor_draws_from_no_random_generator():
    torch.manual_seed(1)
    random.seed(1)
    np.random.seed(1)
    states = (torch.random.get_rng_state(), random.getstate(), np.random.get_state()[1].copy())
    monitor = Monitor().attach()
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    torch.set_rng_state(states[0])  # building the model drew numbers: start the comparison from here
    for _ in range(5):
        model.zero_grad()
        F.mse_loss(model(torch.ones(3, 4)), torch.zeros(3, 2)).backward()
        optimizer.step()
    monitor.finish()
    assert torch.equal(torch.random.get_rng_state(), states[0])
    assert random.getstate() == states[1]
    assert np.array_equal(np.random.get_state()[1], states[2])


def test_no_hook_or_patch_left_behind_even_when_training_raises():
    before = global_hook_counts()
    with pytest.raises(RuntimeError, match="user bug"), nndoctor.watch():
        train(steps=3)
        raise RuntimeError("user bug")
    assert global_hook_counts() == before
    patched = (
        torch.autograd.backward,
        F.cross_entropy,
        F.mse_loss,
        nn.utils.clip_grad_norm_,
        nn.Module.load_state_dict,
    )
    assert patched == ORIGINALS
    model = nn.Linear(2, 2)
    assert not model._forward_hooks and not model._forward_pre_hooks


def test_records_loss_lr_gradients_updates_validation_and_structure():
    with nndoctor.watch() as doc:
        train(steps=80)
    store = doc.store
    assert store.steps_seen == 80
    steps, losses = store.series("loss")
    assert list(steps) == list(range(80)) and np.isfinite(losses).all()
    lr_steps, lrs = store.series("lr")
    assert lrs[0] == pytest.approx(1e-2) and lrs[-1] == pytest.approx(2.5e-3)  # StepLR halved it at 30 and 60
    val_steps, val_losses = store.series("val_loss")
    assert list(val_steps) == [20, 40, 60, 80] and np.isfinite(val_losses).all()
    _, names, grads = store.vectors("grad_norm")
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias"] and (grads > 0).all()
    _, _, ratios = store.vectors("update_ratio")
    assert ((ratios > 1e-5) & (ratios < 1.0)).all()
    _, modules, zeros = store.vectors("act_zero_frac")
    assert "1" in modules and 0.2 < zeros[0, modules.index("1")] < 0.8  # the ReLU's share of zeros
    assert store.structure["optimizer"]["type"] == "Adam"
    assert store.structure["clip_max_norm"] == 1.0
    assert {f["phase"] for f in store.structure["loss_functions"].values()} == {"train", "val"}


def test_gradient_norm_is_recorded_before_clipping():
    with nndoctor.watch() as doc:
        torch.manual_seed(0)
        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        loss = F.mse_loss(model(torch.ones(8, 4)), torch.full((8, 1), 100.0))
        loss.backward()
        norm_before = float(
            torch.linalg.vector_norm(torch.cat([p.grad.flatten() for p in model.parameters()]))
        )
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
    _, totals = doc.store.series("grad_norm")
    assert totals[0] == pytest.approx(norm_before, rel=1e-5) and norm_before > 10


@pytest.mark.parametrize(
    "probe_method",
    [
        "_record_train_loss",
        "_judge_loss",
        "_sample_gradients",
        "_sample_updates",
        "_activation_sample",
        "_observe_loss_call",
        "_flush",
    ],
)
def test_a_failing_probe_is_switched_off_and_training_goes_on(monkeypatch, probe_method):
    calls = []

    def broken(self, *args, **kwargs):
        calls.append(1)
        raise ValueError("injected fault")

    monkeypatch.setattr(Monitor, probe_method, broken)
    plain = train(steps=70)
    with nndoctor.watch() as doc:
        watched = train(steps=70)
    for a, b in zip(plain.parameters(), watched.parameters()):
        assert torch.equal(a, b)
    errors = doc.store.events("internal-error")
    assert len(errors) == 1 and "injected fault" in errors[0]["error"]  # recorded once, then switched off
    assert len(calls) == 1
    assert doc.diagnosis().run["internal_errors"][0]["error"] == "ValueError: injected fault"


def test_event_log_replays_to_the_same_store(tmp_path):
    path = tmp_path / "run.events.jsonl"
    with nndoctor.watch(events=str(path)) as doc:
        train(steps=70)
    replayed = read_events(path)
    for name in ("loss", "lr", "grad_norm", "val_loss"):
        live, again = doc.store.series(name), replayed.series(name)
        assert np.array_equal(live[0], again[0]) and np.allclose(live[1], again[1], equal_nan=True)
    assert replayed.structure == doc.store.structure
    assert nndoctor.diagnose_events(str(path)).ids() == doc.diagnosis().ids()


def test_event_log_survives_a_torn_last_line(tmp_path):
    path = tmp_path / "killed.events.jsonl"
    with nndoctor.watch(events=str(path)):
        train(steps=70)
    text = path.read_text()
    path.write_text(text + '{"kind": "scalars", "name": "lo')  # what a SIGKILL mid-write leaves
    assert read_events(path).steps_seen == 70


def test_decimated_series_memory_is_bounded_and_keeps_extremes_known():
    series = DecimatedSeries(capacity=64)
    for step in range(100_000):
        series.append(step, float("nan") if step == 77_777 else float(step))
    assert len(series.steps) < 64 and series.count == 100_000
    assert series.first_nonfinite_step == 77_777
    assert series.steps[0] == 0 and series.steps[-1] > 90_000
    strides = np.diff(series.steps)
    assert (strides == strides[0]).all()  # evenly thinned


def test_nonfinite_loss_is_located_at_its_first_step():
    with nndoctor.watch() as doc:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)
        for step in range(20):
            target = torch.full((16, 1), float("inf") if step == 12 else 1.0)
            loss = F.mse_loss(model(torch.randn(16, 4)), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    events = doc.store.events("nonfinite")
    assert events[0]["step"] == 12 and events[0]["signal"] == "loss"
    assert doc.store.first_nonfinite_step("loss") == 12


def test_decimated_series_extend_matches_append_one_by_one():
    one, many = DecimatedSeries(capacity=16), DecimatedSeries(capacity=16)
    values = [float(v) for v in range(1000)]
    values[333] = float("inf")
    for step, value in enumerate(values):
        one.append(step, value)
    for start in range(0, 1000, 37):  # batches of an awkward size
        many.extend(list(range(start, min(start + 37, 1000))), values[start : start + 37])
    assert many.steps == one.steps and many.values == one.values
    assert many.first_nonfinite_step == one.first_nonfinite_step == 333
    assert many.count == one.count == 1000


def test_a_loss_in_eval_mode_without_no_grad_is_validation_unless_trained_on():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs, targets = torch.randn(32, 4), torch.randint(0, 2, (32,))
    with nndoctor.watch() as doc:
        for step in range(6):
            loss = F.cross_entropy(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            model.eval()
            F.cross_entropy(model(inputs), targets)  # validation that forgot torch.no_grad()
            if step == 5:  # and a step trained in eval mode: its loss is training loss, not validation
                loss = F.cross_entropy(model(inputs), targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            model.train()
    val_steps, _ = doc.store.series("val_loss")
    train_steps, _ = doc.store.series("loss")
    assert list(val_steps) == [1, 2, 3, 4, 5, 6]
    assert list(train_steps) == list(range(7))


def test_past_the_early_phase_sampling_thins_out_while_the_monitor_runs_over_its_budget(monkeypatch):
    monitor = Monitor()
    ticks = iter(range(10))
    monkeypatch.setattr(monitor_module.time, "perf_counter", lambda: float(next(ticks)))
    monitor._keep_to_budget()  # the first period begins: nothing to judge yet
    assert monitor.schedule.stretch == 1
    for expected in (2, 4):
        monitor.overhead_s += 3 * monitor_module.OVERHEAD_BUDGET  # three times the budget of the second
        monitor._keep_to_budget()
        assert monitor.schedule.stretch == expected
    monitor.overhead_s += monitor_module.OVERHEAD_BUDGET / 2  # within budget: kept
    monitor._keep_to_budget()
    assert monitor.schedule.stretch == 4
    monitor.overhead_s += monitor_module.OVERHEAD_BUDGET / 8  # room to spare: thickened again
    monitor._keep_to_budget()
    assert monitor.schedule.stretch == 2
    late = monitor.schedule.early_until
    # stretched intervals stay multiples of the plain ones: a thinned schedule samples a subset
    assert [s for s in range(late, late + 512) if monitor.schedule.sample_gradients(s)] == list(
        range(late, late + 512, 2 * monitor.schedule.every_late)
    )


def two_trainings(*, keep_first_optimizer: bool):
    """A model fitted to one task, then a second model (new head, higher loss) trained on another."""
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    first = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    kept = []

    def fit(model, targets, steps):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        if keep_first_optimizer:
            kept.append(optimizer)  # still referenced: it rests while the second one steps
        for step in range(steps):
            index = torch.arange(step * 32, step * 32 + 32) % 512
            loss = F.cross_entropy(model(x[index]), targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    fit(first, (x[:, 0] > 0).long(), 150)
    second = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 5))
    fit(second, (x[:, 1] * 2 + 2.5).clamp(0, 4).long(), 200)


@pytest.mark.parametrize("keep_first_optimizer", [False, True])
def test_a_model_trained_after_another_is_diagnosed_as_a_run_of_its_own(keep_first_optimizer):
    with nndoctor.watch() as doc:
        two_trainings(keep_first_optimizer=keep_first_optimizer)
    store = doc.store
    # a resting optimizer hands over at the new one's NEW_TRAINING_STEPS-th step; a collected one at once
    lost = monitor_module.NEW_TRAINING_STEPS - 1 if keep_first_optimizer else 0
    assert store.structure["trainings"] == 2 and store.phase_start == 150
    assert store.steps_seen == 200 - lost
    steps, losses = store.series("loss")
    assert steps[0] == 0  # its own curve, from its own start: ln 5 = 1.6 unless its first steps were lost
    assert losses[0] > (0.5 if keep_first_optimizer else 1.5)
    assert store.structure["params"][0]["name"] == "0.weight"  # named as its own model, no prefix
    assert [p["shape"] for p in store.structure["params"]][-1] == [5]
    diagnosis = doc.diagnosis()
    assert "loss-diverging" not in diagnosis.ids()
    assert diagnosis.run["trainings"] == 2


def test_the_trained_model_keeps_its_own_names_when_a_frozen_one_runs_first():
    torch.manual_seed(0)
    teacher, student = nn.Linear(8, 4), nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    x = torch.randn(64, 8)
    with nndoctor.watch() as doc:
        optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
        for _ in range(5):
            with torch.no_grad():
                soft = teacher(x)
            loss = F.mse_loss(student(x), soft)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    names = [p["name"] for p in doc.store.structure["params"]]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "Linear" in {m["name"] for m in doc.store.structure["modules"]}  # the teacher, after its class


def long_run(steps: int) -> tuple[nn.Module, list[float], list[int], dict[int, list[float]]]:
    """A tiny model trained past the dense start, where most steps take the monitor's quick path; some
    steps accumulate two micro-batches, and validation comes on unsampled steps, under no_grad or in
    eval mode with gradients on. Returns the model, each step's loss (the sum of what backward() was
    called on), the steps after each validation, and each step's update-to-weight ratios."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    inputs, targets = torch.randn(64, 4), torch.randint(0, 3, (64,))
    losses, validated, ratios = [], [], {}
    for step in range(steps):
        parts = 2 if step % 7 == 3 else 1
        optimizer.zero_grad()
        total = 0.0
        for part in range(parts):
            index = torch.arange(16) + 16 * ((step + part) % 4)
            loss = F.cross_entropy(model(inputs[index]), targets[index]) / parts
            loss.backward()
            total += loss.item()
        losses.append(total)
        before = [p.detach().clone() for p in model.parameters()]
        optimizer.step()
        ratios[step] = [
            float((p.detach() - b).norm() / p.detach().norm()) for p, b in zip(model.parameters(), before)
        ]
        if step % 97 == 50 or step % 211 == 100:
            model.eval()
            with torch.no_grad() if step % 211 == 100 else contextlib.nullcontext():
                F.cross_entropy(model(inputs), targets)
            model.train()
            validated.append(step + 1)
    return model, losses, validated, ratios


def test_unsampled_steps_keep_every_loss_validation_and_the_sampled_updates():
    steps = 1400  # past the early phase (1024): gradients every 64 steps, the rest quick
    plain, *_ = long_run(steps)
    with nndoctor.watch() as doc:
        watched, losses, validated, ratios = long_run(steps)
    for a, b in zip(plain.parameters(), watched.parameters()):
        assert torch.equal(a, b)
    store = doc.store
    loss_steps, recorded = store.series("loss")
    assert list(loss_steps) == list(range(steps))
    assert np.allclose(recorded, losses, rtol=1e-5)
    val_steps, _ = store.series("val_loss")
    assert list(val_steps) == sorted(set(validated))
    grad_steps, _, _ = store.vectors("grad_norm")
    update_steps, _, update_ratios = store.vectors("update_ratio")
    assert list(update_steps) == list(grad_steps) and grad_steps[-1] >= 1024
    assert np.allclose(update_ratios, [ratios[s] for s in update_steps], rtol=1e-4)


def windowed_run(steps: int, variant: str = "plain", *, fail_at: int | None = None) -> dict:
    """The common loop past the dense start: one loss call a step, backward() on its result, one
    optimizer, a scheduler, and validation now and then (under no_grad, or in eval mode with gradients
    on). `variant` adds what rules quick windows out. Returns the trained model, what each step saw
    (its loss as backward() got it, its learning rate) and whether its loss call found backward()
    unwrapped and no optimizer hook: a quick window."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=500, gamma=0.5)
    critic = nn.Linear(3, 1)
    critic_optimizer = torch.optim.SGD(critic.parameters(), lr=0.01)
    inputs, targets = torch.randn(64, 4), torch.randint(0, 3, (64,))
    seen: dict = {"losses": [], "rates": [], "window": [], "validated": []}
    original_backward = ORIGINALS[0]
    for step in range(steps):
        if step == fail_at:
            raise RuntimeError("user bug")
        index = torch.arange(16) + 16 * (step % 4)
        outputs = model(inputs[index])
        if variant == "logged first":  # a loss computed for the log, with gradients, not trained on
            F.cross_entropy(outputs[:8], targets[index][:8])
        loss = F.cross_entropy(outputs, targets[index])
        seen["window"].append(
            torch.autograd.backward is original_backward and not torch_optim._global_optimizer_pre_hooks
        )
        if variant == "regularised":
            loss = loss + 1e-3 * sum(p.pow(2).sum() for p in model.parameters())
        elif variant == "metric after":
            with torch.no_grad():
                F.mse_loss(outputs.softmax(1), F.one_hot(targets[index], 3).float())
        optimizer.zero_grad()
        loss.backward()
        seen["losses"].append(loss.item())
        seen["rates"].append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
        if variant == "second optimizer":  # a critic trained on the model's outputs, every step
            critic_loss = critic(outputs.detach()).pow(2).mean()
            critic_optimizer.zero_grad()
            critic_loss.backward()
            critic_optimizer.step()
        if step % 97 == 50 or step % 211 == 100:
            model.eval()
            with torch.no_grad() if step % 211 == 100 else contextlib.nullcontext():
                F.cross_entropy(model(inputs), targets)
            model.train()
            seen["validated"].append(step + 1)
    seen["model"] = model
    return seen


def test_quick_windows_take_backward_and_the_step_hook_out_and_miss_no_step():
    """In the common loop most quick steps run as a window, where the loss call alone does the step's
    part; every step's loss, learning rate and validation are still kept, at their own steps."""
    steps = 1400
    before = global_hook_counts()
    plain = windowed_run(steps)["model"]
    with nndoctor.watch() as doc:
        seen = windowed_run(steps)
    for a, b in zip(plain.parameters(), seen["model"].parameters()):
        assert torch.equal(a, b)
    late = seen["window"][1024:]
    assert sum(late) > 0.8 * len(late)  # windows end at sampled steps, flushes and validations
    store = doc.store
    loss_steps, losses = store.series("loss")
    assert list(loss_steps) == list(range(steps))
    assert np.allclose(losses, seen["losses"], rtol=1e-6)
    lr_steps, rates = store.series("lr")
    assert list(lr_steps) == list(range(steps)) and np.allclose(rates, seen["rates"])
    assert list(store.series("val_loss")[0]) == seen["validated"]
    assert global_hook_counts() == before and torch.autograd.backward is ORIGINALS[0]


@pytest.mark.parametrize("variant", ["regularised", "logged first", "metric after", "second optimizer"])
def test_no_quick_window_unless_one_loss_call_a_step_is_what_backward_runs_on(variant):
    """A window counts a step at each call of its loss function; where backward() runs on more than
    that call (a penalty added), two calls a step, a loss call after it or a second optimizer would make
    that count wrong, so those steps keep backward()'s wrapper and the step hook."""
    steps = 1200
    with nndoctor.watch() as doc:
        seen = windowed_run(steps, variant)
    assert not any(seen["window"])
    loss_steps, losses = doc.store.series("loss")
    assert list(loss_steps) == list(range(steps))
    assert np.allclose(losses, seen["losses"], rtol=1e-6)


def test_a_run_that_raises_inside_a_quick_window_leaves_no_hook_or_patch_behind():
    before = global_hook_counts()
    with pytest.raises(RuntimeError, match="user bug"), nndoctor.watch() as doc:
        seen = {}
        seen = windowed_run(1300, fail_at=1290)
    assert global_hook_counts() == before
    assert (torch.autograd.backward, F.cross_entropy, nn.utils.clip_grad_norm_) == ORIGINALS[:2] + (
        ORIGINALS[3],
    )
    assert list(doc.store.series("loss")[0]) == list(range(1290)) and not seen


def test_a_backward_patched_after_nndoctor_keeps_its_wrapper_on_every_step():
    """Something else wrapping backward() after nndoctor (another tool) is never taken out by a window."""
    calls = []
    with nndoctor.watch() as doc:
        wrapped = torch.autograd.backward

        def counting_backward(*args, **kwargs):
            calls.append(1)
            return wrapped(*args, **kwargs)

        torch.autograd.backward = counting_backward
        try:
            seen = windowed_run(1200)
        finally:
            torch.autograd.backward = wrapped
    assert len(calls) == 1200 and not any(seen["window"])
    assert list(doc.store.series("loss")[0]) == list(range(1200))


def test_a_backward_imported_by_name_under_nndoctor_is_not_held_during_a_window():
    """A script that ran `from torch.autograd import backward` once nndoctor was attached holds its
    wrapper, which a window cannot take out: it must then pass through, not hold losses nobody reads
    (they would come back as one step's loss)."""
    steps = 1300
    with nndoctor.watch() as doc:
        from torch.autograd import backward  # bound to nndoctor's wrapper

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        inputs, targets = torch.randn(64, 4), torch.randint(0, 3, (64,))
        losses = []
        for step in range(steps):
            index = torch.arange(16) + 16 * (step % 4)
            loss = F.cross_entropy(model(inputs[index]), targets[index])
            optimizer.zero_grad()
            backward(loss)
            optimizer.step()
            losses.append(loss.item())
    loss_steps, recorded = doc.store.series("loss")
    assert list(loss_steps) == list(range(steps))
    assert np.allclose(recorded, losses, rtol=1e-6)


def test_a_jump_or_a_nonfinite_loss_on_an_unsampled_step_is_caught_at_that_step():
    """Past the dense start most steps take the quick path; a loss jump there must still open a window
    of dense sampling at once, and a non-finite loss be located at its own step."""
    jump_step, nan_step = 1090, 1150  # neither on the sparse schedule (every 64 steps)
    with nndoctor.watch() as doc:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        inputs = torch.randn(64, 4)
        targets = inputs.sum(1, keepdim=True)
        for step in range(1200):
            scale = {jump_step: 100.0, nan_step: float("nan")}.get(step, 1.0)
            loss = F.mse_loss(model(inputs), targets * scale)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    grad_steps, _, _ = doc.store.vectors("grad_norm")
    assert jump_step in set(grad_steps) and jump_step % 64 != 0
    assert [e["step"] for e in doc.store.events("nonfinite")] == [nan_step]
    steps, losses = doc.store.series("loss")
    assert list(steps) == list(range(1200)) and losses[jump_step] > 100 * losses[jump_step - 1]


def run_at_levels(levels: list[float]) -> nndoctor.Monitor:
    """A run whose loss at each step is exactly `levels[step]` (the model learns nothing: lr 0)."""
    with nndoctor.watch() as doc:
        model = nn.Linear(4, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
        inputs = torch.ones(8, 4)
        for level in levels:
            loss = model(inputs).sum() * 0 + level
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return doc


def test_a_jump_on_a_quick_step_is_caught_while_the_loss_falls_fast():
    """Quick steps compare the loss with a threshold the last full step set; on a loss falling 0.2% a
    step, a jump 4-6x its level (taking back over a tenth of the progress made) must still open a window
    of dense sampling at its own step."""
    jumps = {1300: 4.0, 1500: 4.0, 1777: 6.0}  # past the early phase, none on the sparse schedule
    levels = [100 * 0.998**step * jumps.get(step, 1.0) for step in range(2000)]
    doc = run_at_levels(levels)
    grad_steps, _, _ = doc.store.vectors("grad_norm")
    assert set(jumps) <= set(grad_steps.tolist()) and all(step % 64 for step in jumps)
    assert not doc.store.events("nonfinite")


def test_batches_off_zero_of_a_margin_loss_open_no_dense_sampling():
    """A margin loss near 0 is 0 on most batches and several times its level on the few with a hard
    pair: jumps that take back under a tenth of the progress made, which the loss-spike check would
    not report either. They must not cost a window of dense sampling each."""
    rng = np.random.default_rng(0)
    levels = [1.0 * 0.99**step for step in range(400)]  # falls from 1.0 to about 0.02
    levels += [0.08 if rng.random() < 0.05 else 0.0 for _ in range(1600)]  # 20x the mean, 8% of the start
    doc = run_at_levels(levels)
    grad_steps, _, _ = doc.store.vectors("grad_norm")
    late = [step for step in grad_steps.tolist() if step >= 1024]
    assert all(step % 64 == 0 for step in late)  # only the sparse schedule's samples
    levels[1500] = 0.3  # a batch that undoes 30% of the progress: a jump
    grad_steps, _, _ = run_at_levels(levels).store.vectors("grad_norm")
    assert 1500 in set(grad_steps.tolist())


def test_a_minus_infinite_loss_on_a_quick_step_is_reported_at_its_step():
    levels = [1.0 + 0.001 * (step % 5) for step in range(1400)]
    levels[1300] = float("-inf")  # the one value that passes the quick path's comparison
    doc = run_at_levels(levels)
    assert [e["step"] for e in doc.store.events("nonfinite")] == [1300]
    steps, losses = doc.store.series("loss")
    assert list(steps) == list(range(1400)) and losses[1300] == float("-inf")


def embedding_run(*, sparse: bool) -> nndoctor.Monitor:
    """A bag-of-ids regression with nn.Embedding(sparse=...) trained by plain SGD (which takes sparse
    gradients); the same seed gives the same numbers either way."""
    torch.manual_seed(0)
    table, head = nn.Embedding(50, 4, sparse=sparse), nn.Linear(4, 1)
    optimizer = torch.optim.SGD([*table.parameters(), *head.parameters()], lr=0.1)
    ids = torch.randint(0, 50, (40, 16))  # ids repeat within a batch: the sparse gradient is uncoalesced
    targets = torch.randn(40, 16)
    with nndoctor.watch() as doc:
        for batch in range(40):
            loss = F.mse_loss(head(table(ids[batch])).squeeze(1), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return doc


def test_sparse_embedding_gradients_are_measured_like_dense_ones():
    sparse, dense = embedding_run(sparse=True), embedding_run(sparse=False)
    assert "internal_errors" not in sparse.diagnosis().run
    assert "loss-nonfinite" not in sparse.diagnosis().ids()
    _, names, sparse_norms = sparse.store.vectors("grad_norm")
    _, _, dense_norms = dense.store.vectors("grad_norm")
    assert names[0] == "weight" and np.isfinite(sparse_norms).all()
    np.testing.assert_allclose(sparse_norms, dense_norms, rtol=1e-5)


def test_a_tensor_learning_rate_is_recorded_at_each_step_not_at_flush_time():
    # StepLR updates a tensor rate in place: a kept reference would read the last value for every step
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01))
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
    x, y = torch.randn(64, 4), torch.randn(64, 1)
    with nndoctor.watch() as doc:
        for _ in range(400):
            optimizer.zero_grad()
            F.mse_loss(model(x), y).backward()
            optimizer.step()
            scheduler.step()
    steps, rates = doc.store.series("lr")
    expected = 0.01 * 0.5 ** (steps // 100)
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_values_on_a_failed_device_are_dropped_and_those_on_the_host_kept(monkeypatch):
    pending = PendingSignals()
    pending.add_scalar("lr", 0, 0.1)
    pending.add_scalar("loss", 0, torch.tensor(2.0))
    pending.add_scalar("loss", 1, 1.5)
    pending.add_vector("grad_norm", 0, torch.ones(3))

    def dead_device(*args, **kwargs):
        raise torch.AcceleratorError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(torch, "cat", dead_device)
    records = {r["name"]: r for r in pending.drain()}
    assert records["lr"]["values"] == [0.1]
    assert records["loss"]["steps"] == [1] and records["loss"]["values"] == [1.5]
    assert "grad_norm" not in records and "illegal memory access" in str(pending.device_failure)

    def bug(*args, **kwargs):
        raise ValueError("not the device's")

    monkeypatch.setattr(torch, "cat", bug)
    pending.add_scalar("loss", 2, torch.tensor(1.0))
    with pytest.raises(ValueError):  # nndoctor's own errors are not taken for the device's
        pending.drain()
