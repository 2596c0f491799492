"""The sampling schedule's look-ahead: the monitor's quick path trusts it to name the next step to look at."""

from __future__ import annotations

import itertools
import random

from nndoctor.monitor.schedule import Schedule


def random_schedules(count: int, seed: int = 1):
    rng = random.Random(seed)
    for _ in range(count):
        yield (
            Schedule(
                dense_steps=rng.choice([0, 1, 5, 64]),
                every_early=rng.choice([1, 3, 8]),
                early_until=rng.choice([0, 7, 100, 1024]),
                every_late=rng.choice([1, 5, 64]),
                activation_steps=tuple(sorted(rng.sample(range(50), rng.randint(0, 5)))),
                activation_every=rng.choice([1, 6, 128]),
                anomaly_window=16,
                dense_until=rng.choice([-1, 30, 200]),
                stretch=rng.choice([1, 2, 16]),
                origin=rng.choice([0, 13]),
            ),
            rng,
        )


def test_next_sampled_and_next_period_end_agree_with_the_predicates_step_by_step():
    for schedule, rng in random_schedules(400):
        for step in rng.sample(range(schedule.origin, schedule.origin + 3000), 20):
            sampled = next(
                s
                for s in itertools.count(step)
                if schedule.sample_gradients(s) or schedule.sample_activations(s)
            )
            assert schedule.next_sampled(step) == sampled, (schedule, step)
            period_end = next(s for s in itertools.count(step) if schedule.ends_period(s))
            assert schedule.next_period_end(step) == period_end, (schedule, step)


def test_an_anomaly_window_shrinks_as_the_monitor_thins_out_its_sampling():
    def dense_after_anomaly(stretch: int) -> int:
        schedule = Schedule(early_until=0, stretch=stretch)
        schedule.mark_anomaly(5000)
        return sum(schedule.in_dense_start(step) for step in range(5001, 5100))

    assert dense_after_anomaly(1) == 16
    assert dense_after_anomaly(4) == 4
    assert dense_after_anomaly(16) == 1
    assert dense_after_anomaly(64) == 1  # the step after the anomaly is always looked at
