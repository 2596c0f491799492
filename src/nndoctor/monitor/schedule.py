"""When to compute the costly signals: dense early (where most failures show), sparse later, and dense
again for a while after an anomaly. Schedules are plain step -> bool predicates, kept apart from the
code that computes (Cockpit's `should_compute` idea).

Past `early_until` the sparse intervals are multiplied by `stretch`, which the monitor doubles while
its own time runs over its budget (a model whose steps are tiny gets sampled less often per step, but
about as often per second) and halves again when there is room."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Schedule:
    dense_steps: int = 64  # every step is sampled at the start
    every_early: int = 8  # then every k steps until `early_until`
    early_until: int = 1024
    every_late: int = 64  # then every k steps
    activation_steps: tuple[int, ...] = (0, 1, 2, 4, 8, 16, 32)  # activations at these steps, then:
    activation_every: int = 128
    anomaly_window: int = 16  # steps sampled densely after an anomaly
    dense_until: int = -1
    stretch: int = 1  # multiplies the late intervals (a power of two: sampled steps stay aligned)
    origin: int = 0  # the step the current training began at (a second model trained later starts anew)

    def __post_init__(self) -> None:
        for name in ("every_early", "every_late", "activation_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def sample_gradients(self, step: int) -> bool:
        local = step - self.origin
        if local < self.dense_steps or step <= self.dense_until:
            return True
        every = self.every_early if local < self.early_until else self.every_late * self.stretch
        return local % every == 0

    def sample_activations(self, step: int) -> bool:
        local = step - self.origin
        every = self.activation_every if local < self.early_until else self.activation_every * self.stretch
        return local in self.activation_steps or local % every == 0 or step <= self.dense_until

    def next_sampled(self, step: int) -> int:
        """The first step from `step` on where gradients or activations are sampled: the steps before
        it need no look at all (the monitor's quick path)."""
        return min(self._next_gradient_sample(step), self._next_activation_sample(step))

    def _next_gradient_sample(self, step: int) -> int:
        if self.sample_gradients(step):
            return step
        local = step - self.origin
        if local < self.early_until:
            candidate = _round_up(local, self.every_early)
            if candidate < self.early_until:
                return self.origin + candidate
            local = self.early_until
        return self.origin + _round_up(local, self.every_late * self.stretch)

    def _next_activation_sample(self, step: int) -> int:
        if self.sample_activations(step):
            return step
        local = step - self.origin
        candidate = _round_up(local, self.activation_every)
        if candidate >= self.early_until:
            candidate = _round_up(max(local, self.early_until), self.activation_every * self.stretch)
        return self.origin + min([candidate, *(s for s in self.activation_steps if s > local)])

    def next_period_end(self, step: int) -> int:
        """The first step from `step` on that `ends_period`."""
        local = max(step - self.origin, self.early_until)
        return self.origin + _round_up(local, max(self.every_late, self.activation_every) * self.stretch)

    def in_dense_start(self, step: int) -> bool:
        """Every step sampled: the start of a training, or the window after an anomaly."""
        return step - self.origin < self.dense_steps or step <= self.dense_until

    def ends_period(self, step: int) -> bool:
        """Past the early phase, whether `step` closes a full cycle of the sparse work (one activation
        sample and the gradient samples between): the span the monitor judges its own cost over."""
        local = step - self.origin
        period = max(self.every_late, self.activation_every) * self.stretch
        return local >= self.early_until and local % period == 0

    def restart(self, step: int) -> None:
        """A new training begins at `step`: dense again, at the plain intervals."""
        self.origin, self.stretch, self.dense_until = step, 1, -1

    def mark_anomaly(self, step: int) -> None:
        """Sample every step for the next `anomaly_window` steps, divided by the stretch: a window costs
        what a sampled step does times its length, and where the monitor has thinned out its sampling to
        keep to its budget, a spiky run's windows would otherwise cost more than all the rest."""
        window = max(1, self.anomaly_window // self.stretch)
        self.dense_until = max(self.dense_until, step + window)


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
