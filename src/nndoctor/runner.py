"""Run an unmodified training script as `python script.py ARGS` would, under a monitor.

The script runs in this process (runpy), so the monitor's global PyTorch hooks see its training with no
change to its code. What `python` would give it, it gets: `sys.argv`, `__name__ == "__main__"`, its
folder first on `sys.path`, its own stdout and stderr, its traceback when it crashes. However it ends
(normally, `sys.exit`, an exception, Ctrl-C, SIGTERM) the monitor is finished and the run diagnosed.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import signal
import sys
import time
import traceback
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analyze import diagnose_store
from .diagnosis import Diagnosis

if TYPE_CHECKING:
    from .monitor.monitor import Monitor
    from .monitor.store import Store

EXIT_USAGE = 2
EXIT_SIGINT = 128 + signal.SIGINT  # 130, what a shell reports for a Ctrl-C
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_DEMO_DIR = os.path.join(_PACKAGE_DIR, "demo")
_RUNPY_FILES = {os.path.abspath(runpy.__file__), "<frozen runpy>"}


class UsageError(Exception):
    """A mistake the user can fix (bad path, unwritable output); its message is one line saying how."""


class Terminated(BaseException):
    """Raised in the script when SIGTERM arrives, so that the report is still written.

    A BaseException, like KeyboardInterrupt, so that a script's `except Exception` does not swallow it.
    """


@dataclass
class RunResult:
    """How a script run ended, and its diagnosis (None when diagnosing failed: see `internal_error`)."""

    script: str
    argv: list[str]
    status: str  # "completed" | "crashed" | "interrupted"
    exit_code: int
    wall_s: float
    steps: int
    diagnosis: Diagnosis | None
    internal_error: str | None = None
    store: Store | None = None  # what the monitor recorded: the curves of the HTML report

    @property
    def trained(self) -> bool:
        """Whether the script made at least one optimizer step."""
        return self.steps > 0


def check_script(path: str) -> Path:
    """The script's path if `python path` could run it as a script; else a UsageError saying why.

    A `.py` file is accepted as it is: a SyntaxError in it is the user's own crash and is shown as one.
    Any other file must compile as Python, so that a binary or a text file is refused up front.
    """
    script = Path(path)
    if not script.exists():
        raise UsageError(f"{path}: no such file; give the path of your training script")
    if script.is_dir():
        raise UsageError(f"{path} is a directory; give the training script inside it (e.g. {path}/train.py)")
    if not os.access(script, os.R_OK):
        raise UsageError(f"{path}: permission denied; make the script readable")
    if script.suffix in (".py", ".pyw"):
        return script
    try:
        source = script.read_bytes()
        compile(source, str(script), "exec")
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
        # ValueError: source with NUL bytes (a binary)
        raise UsageError(f"{path} is not a Python script; give the .py file that trains your model") from None
    return script


def check_output_path(path: str, what: str) -> str:
    """The absolute form of an output path whose folder exists; else a UsageError.

    Checked before the script runs, so a typo does not cost the user a whole training run, and made
    absolute so that a script that changes directory does not move the report.
    """
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise UsageError(f"--{what} {path} is a directory; give a file name (e.g. {path}/nndoctor.{what})")
    if not target.parent.is_dir():
        raise UsageError(f"--{what} {path}: the folder {target.parent} does not exist; create it first")
    return str(target)


def run_script(script: str, args: Sequence[str] = (), *, events: str | None = None) -> RunResult:
    """Run `script` with `args` as `python script args...` would, watched by a monitor, and diagnose it.

    The script's output goes where it would; a crash prints its own traceback (without nndoctor's
    frames) to stderr. Nothing is printed about the diagnosis: render `result.diagnosis` for that.
    `events` streams the monitor's records to that JSON-lines file as the run goes.
    Raises UsageError before running anything when the script or `events` path is unusable.
    """
    path = check_script(script)
    events_path = check_output_path(events, "events") if events else None
    # argv[0] as typed, as python gives it (runpy also uses it for __file__ and the traceback)
    argv = [str(path), *args]

    from .monitor.monitor import Monitor  # torch: imported only by the commands that run a script

    try:
        monitor = Monitor(events=events_path)
    except OSError as error:
        raise UsageError(f"--events {events}: cannot write it ({error.strerror or error})") from None

    began = time.perf_counter()
    status, exit_code = "completed", 0
    try:
        monitor.attach()
    except Exception:
        monitor.finish("crashed")  # remove whatever was attached before the failure
        raise
    with _as_main_script(argv), _sigterm_raises():
        try:
            runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as stop:
            exit_code = _exit_code(stop)
            status = "completed" if exit_code == 0 else "crashed"
        except KeyboardInterrupt as interrupt:
            status, exit_code = "interrupted", EXIT_SIGINT
            _print_user_traceback(interrupt)
        except Terminated:
            status, exit_code = "interrupted", EXIT_SIGTERM
            _flush_streams()
            print(f"nndoctor: {script} was stopped by SIGTERM; writing the report", file=_stderr())
        except BaseException as error:  # the script's own crash, whatever it raised
            status, exit_code = "crashed", 1
            _print_user_traceback(error)
        finally:
            finish_error = _finish(monitor, status)
    wall_s = time.perf_counter() - began
    _flush_streams()

    run = {
        "script": script,
        "argv": [script, *args],
        "exit_code": exit_code,
        "wall_s": round(wall_s, 3),
    }
    diagnosis, internal_error = None, None
    try:
        diagnosis = diagnose_store(monitor.store, status=status, run=run)
        if finish_error:
            diagnosis.run.setdefault("internal_errors", []).append({"probe": "finish", "error": finish_error})
    except Exception as error:  # nndoctor's own failure must not change how the user's run ended
        internal_error = f"{type(error).__name__}: {error}"
    return RunResult(
        script=script,
        argv=[script, *args],
        status=status,
        exit_code=exit_code,
        wall_s=wall_s,
        steps=monitor.store.steps_seen or monitor.step,
        diagnosis=diagnosis,
        internal_error=internal_error,
        store=monitor.store,
    )


def _finish(monitor: Monitor, status: str) -> str | None:
    """Finish the monitor; a failure is nndoctor's own, returned as text rather than raised."""
    try:
        monitor.finish(status)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


