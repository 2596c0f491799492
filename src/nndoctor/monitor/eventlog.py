"""The event log: the monitor's records as JSON lines, written as the run goes.

Each flush appends its records and flushes the file, so a run killed with SIGKILL still leaves every
record up to its last flush; `read_events` rebuilds the store from such a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .store import Store

HEADER = {"kind": "header", "schema": "nndoctor.events/1"}


class EventLogError(ValueError):
    """An events file that cannot be read; the message says what to do."""


class EventLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = self.path.open("w", encoding="utf-8")
        self.write([HEADER])

    def write(self, records: list[dict[str, Any]]) -> None:
        if self._file.closed:
            return
        for record in records:
            self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def read_events(path: str | Path) -> Store:
    """Rebuild a Store from an events file; a torn last line (a killed run) is skipped."""
    path = Path(path)
    if not path.is_file():
        raise EventLogError(f"{path}: no such file; pass the file written by `nndoctor run --events PATH`")
    store = Store()
    with path.open(encoding="utf-8", errors="replace") as file:
        lines = file.read().splitlines()
    if not lines:
        raise EventLogError(f"{path}: the file is empty; the run wrote no events (did it start training?)")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines) and number > 1:  # the run was killed mid-write
                break
            raise EventLogError(
                f"{path}:{number}: not a JSON line; is this an nndoctor events file?"
            ) from None
        if number == 1 and record != HEADER:
            raise EventLogError(
                f"{path}: not an nndoctor events file (expected the header {json.dumps(HEADER)})"
            )
        if record.get("kind") == "header":
            continue
        try:
            store.apply(record)
        except (KeyError, ValueError, TypeError) as error:
            raise EventLogError(
                f"{path}:{number}: malformed record ({error}); the file may be damaged"
            ) from None
    return store
