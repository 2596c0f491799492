"""The live test for a jump in the training loss, which opens a window of dense sampling.

A loss jumps when it rises above its running average by SPIKE_FACTOR times that average, by
SPIKE_NOISE_MULTIPLE mean absolute deviations, by SPIKE_MIN_SHARE of the training's first loss and by
SPIKE_UNDONE_SHARE of the progress made since (the loss-spike check's least spike: a smaller jump opens
no dense sampling, which a margin loss's batches off 0 would otherwise do all run long).
The three together reduce to one number, `above`: the quick path of a step compares its loss with it
and nothing else (a NaN fails `value < above` too), and leaves the running statistics to be brought up
to date later, from the values it kept (`follow`).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import inf

SPIKE_FACTOR = 2.0  # a loss this many times its running average above it is a jump,
# if it is also this many mean absolute deviations out (mini-batch noise is heavy-tailed)
SPIKE_NOISE_MULTIPLE = 6.0
# and at least this share of the training's first loss: a memorised loss near 0 jumps 4x on one batch
# without anything going wrong (the loss-spike check reads spikes with the same two floors)
SPIKE_MIN_SHARE = 0.01
# and this share of the progress made from the first loss: less does nothing to training (a margin loss
# near 0, whose batches of a few hard pairs jump several times over, stays near 0)
SPIKE_UNDONE_SHARE = 0.1
SMOOTHING = 0.1  # the weight of each new loss in the running average and deviation


class JumpTest:
    def __init__(self) -> None:
        self.average: float | None = None  # None until the first finite loss
        self.deviation = 0.0
        self.first = 0.0  # the first finite loss
        self.above = -inf  # a loss at or above this (or NaN) needs a look: every one, before the first

    def jumps(self, value: float) -> bool:
        """Whether a finite `value` jumped against the statistics so far; it then joins them."""
        jumped = self.average is not None and value > self.above
        self.follow((value,))
        return jumped

    def follow(self, values: Sequence[float]) -> None:
        """Bring the running statistics up to date with finite `values`, in order."""
        if not values:
            return
        if self.average is None:  # the first finite loss starts them
            first = values[0]
            self.average, self.deviation, self.first = first, abs(first), first
            values = values[1:]
        average, deviation, keep = self.average, self.deviation, 1.0 - SMOOTHING
        for value in values:  # the loop quick steps' losses all go through: kept short
            jump = value - average
            average += SMOOTHING * jump
            deviation = keep * deviation + SMOOTHING * abs(jump)
        self.average, self.deviation = average, deviation
        least = max(SPIKE_MIN_SHARE * abs(self.first), SPIKE_UNDONE_SHARE * (self.first - average))
        self.above = average + max(least, SPIKE_FACTOR * abs(average), SPIKE_NOISE_MULTIPLE * deviation)