# --- running as __main__ ----------------------------------------------------------------------------
@contextlib.contextmanager
def _as_main_script(argv: list[str]) -> Iterator[None]:
    """sys.argv and sys.path as `python script` sets them; restored after, with stdout and stderr.

    Streams are restored too so that the report reaches the terminal even if the script redirected them.
    """
    saved_argv, saved_path = sys.argv, list(sys.path)
    saved_streams = sys.stdout, sys.stderr
    sys.argv = list(argv)
    # python puts the script's real folder first, in place of the folder of the program that runs it
    folder = os.path.dirname(os.path.realpath(argv[0]))
    if sys.path:
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        _flush_streams()
        sys.argv = saved_argv
        sys.path[:] = saved_path
        sys.stdout, sys.stderr = saved_streams


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the script runs, SIGTERM raises Terminated in it (instead of killing the process)."""

    owner = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != owner:  # a forked child (a DataLoader worker): die as it would have
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: signals cannot be handled here, run without
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_code(stop: SystemExit) -> int:
    """The status `python` would exit with for this SystemExit (printing a message code as it does)."""
    code = stop.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if code >= 0 else code % 256
    _flush_streams()
    print(code, file=_stderr())
    return 1


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()


# --- the user's traceback ---------------------------------------------------------------------------
def _stderr() -> Any:
    """Where python would print the script's traceback: its sys.stderr, whatever the script made it."""
    return sys.stderr if sys.stderr is not None else sys.__stderr__


def _print_user_traceback(error: BaseException) -> None:
    """Print the script's traceback as `python script` would show it: without runpy's or our frames."""
    _flush_streams()
    stderr = _stderr()
    _trim_chain(error, set())
    traceback.print_exception(type(error), error, error.__traceback__, file=stderr)
    with contextlib.suppress(Exception):
        stderr.flush()


def _trim_chain(error: BaseException | None, seen: set[int]) -> None:
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        # a Ctrl-C that lands inside a monitor hook is still the user's, not an nndoctor bug
        ours = not isinstance(error, (KeyboardInterrupt, Terminated))
        error.__traceback__ = trim_traceback(error.__traceback__, keep_ours=ours)
        _trim_chain(error.__cause__, seen)
        error = error.__context__


def trim_traceback(tb: types.TracebackType | None, *, keep_ours: bool = True) -> types.TracebackType | None:
    """The traceback without runpy's and nndoctor's frames (the runner, the monitor's wrappers).

    When the innermost frame is nndoctor's and `keep_ours` is true, the error is ours: nndoctor's frames
    below the script's are kept so that it can be reported.
    """
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    if not frames:
        return None
    ours_raised = keep_ours and _is_nndoctor(frames[-1].tb_frame.f_code.co_filename)
    kept = [
        f
        for f in frames
        if not _is_runpy(f.tb_frame.f_code.co_filename)
        and (ours_raised or not _is_nndoctor(f.tb_frame.f_code.co_filename))
    ]
    if ours_raised:  # keep everything from the script's first frame on
        while kept and _is_nndoctor(kept[0].tb_frame.f_code.co_filename) and len(kept) > 1:
            kept.pop(0)
    rebuilt = None
    for f in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, f.tb_frame, f.tb_lasti, f.tb_lineno)
    return rebuilt


def _is_runpy(filename: str) -> bool:
    return filename in _RUNPY_FILES


def _is_nndoctor(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR + os.sep) and not path.startswith(_DEMO_DIR + os.sep)
