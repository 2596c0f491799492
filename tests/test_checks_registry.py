"""Every check of the loss, optimisation and gradient modules is registered and copes with a bare store."""

from __future__ import annotations

from store_builders import finish, new_store

from nndoctor.checks import registered, run_checks
from nndoctor.monitor.store import Store

OWN_CHECKS = {
    "loss.loss_nonfinite",
    "loss.loss_diverging",
    "loss.loss_oscillating",
    "loss.loss_plateau",
    "optimization.lr_too_high",
    "optimization.lr_too_low",
    "gradients.exploding_gradients",
    "gradients.vanishing_gradients",
}


def test_own_checks_are_registered():
    assert OWN_CHECKS.issubset(registered())


def test_quiet_and_unbroken_on_an_empty_store():
    for store in (Store(), finish(new_store(), 0)):
        findings, errors = run_checks(store)
        assert errors == []
        assert findings == []
