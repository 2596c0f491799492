"""What a check reports: one observation about the run, with the evidence for it."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How much a finding matters; ordered so that `max()` picks the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            choices = ", ".join(str(s) for s in cls)
            raise ValueError(f"unknown severity {text!r}: choose one of {choices}") from None


@dataclass(frozen=True)
class Finding:
    """One check's observation.

    `id` names a catalog entry, which supplies the title, kind and general advice; the check supplies
    what only the run can tell: the evidence (numbers, step, layer), advice specific to this run
    (e.g. the learning rate to try) and how confident it is (0 to 1).
    """

    id: str
    evidence: str
    confidence: float = 0.8
    step: int | None = None
    where: str | None = None
    advice: str = ""
    severity: Severity | None = None  # None: the catalog's default for this id
    # ids this finding explains in this run beyond the catalog's graph, where the run showed the mechanism
    # (batch-norm layers that never normalised explain what unnormalised inputs explain)
    explains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must lie in [0, 1], got {self.confidence}")
