"""When to compute the costly signals: dense early (where most failures show), sparse later, and dense
again for a while after an anomaly. Schedules are plain step -> bool predicates, kept apart from the
code that computes (Cockpit's `should_compute` idea)."""

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

    def __post_init__(self) -> None:
        for name in ("every_early", "every_late", "activation_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def sample_gradients(self, step: int) -> bool:
        if step < self.dense_steps or step <= self.dense_until:
            return True
        every = self.every_early if step < self.early_until else self.every_late
        return step % every == 0

    def sample_activations(self, step: int) -> bool:
        return step in self.activation_steps or step % self.activation_every == 0 or step <= self.dense_until

    def mark_anomaly(self, step: int) -> None:
        """Sample every step for the next `anomaly_window` steps."""
        self.dense_until = max(self.dense_until, step + self.anomaly_window)
