"""How long `nndoctor curves` takes on a million-row CSV log (target: under 1 s).

    python benchmarks/curves_speed.py [--rows 1000000] [--repeats 3]

Writes a CSV like a per-step logger's (step, loss, lr, and val_loss every 1,000 steps, empty
elsewhere) to a temporary folder, then runs `nndoctor curves FILE` in this process, its report sent to
nowhere: reading, run splitting, the store, every check and the report. The first call includes
importing pandas (once per process); the others show the steady cost. Prints seconds per part.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 1.0


def write_log(path: Path, rows: int, seed: int = 0) -> None:
    """A noisy converging loss per step, a step schedule, and a sparse validation loss."""
    rng = np.random.default_rng(seed)
    steps = np.arange(rows)
    loss = (0.05 + 2.2 * np.exp(-steps / (rows / 6))) * np.exp(0.2 * rng.standard_normal(rows))
    lr = np.where(steps < rows * 0.7, 1e-3, 1e-4)
    val = np.full(rows, "", dtype=object)
    every = 1000
    val[every - 1 :: every] = [
        f"{v:.6f}" for v in 0.12 + 2.1 * np.exp(-steps[every - 1 :: every] / (rows / 6))
    ]
    with path.open("w") as file:
        file.write("step,loss,lr,val_loss\n")
        for start in range(0, rows, 100_000):
            end = min(rows, start + 100_000)
            file.writelines(
                f"{s},{l:.6f},{r:g},{v}\n"
                for s, l, r, v in zip(steps[start:end], loss[start:end], lr[start:end], val[start:end])
            )


def timed_run(path: Path) -> tuple[float, int]:
    from nndoctor.cli import main

    sink = io.StringIO()
    began = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = main(["curves", str(path)])
    return time.perf_counter() - began, code


def timed_parts(path: Path) -> dict[str, float]:
    from nndoctor.analyze import diagnose_store
    from nndoctor.logs import read_log

    began = time.perf_counter()
    runs = read_log(path)
    read = time.perf_counter()
    for run in runs:
        diagnose_store(run.store)
    done = time.perf_counter()
    return {"read + store": read - began, "checks + ranking": done - read}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.csv"
        write_log(path, options.rows)
        size = path.stat().st_size / 1e6
        print(f"{options.rows:,} rows, {size:.1f} MB: {path.name}")
        first, code = timed_run(path)
        if code != 0:
            print(f"nndoctor curves exited {code}", file=sys.stderr)
            return 1
        warm = [timed_run(path)[0] for _ in range(options.repeats)]
        parts = timed_parts(path)
    steady = statistics.median(warm)
    print(f"first call (imports pandas): {first:.2f} s")
    print(f"nndoctor curves, median of {options.repeats}: {steady:.2f} s (target < {TARGET_S:.0f} s)")
    print("  " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in parts.items()))
    return 0 if first < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
