"""The loss checks on hand-made stores: each rule fires on its failure and stays quiet on healthy curves."""

from __future__ import annotations

import math

import numpy as np
from store_builders import add_scalars, add_vectors, converging, finish, flat, new_store, noisy

from nndoctor.checks.loss import loss_diverging, loss_nonfinite, loss_oscillating, loss_plateau

LOSS_CHECKS = (loss_nonfinite, loss_diverging, loss_oscillating, loss_plateau)


def store_with_loss(values, *, classes: int | None = 10, **options):
    store = new_store(classes=classes, **options)
    add_scalars(store, "loss", values)
    return finish(store, len(values))


def ids(store) -> list[str]:
    return sorted(finding.id for check in LOSS_CHECKS for finding in check(store))


# --- healthy curves: every loss check stays quiet --------------------------------------------------
def test_quiet_on_a_converging_classification_run():
    assert ids(store_with_loss(converging(400))) == []


def test_quiet_on_early_convergence_to_a_flat_low_loss():
    curve = np.concatenate([converging(60, tau=10), flat(600, 0.03, relative_noise=0.3)])
    assert ids(store_with_loss(curve)) == []


def test_quiet_on_label_smoothing_floor():
    floor = 0.50  # the entropy of a 0.1-smoothed 10-class target
    curve = converging(500, end=floor + 0.02)
    assert ids(store_with_loss(curve, label_smoothing=0.1)) == []


def test_quiet_on_a_step_lr_drop():
    curve = np.concatenate([converging(300, end=0.4), flat(300, 0.15, relative_noise=0.1)])
    assert ids(store_with_loss(curve)) == []


def test_quiet_on_a_short_run_still_learning():
    assert ids(store_with_loss(converging(120, tau=200))) == []


def test_quiet_on_a_noisy_regression_that_halves_its_loss():
    curve = noisy(0.5 + 0.5 * np.exp(-np.arange(700) / 80), relative_noise=0.35)
    assert ids(store_with_loss(curve, classes=None)) == []


def test_quiet_on_a_slow_start_that_breaks_out_of_chance_late():
    curve = np.concatenate([flat(200, math.log(2)), converging(100, start=math.log(2), end=0.1, tau=20)])
    assert ids(store_with_loss(curve, classes=2)) == []


def test_quiet_on_a_memorising_network_whose_loss_bursts_near_zero():
    """From 0.6 to about 0.002 (a wide network memorising 60 samples), then bursts of a few steps up to
    0.008 as Adam disturbs what it memorised: persistent and wide against the level, but under a hundredth
    of where the loss started. Bursts as wide as a tenth of the start are oscillation."""
    rng = np.random.default_rng(0)
    bursts = np.convolve(rng.exponential(1.0, 600) * (rng.random(600) < 0.1), np.ones(4), "same")
    tail = 0.0005 + 0.002 * bursts
    curve = np.concatenate([converging(100, start=0.6, end=0.002, tau=20), tail])
    assert loss_oscillating(store_with_loss(curve, classes=None)) == []
    assert loss_oscillating(store_with_loss(np.concatenate([curve[:100], 30 * tail]), classes=None)) != []


def test_quiet_on_too_few_points():
    assert ids(store_with_loss(flat(20, math.log(10)))) == []


# --- loss-nonfinite --------------------------------------------------------------------------------
def test_nonfinite_loss_reports_the_step_and_last_finite_value():
    curve = list(converging(50)) + [float("nan")] * 10
    [finding] = loss_nonfinite(store_with_loss(curve))
    assert finding.id == "loss-nonfinite"
    assert finding.step == 50
    assert "step 50" in finding.evidence and "step 49" in finding.evidence


def test_nonfinite_event_names_weights_gradients_and_loss_input():
    store = store_with_loss(list(converging(30)) + [float("inf")])
    store.apply(
        {
            "kind": "event",
            "type": "nonfinite",
            "step": 30,
            "signal": "loss",
            "nonfinite_weights": [],
            "nonfinite_weight_count": 0,
            "nonfinite_gradients": ["fc1.weight", "fc2.weight", "head.weight"],
            "nonfinite_gradient_count": 3,
            "loss_input_absmax": 3.0e4,
            "loss_input_nonfinite": 0,
        }
    )
    [finding] = loss_nonfinite(store)
    assert "3 gradient(s)" in finding.evidence
    assert "3.0e+04" in finding.evidence and "exp overflows" in finding.evidence
    assert finding.where == "head.weight"


