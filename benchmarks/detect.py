"""Detection accuracy on the fault zoo: run `nndoctor run` on every scenario and score the diagnosis.

Each scenario in benchmarks/scenarios/ declares, for this benchmark only, the injected cause
(`# fault: ID`, or `none` for a healthy run) and the symptoms it should also show (`# shows: ID ...`).

    python benchmarks/detect.py [--only SUBSTRING] [--jobs N] [--json PATH] [--device cuda] [--seed-offset N]

Prints per scenario the headline finding and all reported ids, then top-1 and top-3 accuracy over the
faulty scenarios, recall of the expected symptoms, and false alarms (any warning or error on a healthy
run). Exits 1 when a target is missed (top-1 on every fault, no false alarm). `--device cuda` runs each
scenario on the GPU through on_device.py; a scenario that fails there without nndoctor as well (it makes
CPU tensors in a way on_device.py does not move) is skipped and counted apart. `--seed-offset N` runs each
scenario through on_device.py with every seed it sets shifted by N (other random draws: a rule or a
scenario that holds only for the scenario's own seeds shows up; 0, the default, runs the scripts as they
are).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
ON_DEVICE = Path(__file__).resolve().parent / "on_device.py"
TIMEOUT_S = 300


@dataclass
class Scenario:
    path: Path
    fault: str  # "none" for a healthy run
    shows: list[str]

    @property
    def healthy(self) -> bool:
        return self.fault == "none"


@dataclass
class Outcome:
    scenario: Scenario
    ids: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)  # ids at warning or error severity
    status: str = ""
    seconds: float = 0.0
    error: str = ""
    skipped: bool = False  # the script does not run on the device asked for, with or without nndoctor

    @property
    def top1(self) -> bool:
        return bool(self.ids) and self.ids[0] == self.scenario.fault

    @property
    def top3(self) -> bool:
        return self.scenario.fault in self.ids[:3]

    @property
    def false_alarm(self) -> bool:
        return self.scenario.healthy and bool(self.alarms)

    @property
    def passed(self) -> bool:
        return not self.alarms if self.scenario.healthy else self.top1


def load_scenarios(only: str | None = None) -> list[Scenario]:
    scenarios = []
    for path in sorted(SCENARIOS.glob("*.py")):
        if only and only not in path.name:
            continue
        header = {}
        for line in path.read_text().splitlines()[:40]:
            for key in ("fault", "shows"):
                if line.startswith(f"# {key}:"):
                    header[key] = line.split(":", 1)[1].split()
        if "fault" not in header:
            continue
        scenarios.append(Scenario(path, header["fault"][0], header.get("shows", [])))
    return scenarios


def script_command(scenario: Scenario, device: str = "cpu", seed_offset: int = 0) -> list[str]:
    """The script and its arguments as `python` takes them: the scenario itself, or through on_device.py
    where it trains on another device or with shifted seeds."""
    if device == "cpu" and not seed_offset:
        return [str(scenario.path)]
    return [str(ON_DEVICE), "--seed-offset", str(seed_offset), device, str(scenario.path)]


def diagnose(
    scenario: Scenario, threads: int | None = None, device: str = "cpu", seed_offset: int = 0
) -> Outcome:
    """Run `nndoctor run --json` on the scenario, as a user would, and read the report. `threads`: the
    torch threads it may use (scenarios run side by side share the cores: more threads than cores make
    torch's small ops spin, and a 10 s script then takes minutes)."""
    outcome = Outcome(scenario)
    script = script_command(scenario, device, seed_offset)
    env = os.environ if threads is None else os.environ | {"OMP_NUM_THREADS": str(threads)}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        began = time.perf_counter()
        command = [sys.executable, "-m", "nndoctor", "run", "--json", str(report), *script]
        try:
            subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=folder, env=env)
        except subprocess.TimeoutExpired:
            outcome.error = f"timed out after {TIMEOUT_S} s"
        outcome.seconds = time.perf_counter() - began
        if not report.exists():
            outcome.error = outcome.error or "no report written"
            return outcome
        data = json.loads(report.read_text())
        if data["status"] == "crashed" and device != "cpu":
            outcome.skipped, outcome.error = _fails_only_on(device, scenario, folder, env, seed_offset)
    outcome.status = data["status"]
    outcome.ids = [f["id"] for f in data["findings"]]
    outcome.alarms = [f["id"] for f in data["findings"] if f["severity"] in ("warning", "error")]
    return outcome


