"""A log as the readers leave it: named columns of numbers, one row per logged record."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Table:
    """Columns of equal length, NaN where a row has no value.

    `present` tells a logged NaN (a loss that blew up) from an empty cell, for the columns that have
    both; elsewhere a value is present when it is not NaN. `all_names` lists every column of the log in
    its order, also those not read (for error messages). `breaks` are row indices where the writer
    started over (a repeated header in a concatenated CSV).
    """

    source: str
    format: str
    columns: dict[str, np.ndarray]
    breaks: list[int] = field(default_factory=list)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    all_names: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def names(self) -> list[str]:
        return self.all_names or list(self.columns)

    def counts(self) -> dict[str, int]:
        """How many finite numbers each column holds, in the log's order (0 for columns not read)."""
        return {
            name: int(np.isfinite(self.columns[name]).sum()) if name in self.columns else 0
            for name in self.names()
        }

    def present_mask(self, name: str) -> np.ndarray:
        """Rows where the column holds a logged value, finite or not."""
        mask = self.present.get(name)
        return mask if mask is not None else ~np.isnan(self.columns[name])


def table_from_records(source: str, format: str, records: list[dict[str, object]]) -> Table:
    """A Table from dict records (JSON lines, Hugging Face log_history).

    A missing key or a value that is not a number leaves the cell empty; a NaN or infinity written as a
    number is a logged value. A column is kept if any record gives it a number.
    """
    names: dict[str, None] = {}
    for record in records:
        for key, value in record.items():
            if _number(value) is not None:
                names.setdefault(key, None)
    columns, present = {}, {}
    for name in names:
        numbers = [_number(record.get(name)) for record in records]
        present[name] = np.array([n is not None for n in numbers], dtype=bool)
        columns[name] = np.array([np.nan if n is None else n for n in numbers], dtype=float)
    return Table(source, format, columns, present=present)


def _number(value: object) -> float | None:
    """A float for ints, floats and numeric strings ("nan", "1e-3"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
