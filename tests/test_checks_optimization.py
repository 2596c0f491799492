"""The learning-rate checks on hand-made stores: update ratios plus what the loss did."""

from __future__ import annotations

import math

import numpy as np
from store_builders import (
    MLP_PARAMS,
    add_scalars,
    add_vectors,
    converging,
    finish,
    flat,
    new_store,
    ratio_rows,
    sampled_steps,
)

from nndoctor.checks.optimization import lr_too_high, lr_too_low

PARAM_COUNT = len(MLP_PARAMS)


def run_store(loss, ratio_of_step, *, lr=0.1, lrs=None, grad_norm_of_step=None, optimizer="SGD", classes=10):
    """A run whose every parameter moves by `ratio_of_step(step)` of its norm on each sampled step."""
    store = new_store(classes=classes, optimizer=optimizer, lr=lr)
    loss = np.asarray(loss, dtype=float)
    total = loss.size
    add_scalars(store, "loss", loss)
    add_scalars(store, "lr", lrs if lrs is not None else np.full(total, lr))
    steps = [s for s in sampled_steps(total) if np.isfinite(loss[s])]
    add_vectors(store, "update_ratio", steps, ratio_rows(steps, [ratio_of_step] * PARAM_COUNT))
    norms = [grad_norm_of_step(s) if grad_norm_of_step else 1.0 for s in steps]
    add_scalars(store, "grad_norm", norms, steps)
    return finish(store, total)


def test_too_high_sgd_blowing_up_to_nan():
    loss = list(np.geomspace(2.3, 1e9, 20)) + [float("nan")] * 40
    [finding] = lr_too_high(run_store(loss, lambda s: 0.5, lr=0.5))
    assert finding.id == "lr-too-high"
    assert finding.step == 0
    assert "50% of their norm" in finding.evidence and "non-finite at step 20" in finding.evidence
    assert finding.advice == "Lower the learning rate 10x, from 0.5 to 0.05."


def test_too_high_adam_says_how_far_down_to_go():
    loss = np.concatenate([[2.3, 9.0, 7.0, 5.0], flat(296, 2.31)])
    [finding] = lr_too_high(run_store(loss, lambda s: 0.5 if s < 10 else 5e-3, lr=0.1, optimizer="Adam"))
    assert "jumped from 2.3 to 9" in finding.evidence
    assert finding.advice == "Lower the learning rate 100x, from 0.1 to 0.001."


def test_too_high_with_a_loss_that_swings_without_progress():
    rng = np.random.default_rng(0)
    loss = 0.9 * np.exp(rng.uniform(-0.6, 0.6, 400))
    [finding] = lr_too_high(run_store(loss, lambda s: 0.3, lr=0.13, classes=None))
    assert "swings between" in finding.evidence


def test_quiet_when_large_early_steps_do_not_hurt_the_loss():
    # zero-initialised weights: the first updates are large relative to tiny norms, and the loss falls
    assert lr_too_high(run_store(converging(400), lambda s: 0.5 if s < 5 else 2e-3)) == []


def test_quiet_when_the_large_steps_learned_and_the_loss_stalled_later():
    # a linear model from its small start: steps of 12% of the weights while the loss falls most of its
    # way, then a plateau its capacity sets, reached with steps of a healthy size
    loss = np.concatenate([converging(30, start=1.1, end=0.7, tau=6), flat(370, 0.68)])
    assert lr_too_high(run_store(loss, lambda s: 0.12 if 5 <= s < 15 else 5e-3, classes=3)) == []


def test_too_high_with_a_loss_stuck_where_it_started():
    [finding] = lr_too_high(run_store(flat(400, 2.28), lambda s: 0.3))
    assert "got stuck at" in finding.evidence and "of chance level" in finding.evidence


def test_quiet_when_high_updates_are_brief():
    loss = np.concatenate([[2.3, 6.0], converging(398)])
    assert lr_too_high(run_store(loss, lambda s: 0.5 if s < 2 else 2e-3)) == []


def test_quiet_on_healthy_adam_early_ratios():
    loss = np.concatenate([converging(200), np.geomspace(0.05, 5.0, 200)])  # rises for another reason
    assert lr_too_high(run_store(loss, lambda s: 3e-2 if s < 60 else 5e-3, optimizer="Adam")) == []