def _fails_only_on(
    device: str, scenario: Scenario, folder: str, env: dict, seed_offset: int = 0
) -> tuple[bool, str]:
    """Whether the script fails on the device without nndoctor too, but not on the CPU (a scenario may
    crash by design: labels out of range), and the device's error."""
    plain = [sys.executable, *script_command(scenario, device, seed_offset)]
    run = subprocess.run(plain, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=folder, env=env)
    if run.returncode == 0:
        return False, ""
    error = (run.stderr.strip().splitlines() or [""])[-1]
    on_cpu = [sys.executable, *script_command(scenario, "cpu", seed_offset)]
    if subprocess.run(on_cpu, capture_output=True, timeout=TIMEOUT_S, cwd=folder, env=env).returncode != 0:
        return False, ""
    return True, f"does not run on {device}: {error}"


def summarise(outcomes: list[Outcome]) -> dict:
    skipped = sum(o.skipped for o in outcomes)
    outcomes = [o for o in outcomes if not o.skipped]
    faulty = [o for o in outcomes if not o.scenario.healthy]
    healthy = [o for o in outcomes if o.scenario.healthy]
    expected_symptoms = [(o, s) for o in faulty for s in o.scenario.shows]
    return {
        "faulty": len(faulty),
        "healthy": len(healthy),
        "top1": sum(o.top1 for o in faulty),
        "top3": sum(o.top3 for o in faulty),
        "symptoms_expected": len(expected_symptoms),
        "symptoms_found": sum(s in o.ids for o, s in expected_symptoms),
        "false_alarms": sum(o.false_alarm for o in healthy),
        "seconds": round(sum(o.seconds for o in outcomes), 1),
        "skipped": skipped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only scenarios whose file name contains this")
    parser.add_argument("--jobs", type=int, default=1, help="scenarios run at once (default 1)")
    parser.add_argument("--json", help="write the per-scenario results and totals here")
    parser.add_argument("--device", default="cpu", help="where the scenarios train (cpu, cuda)")
    parser.add_argument(
        "--seed-offset", type=int, default=0, help="add N to every seed the scenarios set (default 0)"
    )
    args = parser.parse_args(argv)

    scenarios = load_scenarios(args.only)
    if not scenarios:
        print(f"no scenario matches in {SCENARIOS}", file=sys.stderr)
        return 2
    jobs = max(1, args.jobs)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None  # alone: torch's own default
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = []
        for outcome in pool.map(
            lambda scenario: diagnose(scenario, threads, args.device, args.seed_offset), scenarios
        ):
            outcomes.append(outcome)
            mark = "ok  " if outcome.passed else "MISS" if not outcome.scenario.healthy else "FA  "
            mark = "skip" if outcome.skipped else mark
            expected = outcome.scenario.fault
            print(
                f"{mark} {outcome.scenario.path.name:<44} expect {expected:<22} got "
                f"{', '.join(outcome.ids) or '-'}{'  [' + outcome.error + ']' if outcome.error else ''}",
                flush=True,
            )

    totals = summarise(outcomes)
    faulty, healthy = totals["faulty"], totals["healthy"]
    print()
    print(
        f"top-1 accuracy   {totals['top1']}/{faulty}"
        + (f" ({totals['top1'] / faulty:.0%})" if faulty else "")
    )
    print(
        f"top-3 accuracy   {totals['top3']}/{faulty}"
        + (f" ({totals['top3'] / faulty:.0%})" if faulty else "")
    )
    print(f"symptoms found   {totals['symptoms_found']}/{totals['symptoms_expected']}")
    print(f"false alarms     {totals['false_alarms']}/{healthy} healthy runs")
    print(f"time             {totals['seconds']} s")
    if totals["skipped"]:
        print(f"skipped          {totals['skipped']} scenarios that do not run on {args.device}")
    if args.json:
        rows = [
            {
                "scenario": o.scenario.path.name,
                "fault": o.scenario.fault,
                "ids": o.ids,
                "alarms": o.alarms,
                "passed": o.passed,
                "status": o.status,
                "seconds": round(o.seconds, 2),
                "error": o.error,
            }
            for o in outcomes
        ]
        Path(args.json).write_text(json.dumps({"totals": totals, "scenarios": rows}, indent=2))
    return 0 if all(o.passed or o.skipped for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
