import math
import random

import pytest

from nndoctor.monitor.jumps import SPIKE_FACTOR, SPIKE_MIN_SHARE, SPIKE_NOISE_MULTIPLE, JumpTest


def test_the_threshold_is_the_three_part_rule_against_the_running_statistics():
    """`above` folds the rule (a rise over the running average beyond SPIKE_FACTOR times it, beyond
    SPIKE_NOISE_MULTIPLE mean absolute deviations, beyond SPIKE_MIN_SHARE of the first loss) into the
    one number quick steps compare with; `jumps` agrees with the rule written out."""
    rng = random.Random(0)
    test = JumpTest()
    average, deviation = None, 0.0
    for _ in range(2000):
        value = abs(rng.gauss(1.0, 0.3)) * (10.0 if rng.random() < 0.05 else 1.0)
        if average is None:  # the first value starts the statistics (it is judged in full, see below)
            assert test.jumps(value) is False
            first, average, deviation = value, value, value
            continue
        jump = value - average
        expected = (
            jump > SPIKE_MIN_SHARE * first
            and jump > SPIKE_FACTOR * abs(average)
            and jump > SPIKE_NOISE_MULTIPLE * deviation
        )
        average, deviation = average + 0.1 * jump, deviation + 0.1 * (abs(jump) - deviation)
        if not math.isclose(value, test.above, rel_tol=1e-9):  # leave out a tie within rounding
            assert (value >= test.above) == expected  # what sends a quick step to the full judgement
            assert test.jumps(value) == expected
        else:
            test.jumps(value)
        assert test.average == pytest.approx(average) and test.deviation == pytest.approx(deviation)


def passes_quickly(test: JumpTest, value: float) -> bool:
    """The quick path's comparison: a value that fails it is judged in full."""
    return value < test.above


def test_every_value_is_judged_before_the_first_and_a_nan_or_inf_always():
    test = JumpTest()
    assert not passes_quickly(test, 1e30)
    test.follow([2.0, 2.1, 1.9])
    assert passes_quickly(test, 2.5)
    assert not passes_quickly(test, math.nan) and not passes_quickly(test, math.inf)


def test_following_values_in_batches_equals_following_them_one_by_one():
    # the closed form over chunks of values against the recursion, value by value, for 300 values
    rng = random.Random(1)
    values = [abs(rng.gauss(2.0, 0.5)) * (5.0 if rng.random() < 0.03 else 1.0) for _ in range(300)]
    batched, single = JumpTest(), JumpTest()
    batched.follow(values[:1])
    batched.follow(values[1:])
    average, deviation = values[0], values[0]
    for value in values[1:]:
        jump = value - average
        average, deviation = average + 0.1 * jump, 0.9 * deviation + 0.1 * abs(jump)
    for value in values:
        single.follow([value])
    assert batched.average == pytest.approx(average, rel=1e-12)
    assert batched.deviation == pytest.approx(deviation, rel=1e-12)
    assert single.above == pytest.approx(batched.above, rel=1e-12)