def test_quiet_when_the_gradient_grew_first():
    loss = list(converging(100)) + list(np.geomspace(0.1, 1e9, 20)) + [float("nan")] * 10
    ratio = lambda s: 2e-3 if s < 100 else 0.5  # noqa: E731
    grad = lambda s: 1.0 if s < 100 else 500.0  # noqa: E731
    assert lr_too_high(run_store(loss, ratio, grad_norm_of_step=grad)) == []


def test_too_low_from_the_start():
    [finding] = lr_too_low(run_store(flat(400, 2.305), lambda s: 1e-6, lr=1e-5))
    assert finding.id == "lr-too-low"
    assert "1.0e-06 of its norm" in finding.evidence
    assert finding.advice == "Raise the learning rate 1000x, from 1.0e-05 to 0.01."


def test_quiet_when_nothing_moves_for_want_of_a_gradient():
    assert lr_too_low(run_store(flat(300, 2.3), lambda s: 0.0)) == []  # a dead network


def test_quiet_when_the_rate_is_already_at_the_usual_start():
    assert lr_too_low(run_store(flat(300, 2.3), lambda s: 1e-6, lr=0.1)) == []  # tiny gradients, not the rate


def test_quiet_during_warm_up():
    total = 400
    lrs = np.minimum(1.0, (np.arange(total) + 1) / 100) * 1e-3
    ratio = lambda s: 1e-6 + 3e-3 * min(1.0, (s + 1) / 100)  # noqa: E731
    assert lr_too_low(run_store(converging(total), ratio, lr=1e-3, lrs=lrs, optimizer="Adam")) == []


def test_quiet_when_small_updates_still_make_progress():
    assert lr_too_low(run_store(converging(400), lambda s: 5e-5)) == []


def test_quiet_when_only_the_first_layers_are_slow():
    store = new_store()
    add_scalars(store, "loss", flat(300, 2.3))
    steps = sampled_steps(300)
    add_vectors(store, "update_ratio", steps, ratio_rows(steps, [1e-9, 0, 1e-7, 0, 3e-2, 0]))
    assert lr_too_low(finish(store, 300)) == []  # vanishing gradients, not the rate


def test_schedule_that_decays_to_zero_early_and_stalls():
    total = 600
    lrs = 0.05 * 0.1 ** (np.arange(total) // 20)
    loss = np.concatenate([np.linspace(1.61, 1.3, 40), flat(560, 1.3)])
    ratio = lambda s: 3e-3 * 0.1 ** (s // 20)  # noqa: E731
    [finding] = lr_too_low(run_store(loss, ratio, lr=0.05, lrs=lrs, classes=5))
    assert finding.step == 40
    assert "at step 40, with 560 of 600 steps left" in finding.evidence
    assert "stuck at" in finding.evidence


def test_schedule_cut_while_the_loss_was_still_falling():
    total, cut = 400, 100
    lrs = np.where(np.arange(total) < cut, 0.1, 1e-4)
    loss = np.concatenate([converging(cut, tau=80, end=0.05), flat(total - cut, 0.0)])
    loss[cut:] = loss[cut - 5 : cut].mean() * np.exp(
        0.02 * np.random.default_rng(1).standard_normal(total - cut)
    )
    ratio = lambda s: 3e-3 if s < cut else 3e-6  # noqa: E731
    [finding] = lr_too_low(run_store(loss, ratio, lrs=lrs))
    assert "still falling just before the cut" in finding.evidence


def test_quiet_on_cosine_decay_to_zero_at_the_end():
    total = 500
    lrs = 0.5 * 0.1 * (1 + np.cos(np.pi * np.arange(total) / total))
    ratio = lambda s: 3e-3 * (1 + math.cos(math.pi * s / total)) / 2 + 1e-9  # noqa: E731
    assert lr_too_low(run_store(converging(total), ratio, lrs=lrs)) == []


def test_quiet_on_classic_step_decay():
    total = 900
    lrs = 0.1 * 0.1 ** (np.arange(total) // 300)  # 0.1, 0.01, 0.001: under 1% for the last third
    stages = [converging(300, start=2.3, end=0.6, tau=60), converging(300, start=0.6, end=0.3, tau=30)]
    stages.append(converging(300, start=0.3, end=0.25, tau=30))
    ratio = lambda s: 3e-3 * 0.1 ** (s // 300)  # noqa: E731
    assert lr_too_low(run_store(np.concatenate(stages), ratio, lrs=lrs)) == []
