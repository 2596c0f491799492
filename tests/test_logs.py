"""The log readers and `nndoctor curves`: formats, column guessing, run splitting, errors, reports."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nndoctor.cli import main
from nndoctor.logs import LogError, read_log
from nndoctor.logs.build import THIN_TO, thin
from nndoctor.logs.columns import choose_columns, words
from nndoctor.logs.runs import fill_forward, split_runs
from nndoctor.monitor.store import SERIES_CAPACITY

FIXTURES = Path(__file__).parent / "fixtures" / "curves"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def keras_csv(epochs: int = 12, *, start: int = 0) -> str:
    rows = ["epoch,learning_rate,loss,val_loss"]
    for epoch in range(start, start + epochs):
        rows.append(f"{epoch},0.001,{2.0 * 0.8**epoch:.5f},{2.1 * 0.85**epoch:.5f}")
    return "\n".join(rows) + "\n"


# --- column names ------------------------------------------------------------------------------------
def test_words_split_any_spelling():
    assert words("Loss/train") == ["loss", "train"]
    assert words("valLoss") == ["val", "loss"]
    assert words("train_loss_epoch") == ["train", "loss", "epoch"]
    assert words("validation/epoch_loss") == ["validation", "epoch", "loss"]


@pytest.mark.parametrize(
    ("names", "train", "val"),
    [
        (["epoch", "loss", "val_loss", "accuracy", "val_accuracy"], "loss", "val_loss"),  # Keras
        (["epoch", "step", "train_loss_epoch", "train_loss_step", "val_loss"], "train_loss_step", "val_loss"),
        (
            ["epoch", "grad_norm", "learning_rate", "loss", "step", "eval_loss", "eval_runtime"],
            "loss",
            "eval_loss",
        ),
        (["step", "Loss/train", "Loss/val", "lr"], "Loss/train", "Loss/val"),
        (["step", "train/epoch_loss", "validation/epoch_loss"], "train/epoch_loss", "validation/epoch_loss"),
        (["step", "kl_loss", "loss", "test_loss", "valid_loss"], "loss", "valid_loss"),  # val over test
        (["iteration", "training_loss", "test_loss"], "training_loss", "test_loss"),
        (["step", "train_loss"], "train_loss", None),  # train only
    ],
)
def test_loss_columns_are_guessed(names, train, val):
    counts = dict.fromkeys(names, 10)
    counts[names[-1]] = counts.get(names[-1], 10)
    if "train_loss_epoch" in counts:
        counts["train_loss_epoch"] = 3  # fewer points than the per-step column
    chosen = choose_columns(counts)
    assert (chosen.train, chosen.val) == (train, val)


def test_learning_rate_step_and_epoch_columns_are_found():
    chosen = choose_columns(dict.fromkeys(["epoch", "step", "lr-SGD", "train_loss", "val_loss"], 5))
    assert (chosen.step, chosen.epoch, chosen.lr) == ("step", "epoch", "lr-SGD")


def test_no_training_loss_names_the_columns_that_exist():
    with pytest.raises(LogError, match=r"no training loss column found; its columns: epoch, acc, val_acc"):
        choose_columns({"epoch": 3, "acc": 3, "val_acc": 3}, source="log.csv")
    with pytest.raises(LogError, match=r"no column 'nope' \(--train\); its columns: epoch, loss"):
        choose_columns({"epoch": 3, "loss": 3}, train="nope")


# --- CSV ---------------------------------------------------------------------------------------------
def test_keras_csv_reads_per_epoch_with_its_rate(tmp_path):
    run = read_log(write(tmp_path, "log.csv", keras_csv()))[0]
    assert run.x_axis == "epoch" and run.train_points == 12 and run.val_points == 12
    assert (run.columns.train, run.columns.val, run.columns.lr) == ("loss", "val_loss", "learning_rate")
    steps, values = run.store.series("val_loss")
    assert steps.tolist() == list(range(12)) and values[0] == pytest.approx(2.1)


def test_lightning_metrics_csv_interleaves_train_and_validation_rows():
    run = read_log(FIXTURES / "lightning_overfit" / "metrics.csv")[0]
    assert (run.columns.train, run.columns.val, run.x_axis) == ("train_loss_step", "val_loss", "step")
    assert run.train_points == 200 and run.val_points == 40
    _, values = run.store.series("loss")
    assert np.isfinite(values).all()  # empty cells are rows without a value, not NaN losses


def test_keras_na_cells_are_missing_but_a_written_nan_is_a_nan(tmp_path):
    text = "epoch,loss,val_loss\n0,1.0,NA\n1,0.8,0.9\n2,nan,NA\n3,nan,nan\n"
    run = read_log(write(tmp_path, "log.csv", text))[0]
    _, train = run.store.series("loss")
    val_steps, _ = run.store.series("val_loss")
    assert train.size == 4 and np.isnan(train[2:]).all()
    assert val_steps.tolist() == [1, 3]
    assert run.store.first_nonfinite_step("loss") == 2


def test_a_repeated_header_starts_a_new_run(tmp_path):
    run_a, run_b = keras_csv(10), keras_csv(8)
    runs = read_log(write(tmp_path, "log.csv", run_a + run_b))
    assert [r.train_points for r in runs] == [10, 8]
    assert runs[1].name.endswith("(run 2 of 2)")


def test_tab_separated_with_text_columns(tmp_path):
    text = "step\tphase\tloss\n" + "".join(f"{i}\ttrain\t{1 / (i + 1):.4f}\n" for i in range(50))
    run = read_log(write(tmp_path, "log.tsv", text))[0]
    assert run.train_points == 50 and run.columns.val is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("epoch,loss,val_loss\n", "no rows"),
        ("0,1.0,2.0\n1,0.5,1.0\n", "no header line"),
        ("epoch,loss\n0,1.0\n1,0.5,7,8\n", "not a well-formed CSV"),
        ("epoch,acc,val_acc\n0,0.5,0.4\n", "columns: epoch, acc, val_acc"),
    ],
)
def test_bad_csv_files_raise_one_clear_error(tmp_path, text, message):
    with pytest.raises(LogError, match=message):
        read_log(write(tmp_path, "log.csv", text))


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(LogError, match="not a text file"):
        read_log(path)


# --- JSON lines, JSON, trainer_state -------------------------------------------------------------
def test_json_lines_with_nested_records_and_a_cut_off_last_line(tmp_path):
    lines = [json.dumps({"step": i, "train": {"loss": 1 / (i + 1)}}) for i in range(30)]
    lines.insert(10, json.dumps({"step": 9, "val": {"loss": 0.5}}))
    run = read_log(write(tmp_path, "log.jsonl", "\n".join(lines) + '\n{"step": 30, "tra'))[0]
    assert (run.columns.train, run.columns.val) == ("train/loss", "val/loss")
    assert run.train_points == 30 and run.val_points == 1


def test_a_bad_json_line_in_the_middle_is_an_error(tmp_path):
    text = '{"step": 0, "loss": 1}\nnot json\n{"step": 1, "loss": 0.5}\n'
    with pytest.raises(LogError, match="line 2: not JSON"):
        read_log(write(tmp_path, "log.jsonl", text))


def test_keras_history_saved_as_json_is_per_epoch(tmp_path):
    history = {"loss": [1.0, 0.7, 0.5, 0.4], "val_loss": [1.1, 0.8, 0.7, 0.65]}
    run = read_log(write(tmp_path, "history.json", json.dumps(history)))[0]
    assert run.x_axis == "epoch" and run.val_points == 4


def test_trainer_state_leaves_out_the_run_average():
    path = FIXTURES / "hf_healthy" / "trainer_state.json"
    history = json.loads(path.read_text())["log_history"]
    run = read_log(path)[0]
    assert run.train_points == sum("loss" in entry for entry in history)
    assert run.val_points == sum("eval_loss" in entry for entry in history)
    assert (run.columns.train, run.columns.val, run.columns.lr) == ("loss", "eval_loss", "learning_rate")
    # a Hugging Face output folder: its trainer_state.json is found
    assert read_log(path.parent)[0].train_points == run.train_points


def test_an_nndoctor_events_file_is_read_as_its_store(tmp_path):
    records = [
        {"kind": "header", "schema": "nndoctor.events/1"},
        {"kind": "scalars", "name": "loss", "steps": list(range(40)), "values": [1.0] * 40},
        {"kind": "structure", "data": {"steps": 40, "status": "completed"}},
    ]
    path = write(tmp_path, "events.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    run = read_log(path)[0]
    assert run.format == "nndoctor-events" and run.store.steps_seen == 40


# --- TensorBoard -------------------------------------------------------------------------------------
def test_tensorboard_events_are_read_and_a_restart_is_settled():
    pytest.importorskip("tensorboard")
    run = read_log(FIXTURES / "tb_resumed")[0]
    steps, _ = run.store.series("loss")
    assert (run.columns.train, run.columns.val, run.columns.lr) == ("Loss/train", "Loss/val", "lr")
    assert steps.tolist() == list(range(1200))  # steps 400-599 logged twice: the resumed run's are kept


def test_without_tensorboard_one_line_says_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_tensorboard(name, globals=None, locals=None, fromlist=(), level=0):
        if name.startswith("tensorboard") and level == 0:
            raise ImportError(name)
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(LogError, match=r"pip install nndoctor\[tensorboard\]"):
        read_log(FIXTURES / "tb_healthy")


# --- runs in one log -----------------------------------------------------------------------------
def test_runs_are_split_where_the_count_restarts_from_the_start():
    x = np.array([0, 1, 2, 3, 0, 1, 2], dtype=float)
    loss = np.array([2.0, 1.0, 0.5, 0.3, 2.1, 1.1, 0.6])
    assert [r.rows.tolist() for r in split_runs(x, loss)] == [[0, 1, 2, 3], [4, 5, 6]]


def test_a_resumed_loop_whose_counter_restarted_is_joined_and_shifted():
    x = np.array([0, 10, 20, 30, 0, 10, 20], dtype=float)
    loss = np.array([2.0, 1.0, 0.5, 0.3, 0.28, 0.25, 0.22])
    (run,) = split_runs(x, loss)
    assert run.x.tolist() == [0, 10, 20, 30, 40, 50, 60]


def test_a_run_resumed_from_an_earlier_checkpoint_replaces_what_it_logged_again():
    x = np.array([0, 1, 2, 3, 4, 5, 3, 4, 5, 6], dtype=float)
    loss = np.array([2.0, 1.5, 1.0, 0.8, 0.7, 0.6, 0.81, 0.72, 0.61, 0.5])
    (run,) = split_runs(x, loss)
    assert run.rows.tolist() == [0, 1, 2, 6, 7, 8, 9] and run.x.tolist() == [0, 1, 2, 3, 4, 5, 6]


def test_fill_forward():
    assert fill_forward(np.array([np.nan, 1, np.nan, 3, np.nan])).tolist() == [1, 1, 1, 3, 3]


def test_long_curves_are_thinned_keeping_the_first_nan_and_the_end():
    values = np.linspace(2, 0.1, 1_000_000)
    values[777_777] = np.nan
    steps, kept = thin(np.arange(values.size), values)
    assert kept.size <= THIN_TO < SERIES_CAPACITY
    assert 777_777 in steps and steps[-1] == values.size - 1


# --- the command line --------------------------------------------------------------------------------
def test_curves_prints_the_columns_read_and_the_diagnosis(capsys):
    code = main(["curves", str(FIXTURES / "keras_bottleneck.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "train: loss (guessed), 15 points · validation: val_loss (guessed), 15 points · per epoch" in out
    assert "WARNING · learning-bottleneck" in out


def test_curves_json_for_one_run_is_the_report_schema(tmp_path, capsys):
    report = tmp_path / "report.json"
    assert main(["curves", "--json", str(report), str(FIXTURES / "keras_overfit_few_val.csv")]) == 0
    data = json.loads(report.read_text())
    assert data["schema"] == "nndoctor.report/1" and data["findings"][0]["id"] == "overfitting"
    assert data["run"]["train_column"] == "loss" and data["run"]["best_val_step"] == 9


def test_several_files_are_compared_by_their_best_validation_loss(tmp_path, capsys):
    report = tmp_path / "report.json"
    files = [str(FIXTURES / "keras_healthy.csv"), str(FIXTURES / "keras_overfit_few_val.csv")]
    assert main(["curves", "--json", str(report), *files]) == 0
    out = capsys.readouterr().out
    assert "Best validation loss per run: " in out and "(lowest)" in out
    data = json.loads(report.read_text())
    assert data["schema"] == "nndoctor.curves/1" and len(data["runs"]) == 2
    assert [b["best_val_loss"] for b in data["best_val"]][0] == pytest.approx(0.0712, abs=1e-3)


def test_fail_on_and_quiet(capsys):
    assert main(["curves", "--quiet", "--fail-on", "warning", str(FIXTURES / "keras_bottleneck.csv")]) == 1
    assert (
        capsys.readouterr().out.strip().endswith("WARNING learning-bottleneck: Learning has hit a bottleneck")
    )
    assert main(["curves", "--fail-on", "warning", str(FIXTURES / "keras_healthy.csv")]) == 0


def test_classes_give_the_chance_level(tmp_path, capsys):
    flat = "epoch,loss,val_loss\n" + "".join(f"{e},{2.20 + 0.001 * (e % 2)},{2.21}\n" for e in range(12))
    report = tmp_path / "report.json"
    assert (
        main(["curves", "--classes", "10", "--json", str(report), str(write(tmp_path, "log.csv", flat))]) == 0
    )
    finding = json.loads(report.read_text())["findings"][0]
    assert finding["id"] == "learning-bottleneck"
    assert "of chance level (ln(10) = 2.30 for 10 classes)" in finding["evidence"]


@pytest.mark.parametrize(
    ("text", "arguments", "message"),
    [
        ("", [], "is empty"),
        ("epoch,loss\n0,1.0\n1,0.5,7,8\n", [], "not a well-formed CSV"),
        ("epoch,acc,val_acc\n0,0.5,0.4\n", [], "its columns: epoch, acc, val_acc"),
        (keras_csv(), ["--val", "valid"], "no column 'valid' (--val); its columns: epoch, learning_rate"),
    ],
)
def test_user_errors_end_in_one_line_and_status_2(tmp_path, capsys, text, arguments, message):
    code = main(["curves", *arguments, str(write(tmp_path, "log.csv", text))])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("nndoctor: ") and message in lines[0]
    assert captured.out == ""


def test_missing_file_from_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nndoctor", "curves", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"nndoctor: {tmp_path / 'nope.csv'}: no such file or folder"