def test_nonfinite_weights_point_at_an_earlier_update():
    store = store_with_loss([2.3, 2.4, float("nan")])
    store.apply(
        {
            "kind": "event",
            "type": "nonfinite",
            "step": 2,
            "signal": "loss",
            "nonfinite_weights": ["fc2.weight"],
            "nonfinite_weight_count": 1,
            "nonfinite_gradients": [],
            "nonfinite_gradient_count": 0,
        }
    )
    [finding] = loss_nonfinite(store)
    assert "already non-finite (fc2.weight)" in finding.evidence
    assert finding.where == "fc2.weight"


def test_nonfinite_gradient_before_the_loss():
    store = store_with_loss(list(converging(20)) + [float("nan")])
    store.apply({"kind": "event", "type": "nonfinite", "step": 15, "signal": "gradient"})
    [finding] = loss_nonfinite(store)
    assert finding.step == 15
    assert "at step 15 and the loss at step 20" in finding.evidence


def test_a_gradient_norm_overflow_alone_is_not_a_nonfinite_loss():
    store = store_with_loss(list(converging(40)))
    store.apply({"kind": "event", "type": "nonfinite", "step": 15, "signal": "gradient"})
    assert loss_nonfinite(store) == []


def test_nonfinite_names_the_first_layer_in_forward_order_up_to_the_onset():
    store = store_with_loss([2.3, float("nan"), float("nan")])
    store.apply({"kind": "columns", "name": "act_nonfinite_frac", "names": ["fc1", "act1", "fc2", "head"]})
    add_vectors(store, "act_nonfinite_frac", [0, 1, 2], [[0, 0, 0, 0], [0, 0, 0.5, 1.0], [1, 1, 1, 1]])
    [finding] = loss_nonfinite(store)
    assert "was fc2 at step 1" in finding.evidence
    assert finding.where == "fc2"


def test_nonfinite_from_the_first_layer_points_at_its_input():
    store = store_with_loss([2.3, float("nan")])
    store.apply({"kind": "columns", "name": "act_nonfinite_frac", "names": ["fc1", "head"]})
    add_vectors(store, "act_nonfinite_frac", [1], [[0.1, 1.0]])
    [finding] = loss_nonfinite(store)
    assert "the NaN entered with its input" in finding.evidence


def test_nonfinite_after_a_calm_curve_points_at_numerics_not_the_rate():
    curve = list(converging(200)) + [float("inf")]
    [finding] = loss_nonfinite(store_with_loss(curve))
    assert "log or division of 0" in finding.evidence


# --- loss-diverging --------------------------------------------------------------------------------
def test_diverging_when_the_loss_climbs_after_a_dip():
    t = np.arange(300)
    curve = noisy(np.where(t < 50, 2.3 - t * 0.02, 1.3 + (t - 50) * 0.02), relative_noise=0.05)
    [finding] = loss_diverging(store_with_loss(curve))
    assert finding.id == "loss-diverging"
    assert "rose from" in finding.evidence and "by step 299" in finding.evidence


def test_diverging_runaway_before_nan_on_a_short_curve():
    curve = [2.3, 2.5, 4.0, 40.0, 9e3, 5e7, float("nan")]
    [finding] = loss_diverging(store_with_loss(curve))
    assert "5.0e+07" in finding.evidence and "non-finite at step 6" in finding.evidence


def test_not_diverging_for_one_bad_stretch_at_the_end():
    curve = converging(300)
    curve[-25:] *= 6  # the last window only: not yet a trend
    assert loss_diverging(store_with_loss(curve)) == []


def test_not_diverging_for_isolated_spikes():
    curve = converging(400)
    curve[::37] *= 20
    assert loss_diverging(store_with_loss(curve)) == []


# --- loss-oscillating -------------------------------------------------------------------------------
def test_oscillating_when_swings_exceed_progress():
    rng = np.random.default_rng(3)
    curve = 0.9 * np.exp(rng.uniform(-0.6, 0.6, 400))  # regression swinging 0.5-1.6 around 0.9
    [finding] = loss_oscillating(store_with_loss(curve, classes=None))
    assert finding.id == "loss-oscillating"
    assert "swings between" in finding.evidence


def test_oscillating_in_bursts_after_some_progress():
    rng = np.random.default_rng(5)
    curve = np.concatenate([np.geomspace(0.8, 0.2, 100), np.full(500, 0.2)]) * np.exp(
        0.3 * rng.standard_normal(600)
    )
    for start in range(130, 600, 40):  # the optimiser is thrown out every 40 steps and takes ~8 to come back
        curve[start : start + 8] *= np.linspace(6.0, 1.5, 8)
    [finding] = loss_oscillating(store_with_loss(curve, classes=None))
    assert "lag-1 autocorrelation" in finding.evidence


