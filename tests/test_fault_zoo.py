"""A representative subset of the fault zoo, end to end: `nndoctor run` as a user runs it, scored the way
benchmarks/detect.py scores the whole zoo (the headline is the injected cause; healthy runs stay quiet)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

DETECT = Path(__file__).resolve().parents[1] / "benchmarks" / "detect.py"
spec = importlib.util.spec_from_file_location("detect", DETECT)
detect = importlib.util.module_from_spec(spec)
sys.modules["detect"] = detect  # dataclasses look their module up there
spec.loader.exec_module(detect)

SUBSET = (
    "fault_lr_too_high_sgd_nan.py",
    "fault_lr_too_low_exponential_decay.py",
    "fault_vanishing_gradients_deep_sigmoid.py",
    "fault_loss_nonfinite_manual_bce.py",
    "healthy_cnn_digits.py",
    "healthy_grad_clipping_mlp.py",
    "healthy_warmup_cosine_digits.py",
)
SCENARIOS = {s.path.name: s for s in detect.load_scenarios()}


def test_the_subset_covers_faults_and_healthy_runs():
    chosen = [SCENARIOS[name] for name in SUBSET]
    assert sum(s.healthy for s in chosen) >= 3 and sum(not s.healthy for s in chosen) >= 4


@pytest.mark.parametrize("name", SUBSET)
def test_scenario_is_diagnosed_as_injected(name):
    outcome = detect.diagnose(SCENARIOS[name])
    assert not outcome.error, outcome.error
    if outcome.scenario.healthy:
        assert outcome.alarms == [], f"false alarm on a healthy run: {outcome.ids}"
    else:
        assert outcome.ids[:1] == [outcome.scenario.fault], f"headline {outcome.ids}"
        missing = set(outcome.scenario.shows) - set(outcome.ids)
        assert not missing, f"expected symptoms not reported: {missing}"
