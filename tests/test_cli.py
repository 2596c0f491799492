"""The command line, end to end: small scripts run through `python -m nndoctor` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nndoctor import catalog
from nndoctor.cli import fail_on_status, main, split_run_arguments
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity

SCRIPTS = Path(__file__).parent / "scripts"


def nndoctor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m nndoctor ARGS` as a user would run it, with its output piped (so: no colours)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS")}
    return subprocess.run(
        [sys.executable, "-m", "nndoctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("nndoctor: "), stderr
    return lines[0]


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("healthy")
    report, events = folder / "report.json", folder / "events.jsonl"
    result = nndoctor("run", "--json", str(report), "--events", str(events), str(SCRIPTS / "healthy.py"))
    return result, report, events


# --- run ----------------------------------------------------------------------------------------------
def test_healthy_run_shows_the_script_output_then_the_report(healthy):
    result, report, events = healthy
    assert result.returncode == 0, result.stderr
    assert "healthy done" in result.stdout
    assert result.stdout.index("healthy done") < result.stdout.index("nndoctor ─")
    assert "healthy.py finished 40 steps" in result.stdout
    assert "\x1b" not in result.stdout  # piped: plain text
    data = json.loads(report.read_text())
    assert data["schema"] == "nndoctor.report/1"
    assert data["status"] == "completed"
    assert data["run"]["steps"] == 40
    assert data["run"]["exit_code"] == 0
    assert data["run"]["argv"] == [str(SCRIPTS / "healthy.py")]
    assert data["run"]["wall_s"] > 0


def test_diagnose_reads_the_events_file_of_a_run(healthy, tmp_path, capsys):
    _, report, events = healthy
    again = tmp_path / "again.json"
    assert main(["diagnose", "--json", str(again), str(events)]) == 0
    assert "events.jsonl finished 40 steps" in capsys.readouterr().out
    rebuilt, original = json.loads(again.read_text()), json.loads(report.read_text())
    assert rebuilt["findings"] == original["findings"]
    assert rebuilt["run"]["steps"] == 40 and rebuilt["status"] == "completed"


def test_diagnose_reads_the_events_file_of_a_killed_run(healthy, tmp_path, capsys):
    _, _, events = healthy
    lines = events.read_text().splitlines()
    cut = tmp_path / "killed.jsonl"
    # drop the end-of-run record and tear the last line, as SIGKILL mid-write would
    kept = [line for line in lines if '"status"' not in line]
    cut.write_text("\n".join(kept) + "\n" + lines[-1][:10])
    report = tmp_path / "killed.json"
    assert main(["diagnose", "--json", str(report), str(cut)]) == 0
    assert "killed.jsonl was interrupted after 40 steps" in capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["status"] == "interrupted" and data["run"]["events_complete"] is False


def test_a_crash_shows_the_scripts_own_traceback_and_keeps_status_1(tmp_path):
    report = tmp_path / "report.json"
    result = nndoctor("run", "--json", str(report), str(SCRIPTS / "crash.py"))
    assert result.returncode == 1
    assert "training starts" in result.stdout
    assert "Traceback (most recent call last):" in result.stderr
    assert 'crash.py", line 8, in check_batch' in result.stderr
    assert "ValueError: bad batch at step 5" in result.stderr
    assert "runpy" not in result.stderr and "nndoctor" not in result.stderr
    assert "crash.py crashed after 6 steps (exit status 1)" in result.stdout
    data = json.loads(report.read_text())
    assert data["status"] == "crashed" and data["run"]["exit_code"] == 1


def test_sys_exit_code_is_kept(tmp_path, capsys):
    # in-process through main(): the same path as the subprocess runs, without another torch start-up
    report = tmp_path / "report.json"
    assert main(["run", "--json", str(report), "--fail-on", "warning", str(SCRIPTS / "exit3.py")]) == 3
    captured = capsys.readouterr()
    assert "giving up with status 3" in captured.out
    assert "exit3.py crashed after 10 steps (exit status 3)" in captured.out
    assert "Traceback" not in captured.err
    data = json.loads(report.read_text())
    assert data["status"] == "crashed" and data["run"]["exit_code"] == 3


@pytest.mark.parametrize(("signal_name", "code"), [("INT", 130), ("TERM", 143)])
def test_a_signal_mid_training_still_writes_the_report(tmp_path, signal_name, code):
    report = tmp_path / "report.json"
    result = nndoctor("run", "--json", str(report), str(SCRIPTS / "self_signal.py"), signal_name)
    assert result.returncode == code, result.stderr
    assert f"sending SIG{signal_name} at step 5" in result.stdout
    assert "did not stop" not in result.stdout
    assert "was interrupted after 6 steps" in result.stdout
    data = json.loads(report.read_text())
    assert data["status"] == "interrupted" and data["run"]["exit_code"] == code
    if signal_name == "INT":
        assert "KeyboardInterrupt" in result.stderr


def test_the_script_sees_what_python_would_give_it(tmp_path):
    args = ["--lr", "0.5", "--", "x", "-h", "--json", "y"]
    result = nndoctor("run", "--quiet", "scripts/show_context.py", *args, cwd=SCRIPTS.parent)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("CONTEXT "))
    context = json.loads(line.removeprefix("CONTEXT "))
    assert context["argv"] == ["scripts/show_context.py", *args]
    assert context["name"] == "__main__"
    assert context["path0"] == os.path.realpath(SCRIPTS)
    assert context["file"] == "scripts/show_context.py"
    assert result.stdout.strip().splitlines()[-1] == "nndoctor: no problems found (3 steps)"


def test_a_script_that_never_trains_ends_with_one_line_and_status_2(capsys):
    assert main(["run", str(SCRIPTS / "no_training.py")]) == 2
    captured = capsys.readouterr()
    assert "no training here" in captured.out
    assert one_line(captured.err) == (
        f"nndoctor: {SCRIPTS / 'no_training.py'} finished without a single optimizer step; "
        "nothing to diagnose (does it call optimizer.step()?)"
    )


def test_demo_runs_and_exits_0(tmp_path):
    report = tmp_path / "demo.json"
    result = nndoctor("demo", "--json", str(report))
    assert result.returncode == 0, result.stderr
    assert "loss nan" in result.stdout
    assert "broken_train.py finished 96 steps" in result.stdout
    data = json.loads(report.read_text())
    assert data["status"] == "completed" and data["run"]["steps"] == 96
    assert data["run"]["lr"] == 2.5


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("nndoctor ")
    assert main(["run", "--help"]) == 0
    assert "Options go before the script" in " ".join(capsys.readouterr().out.split())


# --- user errors: one line, status 2 (in-process: they fail before running anything) ----------------
def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00\x01\x02binary\xff")
    return path


def _notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("train the model, then celebrate\n")
    return path


@pytest.mark.parametrize(
    ("make_args", "expected"),
    [
        (lambda tmp: ["run", str(tmp / "missing.py")], "no such file"),
        (lambda tmp: ["run", str(tmp)], "is a directory"),
        (lambda tmp: ["run", str(_garbage(tmp))], "is not a Python script"),
        (lambda tmp: ["run", str(_notes(tmp))], "is not a Python script"),
        (
            lambda tmp: ["run", "--json", str(tmp / "no" / "r.json"), str(SCRIPTS / "healthy.py")],
            "does not exist",
        ),
        (lambda tmp: ["run", "--events", str(tmp), str(SCRIPTS / "healthy.py")], "is a directory"),
        (lambda tmp: ["run", "--fail-on", "sometimes", str(SCRIPTS / "healthy.py")], "invalid choice"),
        (lambda tmp: ["run", "--lr", "0.1", str(SCRIPTS / "healthy.py")], "options for your script go after"),
        (lambda tmp: ["diagnose", str(tmp / "missing.jsonl")], "no such file"),
        (lambda tmp: ["explain", "no-such-id"], "unknown finding id"),
        (lambda tmp: ["explain", "lr-too-hgh"], "did you mean lr-too-high?"),
        (lambda tmp: ["explain"], "give a finding id"),
    ],
)
def test_user_errors_end_with_one_line_and_status_2(tmp_path, capsys, make_args, expected):
    assert main(make_args(tmp_path)) == 2
    captured = capsys.readouterr()
    assert expected in one_line(captured.err)
    assert "Traceback" not in captured.err + captured.out


def test_empty_and_foreign_events_files_are_refused(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    foreign = tmp_path / "other.jsonl"
    foreign.write_text('{"a": 1}\n{"b": 2}\n')
    assert main(["diagnose", str(empty)]) == 2
    assert "empty" in one_line(capsys.readouterr().err)
    assert main(["diagnose", str(foreign)]) == 2
    assert "not an nndoctor events file" in one_line(capsys.readouterr().err)


# --- explain ------------------------------------------------------------------------------------------
def test_explain_prints_the_catalog_entry(capsys):
    assert main(["explain", "lr-too-high"]) == 0
    out = capsys.readouterr().out
    entry = catalog.entry("lr-too-high")
    assert out.startswith("lr-too-high: The learning rate is too high")
    assert "cause · default severity error · detected by this version" in out
    assert "Explains: loss-diverging" in out
    assert "Try: Lower it 10x" in out
    assert entry.summary.split()[0] in out


def test_explain_shows_what_explains_a_symptom(capsys):
    assert main(["explain", "loss-nonfinite"]) == 0
    out = capsys.readouterr().out
    assert "Explained by: " in out and "lr-too-high" in out


def test_explain_list_names_every_id_and_marks_detected_ones(capsys):
    assert main(["explain", "--list"]) == 0
    out = capsys.readouterr().out
    detected, _, reserved = out.partition("Reserved (not detected yet):")  # none left: no such section
    for entry in catalog.CATALOG.values():
        assert entry.id in (detected if entry.detected else reserved)


# --- pieces -------------------------------------------------------------------------------------------
def test_everything_after_the_script_belongs_to_the_script():
    assert split_run_arguments(["--json", "r.json", "train.py", "--json", "x", "-h"]) == (
        ["--json", "r.json", "train.py"],
        ["--json", "x", "-h"],
    )
    assert split_run_arguments(["--quiet", "--", "-odd.py", "a"]) == (["--quiet", "--", "-odd.py"], ["a"])
    assert split_run_arguments(["--json=r.json", "train.py", "--"]) == (["--json=r.json", "train.py"], ["--"])


def test_fail_on_turns_a_success_into_status_1_only_when_a_finding_is_that_severe():
    warning = rank([Finding("loss-plateau", "flat", severity=Severity.WARNING)])
    healthy = rank([])
    assert fail_on_status(warning, "warning", 0) == 1
    assert fail_on_status(warning, "error", 0) == 0
    assert fail_on_status(warning, None, 0) == 0
    assert fail_on_status(healthy, "warning", 0) == 0
    assert fail_on_status(warning, "warning", 3) == 3  # the script's own failure is kept


def test_a_broken_check_is_reported_as_nndoctors_error_not_the_runs(tmp_path, capsys, monkeypatch):
    from nndoctor import checks

    def broken(store):
        raise KeyError("grad_norm")

    monkeypatch.setitem(checks._REGISTRY, "test.broken", broken)
    report = tmp_path / "report.json"
    assert main(["run", "--json", str(report), "--fail-on", "error", str(SCRIPTS / "healthy.py")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "nndoctor had an internal error (test.broken: KeyError: 'grad_norm')" in out
    data = json.loads(report.read_text())
    assert {"check": "test.broken", "error": "KeyError: 'grad_norm'"} in data["run"]["internal_errors"]
