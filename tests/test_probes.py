"""The probe interface: each moment reaches the probes that want it, and every probe, the bundled ones
included, is contained by the fail-safe and leaves nothing behind."""

from __future__ import annotations

import pytest
import torch
from test_monitor import train
from torch import nn

from nndoctor.analyze import diagnose_store
from nndoctor.monitor.monitor import Monitor
from nndoctor.monitor.probes import MOMENTS, PROBES, Probe
from nndoctor.report.terminal import render_plain


class Recorder(Probe):
    name = "recorder"

    def __init__(self, context):
        super().__init__(context)
        self.seen: dict[str, list] = {moment: [] for moment in MOMENTS}

    def on_start(self, optimizer):
        self.seen["on_start"].append(type(optimizer).__name__)

    def on_step(self, step, optimizer):
        self.seen["on_step"].append(step)

    def on_backward(self, loss):
        self.seen["on_backward"].append(float(loss.detach()))

    def before_loss_call(self, name, input, target, kwargs):
        self.seen["before_loss_call"].append((name, len(self.seen["on_loss_call"])))

    def on_loss_call(self, name, input, target, kwargs, phase):
        self.seen["on_loss_call"].append((name, phase, tuple(input.shape)))

    def on_model_input(self, model, args, kwargs):
        self.seen["on_model_input"].append((type(model).__name__, tuple(args[0].shape), model.training))

    def on_forward(self, module, inputs, output):
        self.seen["on_forward"].append(type(module).__name__)

    def on_flush(self, step):
        self.seen["on_flush"].append(step)

    def on_finish(self, status):
        self.seen["on_finish"].append(status)
        self.context.emit([{"kind": "event", "type": "recorder-done", "steps": len(self.seen["on_step"])}])


def run_with(probes, steps=80):
    monitor = Monitor(probes=probes).attach()
    try:
        model = train(steps=steps)
    finally:
        monitor.finish()
    return monitor, model


def test_each_moment_reaches_a_probe_with_its_arguments():
    monitor, model = run_with([Recorder], steps=80)
    seen = monitor._extras[0].seen
    assert seen["on_start"] == ["Adam"]
    # training moments reach probes on sampled steps: every step of the dense start, then one in 8
    sampled = [s for s in range(80) if monitor.schedule.sample_gradients(s)]
    assert sampled == [*range(64), 64, 72]
    assert seen["on_step"] == sampled
    assert len(seen["on_backward"]) == len(sampled)
    phases = {phase for _, phase, _ in seen["on_loss_call"]}
    assert phases == {"train", "val"}  # the validation pass every 20 steps is told apart
    # before each training call of a sampled step, none before a validation call
    trained = [i for i, (_, phase, _) in enumerate(seen["on_loss_call"]) if phase == "train"]
    assert [called for _, called in seen["before_loss_call"]] == trained
    assert ("Sequential", (32, 8), True) in seen["on_model_input"]
    assert ("Sequential", (64, 8), False) in seen["on_model_input"]
    assert {"Linear", "ReLU"} <= set(seen["on_forward"])
    assert seen["on_flush"] and seen["on_finish"] == ["completed"]
    assert monitor.store.events("recorder-done")[0]["steps"] == len(sampled)
    assert not model._forward_pre_hooks and not model._forward_hooks  # the input hook is gone


def test_a_moment_nobody_overrides_is_not_called():
    class OnlyStep(Probe):
        name = "only-step"

        def on_step(self, step, optimizer):
            pass

    monitor = Monitor(probes=[OnlyStep])
    assert [len(monitor._at[m]) for m in MOMENTS] == [int(m == "on_step") for m in MOMENTS]


@pytest.mark.parametrize("probe_class", [Recorder, *PROBES], ids=lambda c: c.name)
def test_a_failing_probe_is_switched_off_and_training_is_unchanged(monkeypatch, probe_class):
    """Every bundled probe, at every moment it uses: a fault is recorded once and training goes on."""
    plain = train(steps=70)
    for moment in MOMENTS:
        if getattr(probe_class, moment) is getattr(Probe, moment):
            continue

        def broken(self, *args, **kwargs):
            raise ValueError("injected fault")

        with monkeypatch.context() as patch:
            patch.setattr(probe_class, moment, broken)
            monitor, watched = run_with([probe_class], steps=70)
        for a, b in zip(plain.parameters(), watched.parameters()):
            assert torch.equal(a, b), moment
        errors = monitor.store.events("internal-error")
        assert len(errors) == 1 and errors[0]["probe"] == probe_class.name, moment
        assert not watched._forward_pre_hooks


@pytest.mark.parametrize("probe_class", PROBES, ids=lambda c: c.name)
def test_bundled_probes_keep_training_bitwise_equal(probe_class):
    plain = train(steps=70)
    monitor, watched = run_with([probe_class], steps=70)
    for a, b in zip(plain.parameters(), watched.parameters()):
        assert torch.equal(a, b)
    assert not monitor.store.events("internal-error")
    assert any(isinstance(p, probe_class) for p in monitor._extras)


def test_probe_names_are_unique():
    names = [probe.name for probe in PROBES]
    assert len(names) == len(set(names)) and "probe" not in names


def test_the_model_input_hook_is_installed_only_when_a_probe_wants_it():
    monitor = Monitor(probes=[]).attach()
    try:
        model = nn.Linear(3, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model(torch.ones(2, 3)).sum().backward()
        optimizer.step()
        assert not model._forward_pre_hooks
    finally:
        monitor.finish()


class TouchesTheDevice(Probe):
    """A probe whose reads meet a failed device from step 5 on (as a CUDA device-side assert makes every
    later read fail), and that holds host-side data it still hands in at the end."""

    name = "touches-device"

    def __init__(self, context):
        super().__init__(context)
        self.steps_seen = 0

    def on_step(self, step, optimizer):
        if step >= 5:
            raise torch.AcceleratorError("CUDA error: device-side assert triggered")
        self.steps_seen += 1

    def on_finish(self, status):
        self.context.emit([{"kind": "event", "type": "held-on-host", "steps": self.steps_seen}])


def test_a_failed_device_is_not_an_internal_error_and_host_data_survives_it():
    monitor, _ = run_with([TouchesTheDevice], steps=20)
    assert not monitor.store.events("internal-error")
    failure = monitor.store.structure["device_failure"]
    assert failure["step"] == 5 and "device-side assert" in failure["error"]
    assert monitor.store.events("held-on-host")[0]["steps"] == 5  # its on_finish still ran
    report = render_plain(diagnose_store(monitor.store, status=monitor.status), width=120)
    assert "the device failed at step 5" in report and "internal error" not in report
