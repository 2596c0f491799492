"""How long `nndoctor data` takes on a 1,000,000-row, 50-column CSV (the target: under 10 s).

Writes the file to a temporary folder (not timed), then runs the command in-process, as a user's
`nndoctor data big.csv --target label` would, and prints the seconds it took. The table mixes
standardised, raw-unit and 0/1 columns, a few NaN and an imbalanced label, so that every check has
work to do.

    python benchmarks/data_speed.py [--rows N] [--columns C] [--repeat R]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_SECONDS = 10.0


def write_csv(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    """A CSV of `rows` x `columns` features plus an integer `label` column."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    data = rng.standard_normal((rows, columns), dtype=np.float32)
    data[:, : columns // 5] = data[:, : columns // 5] * 50 + 300  # raw units: data-not-normalized
    data[:, -3:] = rng.random((rows, 3), dtype=np.float32) < 0.3  # 0/1 flags
    data[rng.integers(0, rows, rows // 1000), 1] = np.nan  # 0.1% missing cells
    frame = pd.DataFrame(data, columns=[f"f{i}" for i in range(columns)])
    frame["label"] = (rng.random(rows) < 0.03).astype(np.int64)  # 97:3: class-imbalance
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), str(path))
    except ImportError:
        frame.to_csv(path, index=False, float_format="%.6g")


def time_command(path: Path) -> tuple[float, float, int, str]:
    """Wall and CPU seconds `nndoctor data PATH --target label` took in-process, its status and output."""
    from nndoctor.cli import main as nndoctor_main

    output = io.StringIO()
    began, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(output):
        status = nndoctor_main(["data", str(path), "--target", "label"])
    return time.perf_counter() - began, time.process_time() - cpu, status, output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        began = time.perf_counter()
        write_csv(path, options.rows, options.columns)
        size = path.stat().st_size / 2**20
        print(
            f"wrote {options.rows:,} rows x {options.columns} columns ({size:.0f} MB) in {time.perf_counter() - began:.1f} s"
        )
        times = []
        for _ in range(options.repeat):
            seconds, cpu, status, output = time_command(path)
            times.append((seconds, cpu))
        headline = next((line for line in output.splitlines() if "─" in line and "·" in line), "")
        print(f"nndoctor data: exit status {status}; headline {headline.strip('╭─ ').split(' ─')[0]}")
        wall, cpu = min(times)
        verdict = "ok" if wall < TARGET_SECONDS else "TOO SLOW"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"nndoctor data on {options.rows:,} x {options.columns}: {wall:.2f} s wall, {cpu:.2f} s CPU "
            f"(load average {load:.1f} on {os.cpu_count()} cores; target < {TARGET_SECONDS:.0f} s: {verdict})"
        )


if __name__ == "__main__":
    main()
