"""Saved logs written by the real writers (tests/fixtures/curves/make_fixtures.py): each gets its state.

Lightning's CSVLogger, Keras' CSVLogger, Hugging Face's trainer_state.json, TensorBoard's SummaryWriter
and plain loops writing CSV and JSON lines, training tiny models on digits. The tests only read the
committed files; TensorBoard's need the `tensorboard` package (the `tensorboard` extra).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from nndoctor.analyze import diagnose_store
from nndoctor.findings import Severity
from nndoctor.logs import read_log

FIXTURES = Path(__file__).parent / "fixtures" / "curves"
HAS_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None

# fixture -> (state id or None for no state, other ids that must be present)
EXPECTED = {
    "lightning_healthy/metrics.csv": (None, ()),  # StepLR drop, then converged: no state, no alarm
    "lightning_overfit/metrics.csv": ("overfitting", ()),
    "lightning_spike/metrics.csv": ("still-learning", ("loss-spike",)),
    "lightning_dataset_problem/metrics.csv": ("dataset-problem", ()),
    "lightning_single_epoch/metrics.csv": (None, ()),  # one evaluation: nothing to compare
    "keras_healthy.csv": ("still-learning", ()),
    "keras_overfit_few_val.csv": ("overfitting", ()),  # 4 evaluations only
    "keras_bottleneck.csv": ("learning-bottleneck", ()),
    "keras_nan_tail.csv": (None, ("loss-nonfinite",)),  # the NaN is the story, not a curve state
    "keras_single_epoch.csv": (None, ()),
    "hf_healthy/trainer_state.json": (None, ()),  # warm-up, linear decay, evaluated every 25 steps
    "hf_overfit/trainer_state.json": ("overfitting", ()),
    "jsonl_tiny_losses.jsonl": ("still-learning", ()),  # losses down to 1e-9, two rate drops
    "csv_resumed_steps_restart.csv": ("still-learning", ()),  # one run, its step counter restarted
    "tb_healthy": ("still-learning", ()),
    "tb_still_learning": ("still-learning", ()),
    "tb_spike": ("still-learning", ("loss-spike",)),
    "tb_resumed": ("still-learning", ()),  # resumed at step 400 with purge_step: one clean run
}
STATES = {"still-learning", "overfitting", "dataset-problem", "learning-bottleneck"}
HEALTHY = {
    "lightning_healthy/metrics.csv",
    "lightning_single_epoch/metrics.csv",
    "keras_healthy.csv",
    "keras_single_epoch.csv",
    "hf_healthy/trainer_state.json",
    "jsonl_tiny_losses.jsonl",
    "csv_resumed_steps_restart.csv",
    "tb_healthy",
    "tb_still_learning",
    "tb_resumed",
}


def diagnose(name: str):
    if name.startswith("tb_") and not HAS_TENSORBOARD:
        pytest.skip("tensorboard is not installed (pip install nndoctor[tensorboard])")
    runs = read_log(FIXTURES / name)
    assert len(runs) == 1, [r.name for r in runs]
    diagnosis = diagnose_store(runs[0].store)
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return runs[0], diagnosis


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gets_its_state(name):
    state, others = EXPECTED[name]
    _, diagnosis = diagnose(name)
    ids = diagnosis.ids()
    found = [i for i in ids if i in STATES]
    assert found == ([state] if state else []), ids
    for other in others:
        assert other in ids, ids


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_healthy_runs_raise_no_alarm(name):
    _, diagnosis = diagnose(name)
    alarms = [f.id for f in diagnosis.findings if f.severity >= Severity.WARNING]
    assert alarms == [], [(f.id, f.evidence) for f in diagnosis.findings]


def test_overfitting_names_the_best_step_to_stop_at():
    run, diagnosis = diagnose("lightning_overfit/metrics.csv")
    finding = diagnosis.findings[0]
    best_value, best_step = run.best_val()
    assert finding.id == "overfitting" and finding.step is not None
    assert abs(finding.step - best_step) <= 10  # the best, read on the curve smoothed over 3 evaluations
    assert f"best step to stop at was {finding.step}" in finding.advice


def test_keras_appended_runs_are_split_where_the_epoch_count_restarts():
    runs = read_log(FIXTURES / "keras_appended_runs.csv")
    assert [r.name.rsplit("(", 1)[-1] for r in runs] == ["run 1 of 2)", "run 2 of 2)"]
    assert [r.train_points for r in runs] == [15, 30]
    states = [[i for i in diagnose_store(r.store).ids() if i in STATES] for r in runs]
    assert states == [["still-learning"], ["overfitting"]]


def test_spike_is_found_where_the_wrong_labels_were():
    _, diagnosis = diagnose("lightning_spike/metrics.csv")
    spike = next(f for f in diagnosis.findings if f.id == "loss-spike")
    assert spike.step == 300 and "back down" in spike.evidence


def test_epoch_level_logs_speak_in_epochs():
    _, diagnosis = diagnose("keras_overfit_few_val.csv")
    assert "epoch 9" in diagnosis.findings[0].evidence


def test_resumed_run_with_restarted_counter_is_one_run_in_order():
    run, _ = diagnose("csv_resumed_steps_restart.csv")
    steps, _ = run.store.series("loss")
    assert run.train_points == 1000 and (steps[1:] > steps[:-1]).all()