def test_not_oscillating_when_a_noisy_curve_makes_progress():
    rng = np.random.default_rng(4)
    curve = (2.3 * np.exp(-np.arange(400) / 60) + 0.05) * np.exp(rng.uniform(-0.6, 0.6, 400))
    assert loss_oscillating(store_with_loss(curve)) == []


def test_a_rising_curve_is_diverging_not_oscillating():
    curve = noisy(np.exp(np.arange(300) / 15.0), relative_noise=0.05)
    store = store_with_loss(curve, classes=None)
    assert loss_oscillating(store) == []
    assert [f.id for f in loss_diverging(store)] == ["loss-diverging"]


# --- loss-plateau ------------------------------------------------------------------------------------
def test_plateau_at_chance_level():
    [finding] = loss_plateau(store_with_loss(flat(400, 2.31)))
    assert finding.id == "loss-plateau"
    assert "ln(10) = 2.30" in finding.evidence and "100% of chance level" in finding.evidence


def test_plateau_uses_the_class_count_of_the_loss_input():
    assert loss_plateau(store_with_loss(flat(400, math.log(3)), classes=3)) != []
    assert loss_plateau(store_with_loss(flat(400, math.log(3)), classes=100)) == []


def test_plateau_for_binary_cross_entropy_near_ln2():
    store = store_with_loss(flat(300, 0.69), classes=None, loss_name="binary_cross_entropy_with_logits")
    assert [f.id for f in loss_plateau(store)] == ["loss-plateau"]


def test_plateau_for_regression_that_never_left_its_start():
    assert loss_plateau(store_with_loss(flat(400, 1.0), classes=None)) != []


def test_a_poisson_likelihood_converged_near_its_start_is_not_a_plateau():
    """Counts of mean 0.5 from a model that starts near their rate: the loss falls from 1.0 to its best,
    0.85 (the mean of y - y ln y over Poisson(0.5) counts, not 0). The same curve under MSE, whose floor
    is 0, has barely moved."""
    curve = np.concatenate([converging(40, start=1.0, end=0.85, tau=8), flat(400, 0.85)])
    assert loss_plateau(store_with_loss(curve, classes=None, loss_name="poisson_nll_loss")) == []
    assert loss_plateau(store_with_loss(curve, classes=None, loss_name="mse_loss")) != []


def binary_run(level: float, counts: list[int]):
    """A BCE-with-logits loss flat at `level`, its profiled labels 0 and 1 counted `counts`."""
    store = store_with_loss(flat(400, level), classes=None, loss_name="binary_cross_entropy_with_logits")
    profile = {"targets": {"kind": "class-indices", "classes": {"labels": [0, 1], "counts": counts}}}
    store.apply({"kind": "structure", "data": {"data_profile": profile}})
    return store


def test_chance_level_of_imbalanced_labels_is_their_entropy():
    """75% positives: a model that learned nothing predicts 0.75 and scores their entropy, 0.56, not
    ln 2 = 0.69. Flat at 0.53 it is near that chance level (94% of it, where ln 2 made it 76%); at 0.25
    it has learned most of what the labels hold."""
    [near_chance] = loss_plateau(binary_run(0.53, [250, 750]))
    assert "94% of chance level, 0.56, the entropy of its labels (75% of them 1" in near_chance.evidence
    assert loss_plateau(binary_run(0.25, [250, 750])) == []
    [balanced] = loss_plateau(binary_run(0.53, [500, 500]))
    assert "76% of chance level, ln(2) = 0.69" in balanced.evidence


def test_plateau_far_above_the_best_level_reached():
    curve = np.concatenate([converging(100, end=0.2, tau=15), flat(400, 1.0)])
    [finding] = loss_plateau(store_with_loss(curve))
    assert "the best level it had reached" in finding.evidence


def test_label_smoothing_floor_is_not_a_plateau_but_chance_is():
    assert loss_plateau(store_with_loss(flat(400, 0.52), label_smoothing=0.1)) == []
    assert loss_plateau(store_with_loss(flat(400, 2.25), label_smoothing=0.1)) != []


def test_reduction_sum_scales_chance_level():
    store = new_store(classes=10)
    store.apply(
        {
            "kind": "structure",
            "data": {
                "loss_functions": {
                    "train:cross_entropy": {
                        "name": "cross_entropy",
                        "phase": "train",
                        "input_shape": [64, 10],
                        "reduction": "sum",
                    }
                }
            },
        }
    )
    add_scalars(store, "loss", flat(300, 64 * 0.3))  # 0.3 per sample: far below chance
    assert loss_plateau(finish(store, 300)) == []
