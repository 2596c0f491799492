"""The script runner, in-process: how a run ends, and that PyTorch is left exactly as it was found."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.modules.module as torch_modules
import torch.optim.optimizer as torch_optim

from nndoctor import cli, runner
from nndoctor.runner import UsageError, check_script, run_script

SCRIPTS = Path(__file__).parent / "scripts"


def _torch_globals() -> dict[str, object]:
    return {
        "backward": torch.autograd.backward,
        "cross_entropy": torch.nn.functional.cross_entropy,
        "mse_loss": torch.nn.functional.mse_loss,
        "clip_grad_norm_": torch.nn.utils.clip_grad_norm_,
    }


def _assert_torch_untouched(before: dict[str, object]) -> None:
    assert not torch_modules._global_forward_hooks
    assert not torch_modules._global_forward_pre_hooks
    assert not torch_optim._global_optimizer_pre_hooks
    assert not torch_optim._global_optimizer_post_hooks
    after = _torch_globals()
    for name, original in before.items():
        assert after[name] is original, name


@pytest.mark.parametrize(
    ("script", "status", "code"),
    [("healthy.py", "completed", 0), ("crash.py", "crashed", 1), ("exit3.py", "crashed", 3)],
)
def test_a_run_leaves_pytorch_and_the_interpreter_as_it_found_them(capsys, script, status, code):
    before = _torch_globals()
    argv, path, handler = list(sys.argv), list(sys.path), signal.getsignal(signal.SIGTERM)
    result = run_script(str(SCRIPTS / script), ["--flag"])
    assert (result.status, result.exit_code) == (status, code)
    assert result.trained and result.diagnosis is not None
    assert result.diagnosis.status == status
    assert result.diagnosis.run["exit_code"] == code
    assert result.diagnosis.run["argv"] == [str(SCRIPTS / script), "--flag"]
    _assert_torch_untouched(before)
    assert sys.argv == argv and sys.path == path
    assert signal.getsignal(signal.SIGTERM) is handler
    capsys.readouterr()


def test_the_traceback_has_no_runner_or_monitor_frames(capsys):
    result = run_script(str(SCRIPTS / "loss_error.py"))
    err = capsys.readouterr().err
    assert result.status == "crashed"
    assert 'loss_error.py", line 8, in <module>' in err
    assert "IndexError: Target 7 is out of bounds." in err
    assert "torch/nn/functional.py" in err  # the user's call into torch is theirs to see
    assert "runpy" not in err and "nndoctor" not in err


def test_a_message_in_sys_exit_is_printed_and_gives_status_1(tmp_path, capsys):
    script = tmp_path / "quit.py"
    script.write_text("import sys\nsys.exit('stopping: no data')\n")
    result = run_script(str(script))
    assert result.exit_code == 1 and result.status == "crashed"
    assert capsys.readouterr().err.strip() == "stopping: no data"


def test_a_script_that_redirects_stdout_does_not_keep_it(tmp_path):
    script = tmp_path / "redirect.py"
    log = tmp_path / "log.txt"
    script.write_text(f"import sys\nsys.stdout = open({str(log)!r}, 'w')\nprint('to the log')\n")
    stdout = sys.stdout
    run_script(str(script))
    assert sys.stdout is stdout
    assert log.read_text() == "to the log\n"


def test_a_diagnosis_failure_keeps_the_scripts_exit_status(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("ranking exploded")

    monkeypatch.setattr(runner, "diagnose_store", broken)
    result = run_script(str(SCRIPTS / "exit3.py"))
    assert result.diagnosis is None and result.exit_code == 3
    assert result.internal_error == "RuntimeError: ranking exploded"
    outputs = cli._Outputs(argparse.Namespace(json=None, html=None))
    code = cli._report_run(result, outputs, fail_on="warning", quiet=False)
    err = capsys.readouterr().err
    assert code == 3
    assert "internal error while diagnosing (RuntimeError: ranking exploded)" in err
    assert "Traceback" not in err


def test_check_script_accepts_python_without_a_py_suffix(tmp_path):
    script = tmp_path / "train"
    script.write_text("print('hi')\n")
    assert check_script(str(script)) == script
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    assert check_script(str(broken)) == broken  # its SyntaxError is the user's own crash, shown as one
    with pytest.raises(UsageError, match="is not a Python script"):
        (tmp_path / "README.md").write_text("# Training\n\nRun train.py with the default settings.\n")
        check_script(str(tmp_path / "README.md"))


def test_a_syntax_error_shows_like_python_shows_it(tmp_path, capsys):
    script = tmp_path / "broken.py"
    script.write_text("import torch\ndef f(:\n    pass\n")
    result = run_script(str(script))
    err = capsys.readouterr().err
    assert result.status == "crashed" and result.exit_code == 1 and not result.trained
    assert 'broken.py", line 2' in err and "SyntaxError" in err
    assert "runpy" not in err and "nndoctor" not in err
