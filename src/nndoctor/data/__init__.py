"""Data checks on a dataset handed over directly: arrays, a torch Dataset or DataLoader, or a file.

`profile` turns batches into a bounded, JSON-able `DataProfile` (the same record the live monitor can
fill from sampled batches); `checks/data.py` turns a profile into findings; `api.check_data` and the
`nndoctor data` command (`command.py`, files read by `files.py`) tie them together. Nothing here
imports torch at import time.
"""

from __future__ import annotations
