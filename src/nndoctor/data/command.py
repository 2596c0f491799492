"""`nndoctor data FILE --target COLUMN`: check a dataset file (CSV, Parquet, .npz) for data problems.

Exit status: 0, or 1 when `--fail-on` finds a finding that severe; a problem with the file (missing,
empty, malformed, no such column) is one line on stderr and status 2, as every user error.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from .files import DataFileError, load_data_file
from .profile import SAMPLE_ROWS

EXIT_USAGE = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `data` subcommand to `nndoctor`'s subparsers; returns its parser."""
    parser = subparsers.add_parser(
        "data",
        help="check a dataset file (CSV, Parquet, .npz) for problems that stop training",
        description="Check a dataset file for NaN/Inf, unnormalised inputs or targets, labels out of range, "
        "class imbalance, duplicates and constant features. CSV and Parquet: one row per sample, the target "
        "in one column; .npz: arrays X and y (or the first two arrays).",
    )
    parser.add_argument("file", metavar="FILE", help="a .csv, .tsv, .parquet, .npz or .npy file")
    parser.add_argument(
        "--target",
        metavar="COLUMN",
        help="the target column (or .npz array); guessed from names such as target, label, class, y",
    )
    parser.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="what the targets are for; guessed from their values if not given",
    )
    parser.add_argument(
        "--classes", type=int, metavar="C", help="the model has C outputs: labels must lie in 0..C-1"
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=SAMPLE_ROWS,
        metavar="N",
        help=f"statistics from a random sample of at most N rows (default {SAMPLE_ROWS:,}); counts use all",
    )
    return parser  # the caller adds the report options (--json, --fail-on, --quiet) shared by every command


def diagnose(options: argparse.Namespace):
    """The diagnosis `nndoctor data` prints; raises UsageError or DataFileError (one line each) on bad input."""
    from ..runner import UsageError

    if options.classes is not None and options.classes < 2:
        raise UsageError(f"--classes {options.classes}: give the number of model outputs, 2 or more")
    if options.max_rows < 1:
        raise UsageError(f"--max-rows {options.max_rows}: give a number of rows, 1 or more")
    return check_file(
        options.file,
        target=options.target,
        task=options.task,
        classes=options.classes,
        max_rows=options.max_rows,
    )


def check_file(
    path: str,
    *,
    target: str | None = None,
    task: str | None = None,
    classes: int | None = None,
    max_rows: int = SAMPLE_ROWS,
):
    """Read a dataset file and diagnose it (the work of `nndoctor data`); raises DataFileError."""
    from .api import diagnose_profile
    from .profile import profile_arrays

    started = time.perf_counter()
    loaded = load_data_file(path, target=target)
    try:
        profile = profile_arrays(
            loaded.inputs,
            loaded.targets,
            feature_names=loaded.feature_names,
            target_name=loaded.target_name,
            label_names=loaded.label_names,
            max_rows=max_rows,
            source=loaded.source,
            task=task,
            classes=classes,
            check_labels=True,
        )
    except ValueError as error:
        raise DataFileError(f"{path}: {error}") from None
    profile.notes[:0] = loaded.notes
    return diagnose_profile(
        profile, run={"data": str(path), "wall_s": round(time.perf_counter() - started, 3)}
    )
