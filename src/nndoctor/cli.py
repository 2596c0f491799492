"""The command line: `nndoctor run | diagnose | curves | data | explain | demo`.

Exit status: `run` keeps the script's own (0, its sys.exit code, 1 on an exception, 130 on Ctrl-C,
143 on SIGTERM), or 1 when `--fail-on` finds a finding that severe in a run that succeeded. A mistake
the user can fix ends with one line on stderr that says what to do, and status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__, catalog
from .analyze import diagnose_store
from .data import command as data_command
from .data.files import DataFileError
from .diagnosis import Diagnosis
from .findings import Severity
from .monitor.eventlog import EventLogError, read_events
from .monitor.store import Store
from .report.explain import entry_renderables, list_renderables
from .report.html import write_html
from .report.json import write_json
from .report.terminal import headline_text, make_console, print_renderables, print_report
from .runner import EXIT_SIGINT, EXIT_USAGE, RunResult, UsageError, check_output_path, run_script

DEMO_SCRIPT = Path(__file__).parent / "demo" / "broken_train.py"
_RUN_VALUE_OPTIONS = ("--json", "--html", "--events", "--fail-on")  # options of `run` that take a value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line that points at --help, as every other user error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"nndoctor: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (`run`'s script arguments are split off before it: see main)."""
    parser = _Parser(
        prog="nndoctor",
        description="Tells you why your PyTorch training will not train, and what to change.",
    )
    parser.add_argument("--version", action="version", version=f"nndoctor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a training script under nndoctor and diagnose it",
        description="Run `python SCRIPT ARGS...` unchanged, watch its training, then print a diagnosis. "
        "Options go before the script; everything after the script is the script's own.",
        usage="nndoctor run [--json PATH] [--events PATH] [--fail-on LEVEL] [--quiet] SCRIPT [ARGS ...]",
    )
    _add_report_options(run)
    run.add_argument(
        "--events", metavar="PATH", help="also stream the monitor's records to this JSON-lines file"
    )
    run.add_argument("script", metavar="SCRIPT", help="the training script, as you would give it to python")

    diagnose = commands.add_parser(
        "diagnose",
        help="diagnose an events file written by `nndoctor run --events`",
        description="Diagnose a run from its events file (also one cut short: a killed run's file works).",
    )
    _add_report_options(diagnose)
    diagnose.add_argument("events", metavar="EVENTS", help="the file written by `nndoctor run --events PATH`")

    curves = commands.add_parser(
        "curves",
        help="diagnose saved training curves (CSV, JSON lines, trainer_state.json, TensorBoard)",
        description="Read the training and validation loss from saved logs (Keras or Lightning CSV, JSON "
        "lines, Hugging Face trainer_state.json, TensorBoard event files) and diagnose each run; several "
        "files are compared side by side.",
    )
    _add_report_options(curves)
    curves.add_argument(
        "files", nargs="+", metavar="FILE", help="a log file, or a folder of TensorBoard events"
    )
    curves.add_argument(
        "--train", metavar="COL", help="the training loss column (tag, key); guessed if not given"
    )
    curves.add_argument("--val", metavar="COL", help="the validation loss column; guessed if not given")
    curves.add_argument(
        "--classes",
        type=int,
        metavar="C",
        help="the loss is cross-entropy over C classes: judge flat curves against chance level ln(C)",
    )
    _add_report_options(data_command.add_parser(commands))

    explain = commands.add_parser(
        "explain",
        help="what a finding id means and what to do about it",
        description="Print the catalog entry of a finding id, or list every id.",
    )
    explain.add_argument("id", nargs="?", metavar="ID", help="a finding id, e.g. lr-too-high")
    explain.add_argument("--list", action="store_true", help="list every finding id")

    demo = commands.add_parser(
        "demo",
        help="run a bundled broken training script and show its diagnosis",
        description="Run a small training script with a bug (about 2 s on a CPU) and diagnose it.",
    )
    demo.add_argument("--json", metavar="PATH", help="also write the diagnosis as JSON to PATH")
    demo.add_argument("--html", metavar="PATH", help="also write the report as an HTML page with the curves")
    demo.add_argument("--events", metavar="PATH", help="also stream the monitor's records to this file")
    return parser


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="PATH", help="also write the diagnosis as JSON to PATH")
    parser.add_argument(
        "--html", metavar="PATH", help="also write a self-contained HTML page with the findings and curves"
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        metavar="LEVEL",
        help="exit with status 1 when a finding is at least this severe: error or warning",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the headline finding")


def split_run_arguments(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split `run`'s arguments into nndoctor's (up to and including the script) and the script's.

    Everything after the script path belongs to the script, verbatim (`--`, `-h` and all), so this is
    done before argparse, which would otherwise take options meant for the script.
    """
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            return list(tokens[: index + 2]), list(tokens[index + 2 :])
        if token.startswith("-") and token != "-":
            index += 2 if token in _RUN_VALUE_OPTIONS else 1
            continue
        return list(tokens[: index + 1]), list(tokens[index + 1 :])
    return list(tokens), []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    script_args: list[str] = []
    if tokens and tokens[0] == "run":
        own, script_args = split_run_arguments(tokens[1:])
        tokens = ["run", *own]
    parser = build_parser()
    try:
        options, unknown = parser.parse_known_args(tokens)
    except SystemExit as stop:  # --help, --version, or a usage error already reported in one line
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if unknown:
        if options.command == "run":
            _error(
                f"unknown option {unknown[0]} for nndoctor run; options for your script go after its path "
                f"(nndoctor run {options.script} {unknown[0]})"
            )
        else:
            command = f"nndoctor {options.command}" if options.command else "nndoctor"
            _error(f"unrecognized arguments: {' '.join(unknown)} (see `{command} --help`)")
        return EXIT_USAGE
    try:
        if options.command == "run":
            return _run(options.script, script_args, options)
        if options.command == "diagnose":
            return _diagnose(options)
        if options.command == "curves":
            return _curves(options)
        if options.command == "data":
            return _data(options)
        if options.command == "explain":
            return _explain(options)
        if options.command == "demo":
            return _demo(options)
        parser.print_help()
        return EXIT_USAGE
    except (UsageError, EventLogError, DataFileError) as error:
        _error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:  # outside the script (which has its own handling): e.g. while reporting
        _error("interrupted")
        return EXIT_SIGINT
    except BrokenPipeError:  # `nndoctor ... | head`: the reader left; python's advice is to go quietly
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


# --- commands ---------------------------------------------------------------------------------------
def _run(script: str, args: list[str], options: argparse.Namespace) -> int:
    outputs = _Outputs(options)
    result = run_script(script, args, events=options.events)
    return _report_run(result, outputs, fail_on=options.fail_on, quiet=options.quiet)


def _demo(options: argparse.Namespace) -> int:
    outputs = _Outputs(options)
    console = make_console()
    console.print(
        f"nndoctor demo: running a training script with a bug, as `nndoctor run {DEMO_SCRIPT}` would.",
        style="nd.meta",
        soft_wrap=True,
    )
    result = run_script(str(DEMO_SCRIPT), [], events=options.events)
    code = _report_run(result, outputs, fail_on=None, quiet=False)
    return 0 if code == 0 else code  # the findings are the point of the demo, not a failure


def _diagnose(options: argparse.Namespace) -> int:
    store = read_events(options.events)
    steps = store.steps_seen or _steps_in_series(store)
    if steps == 0:
        raise UsageError(
            f"{options.events} holds no optimizer step; nothing to diagnose (did the run start training?)"
        )
    run: dict[str, object] = {"events": options.events, "steps": steps}
    status = None
    if "status" not in store.structure:  # the run never finished: killed, or still running
        status = "interrupted"
        run["events_complete"] = False
    diagnosis = diagnose_store(store, status=status, run=run)
    _Outputs(options).write([(diagnosis, store)])
    _print(diagnosis, quiet=options.quiet)
    return fail_on_status(diagnosis, options.fail_on, 0)


def _data(options: argparse.Namespace) -> int:
    outputs = _Outputs(options)
    diagnosis = data_command.diagnose(options)
    outputs.write([(diagnosis, None)])
    _print(diagnosis, quiet=options.quiet)
    return fail_on_status(diagnosis, options.fail_on, 0)


def _curves(options: argparse.Namespace) -> int:
    from .logs import LogError, read_log
    from .logs.compare import comparison_line, context_line, curves_json, run_summary

    outputs = _Outputs(options)
    if options.classes is not None and options.classes < 2:
        raise UsageError(f"--classes {options.classes}: give the number of classes, 2 or more")
    runs = []
    try:
        for path in options.files:
            runs.extend(read_log(path, train=options.train, val=options.val))
    except LogError as error:
        raise UsageError(str(error)) from None
    diagnoses = []
    for run in runs:
        if options.classes is not None:
            run.store.apply({"kind": "structure", "data": {"loss_functions": _classes_loss(options.classes)}})
        diagnoses.append(diagnose_store(run.store, run=run_summary(run)))
    if len(diagnoses) == 1:
        outputs.write([(diagnoses[0], runs[0].store)])
    else:
        if outputs.json_path:
            _write_text(curves_json(diagnoses) + "\n", outputs.json_path)
        outputs.write_html([(d, run.store) for d, run in zip(diagnoses, runs)])
    console = make_console()
    for index, (run, diagnosis) in enumerate(zip(runs, diagnoses)):
        if options.quiet:
            print(f"{run.name}: {headline_text(diagnosis).removeprefix('nndoctor: ')}", flush=True)
            continue
        if index:
            print(flush=True)
        console.print(context_line(run), style="nd.meta", soft_wrap=True, highlight=False)
        _print(diagnosis, quiet=False)
    if len(runs) > 1 and not options.quiet:
        print(flush=True)
        console.print(comparison_line(runs), style="nd.header", soft_wrap=True, highlight=False)
    return max(fail_on_status(d, options.fail_on, 0) for d in diagnoses)


def _classes_loss(classes: int) -> dict[str, dict[str, object]]:
    """What the monitor records for a cross-entropy over `classes` classes: the chance level's source."""
    return {"train:cross_entropy": {"name": "cross_entropy", "phase": "train", "input_shape": [1, classes]}}


def _write_text(text: str, path: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        _error(f"--json {path}: cannot write it ({error.strerror or error})")


def _explain(options: argparse.Namespace) -> int:
    if options.list:
        print_renderables(list_renderables())
        return 0
    if not options.id:
        raise UsageError("give a finding id (e.g. `nndoctor explain lr-too-high`), or --list to see them all")
    entry = catalog.CATALOG.get(options.id)
    if entry is None:
        close = difflib.get_close_matches(options.id, list(catalog.CATALOG), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UsageError(f"unknown finding id {options.id!r}; {hint}`nndoctor explain --list` shows them all")
    print_renderables(entry_renderables(entry))
    return 0


# --- reporting a run --------------------------------------------------------------------------------
def _report_run(result: RunResult, outputs: _Outputs, *, fail_on: str | None, quiet: bool) -> int:
    """Print and write the report of a finished script run; return the exit status to end with."""
    diagnosis = result.diagnosis
    if diagnosis is None:
        _error(
            f"internal error while diagnosing ({result.internal_error}); "
            "this is a bug in nndoctor, not in your script: please report it"
        )
        return result.exit_code
    outputs.write([(diagnosis, result.store)])
    if not result.trained:
        if result.status == "completed":
            _error(
                f"{result.script} finished without a single optimizer step; nothing to diagnose "
                "(does it call optimizer.step()?)"
            )
            return EXIT_USAGE
        if not diagnosis.findings:  # a crash in the first step can still have a cause (e.g. its labels)
            _error(f"{result.script} stopped before its first optimizer step; nothing to diagnose")
            return result.exit_code
    _print(diagnosis, quiet=quiet)
    return fail_on_status(diagnosis, fail_on, result.exit_code)


def _print(diagnosis: Diagnosis, *, quiet: bool) -> None:
    try:
        if quiet:
            print(headline_text(diagnosis), flush=True)
        else:
            print_report(diagnosis)
    except BrokenPipeError:
        raise
    except Exception as error:  # a renderer bug must not turn into a traceback that hides the run's
        _error(
            f"internal error while printing the report ({type(error).__name__}: {error}); please report it"
        )


class _Outputs:
    """The report files asked for (--json, --html): paths checked before any work, written after."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.json_path = check_output_path(options.json, "json") if options.json else None
        self.html_path = check_output_path(options.html, "html") if options.html else None

    def write(self, runs: list[tuple[Diagnosis, Store | None]]) -> None:
        """Write the JSON of one diagnosis and the HTML page; a file that cannot be written is one line."""
        if self.json_path:
            try:
                write_json(runs[0][0], self.json_path)
            except OSError as error:
                _error(f"--json {self.json_path}: cannot write it ({error.strerror or error})")
        self.write_html(runs)

    def write_html(self, runs: list[tuple[Diagnosis, Store | None]]) -> None:
        if not self.html_path:
            return
        try:
            write_html(runs, self.html_path)
        except OSError as error:
            _error(f"--html {self.html_path}: cannot write it ({error.strerror or error})")


def fail_on_status(diagnosis: Diagnosis, level: str | None, exit_code: int) -> int:
    """`exit_code`, or 1 when it was 0 and a finding is at least as severe as `level`."""
    if level is None or exit_code != 0:
        return exit_code
    worst = diagnosis.worst_severity
    return 1 if worst is not None and worst >= Severity.parse(level) else exit_code


def _steps_in_series(store: Store) -> int:
    """Steps seen in a log with no end record (a killed run): one past the last step of the per-step series
    (a probe's own series may be stamped with the step about to run)."""
    last = -1
    for name in ("loss", "lr", "grad_norm"):
        steps, _ = store.series(name)
        if len(steps):
            last = max(last, int(steps.max()))
    return last + 1


def _error(message: str) -> None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    print(f"nndoctor: {message}", file=sys.stderr, flush=True)
