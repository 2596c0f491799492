"""The terminal report: one Diagnosis rendered with rich, for a person to read and act on.

Layout, top to bottom: a header with how the run ended; the headline finding in a panel (severity,
id, title, evidence, what to try, where and how sure); the other findings, shorter, each symptom
pointing at the cause that explains it; a one-line run summary. It reads well in 80 columns and
prints plain text (no ANSI codes) when stdout is not a terminal. Like every renderer it only reads
the diagnosis: nothing here computes a finding.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..diagnosis import Diagnosis, RankedFinding
from ..findings import Severity

WIDTH = 80  # plain text is laid out for the classic terminal width
MAX_WIDTH = 100  # and a terminal's report is never wider than this

# Every style the report uses, by name, so that the look changes in one place.
THEME = Theme(
    {
        "nd.rule": "dim",
        "nd.header": "bold",
        "nd.error": "bold red",
        "nd.warning": "bold yellow",
        "nd.info": "dim",
        "nd.border.error": "red",
        "nd.border.warning": "yellow",
        "nd.border.info": "dim",
        "nd.id": "bold cyan",
        "nd.title": "bold",
        "nd.evidence": "none",
        "nd.try": "bold green",
        "nd.advice": "none",
        "nd.meta": "dim",
        "nd.section": "bold",
        "nd.ok": "bold green",
        "nd.summary": "dim",
        "nd.internal": "dim italic",
        "nd.dim": "dim",
    }
)


def theme_style(name: str) -> Style:
    """A theme style by name, resolved now so that any Console can print the report, themed or not."""
    return THEME.styles[name]


BADGES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def make_console(file: IO[str] | None = None, *, width: int | None = None, plain: bool = False) -> Console:
    """A rich Console with the report's theme; `plain=True` never writes ANSI codes.

    Left alone, rich writes colour only to a terminal, so a piped report is plain text already.
    """
    if plain:
        return Console(
            file=file,
            width=width or WIDTH,
            theme=THEME,
            color_system=None,
            force_terminal=False,
            force_jupyter=False,
            highlight=False,
            emoji=False,
        )
    console = Console(file=file, width=width, theme=THEME, highlight=False, emoji=False)
    if width is None and console.width > MAX_WIDTH:
        console.width = MAX_WIDTH  # lines much longer than this are hard to read on a wide terminal
    return console


def print_report(diagnosis: Diagnosis, *, file: IO[str] | None = None) -> None:
    """Print the report to `file` (stdout by default), in colour on a terminal, plain otherwise."""
    print_renderables(renderables(diagnosis), file=file)


def render_plain(diagnosis: Diagnosis, *, width: int = WIDTH) -> str:
    """The report as plain text (no ANSI codes), laid out for `width` columns."""
    return render_text(renderables(diagnosis), width=width)


def print_renderables(items: Iterable[RenderableType], *, file: IO[str] | None = None) -> None:
    """Print rich renderables with the theme: styled on a terminal, plain text to a file or a pipe."""
    console = make_console(file)
    if console.is_terminal:
        for item in items:
            console.print(item)
        return
    text = render_text(items, width=console.width)
    encoding = getattr(console.file, "encoding", None) or "utf-8"
    # a stream that cannot encode the box and dot characters gets "?" rather than a crash
    console.file.write(text.encode(encoding, "replace").decode(encoding))
    console.file.flush()


def render_text(items: Iterable[RenderableType], *, width: int = WIDTH) -> str:
    """Rich renderables as plain text (no ANSI codes), laid out for `width` columns."""
    buffer = io.StringIO()
    console = make_console(buffer, width=width, plain=True)
    for item in items:
        console.print(item)
    # rich pads table cells to the column width; trailing blanks are noise in logs and diffs
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def headline_text(diagnosis: Diagnosis) -> str:
    """One line for `--quiet`: the headline finding, or that nothing was found."""
    head = diagnosis.headline
    if head is None:
        return f"nndoctor: no problems found ({_scope_phrase(diagnosis.run)})"
    more = len(diagnosis.findings) - 1
    rest = f" (+{more} more)" if more else ""
    return f"nndoctor: {BADGES[head.severity]} {head.id}: {head.title}{rest}"


def header_text(diagnosis: Diagnosis) -> str:
    """The report's first line as plain text: how the run ended and what was found."""
    return _header(diagnosis).plain


def summary_text(diagnosis: Diagnosis) -> str:
    """The report's closing summary as plain text (steps, time, overhead, optimizer)."""
    return _summary(diagnosis).plain


def renderables(diagnosis: Diagnosis) -> Iterator[RenderableType]:
    """The report as rich renderables, in order (Diagnosis.__rich_console__ yields these)."""
    yield Rule(Text("nndoctor", style=theme_style("nd.header")), align="left", style=theme_style("nd.rule"))
    yield _header(diagnosis)
    head = diagnosis.headline
    if head is None:
        yield Text()
        done = diagnosis.status == "completed"
        yield Text(
            "No problems found." if done else "No problems found in the training before it stopped.",
            style=theme_style("nd.ok"),
        )
    else:
        yield Text()
        yield _headline(head)
        others = diagnosis.findings[1:]
        if others:
            yield Text()
            yield Text("Also found", style=theme_style("nd.section"))
            yield Padding(_others(others), (0, 0, 0, 2))
    yield Text()
    yield _summary(diagnosis)
    internal = _internal_errors(diagnosis)
    if internal is not None:
        yield internal


# --- parts --------------------------------------------------------------------------------------------
def _header(diagnosis: Diagnosis) -> Text:
    run = diagnosis.run
    if _is_data(run):
        return _data_header(diagnosis)
    name = _run_name(run)
    steps = _steps_phrase(run)
    code = run.get("exit_code")
    if diagnosis.status == "crashed":
        ended = f"{name} crashed after {steps}"
        style = theme_style("nd.error")
    elif diagnosis.status == "interrupted":
        ended = f"{name} was interrupted after {steps}"
        style = theme_style("nd.warning")
    else:
        ended = f"{name} finished {steps}"
        style = theme_style("nd.header")
    text = Text(ended, style=style)
    if isinstance(code, int) and code != 0:
        text.append(f" (exit status {code})", style=theme_style("nd.meta"))
    counts = _severity_counts(diagnosis.findings)
    text.append(f": {counts}." if counts else ".", style=theme_style("nd.header"))
    return text


def _headline(finding: RankedFinding) -> Panel:
    severity = finding.severity
    title = Text.assemble(
        (BADGES[severity], "nd." + str(severity)),
        (" · ", theme_style("nd.meta")),
        (finding.id, theme_style("nd.id")),
    )
    parts: list[RenderableType] = [Text(finding.title, style=theme_style("nd.title"))]
    if finding.evidence:
        parts.append(Text(finding.evidence, style=theme_style("nd.evidence")))
    if finding.advice:
        parts.append(Text())
        parts.append(
            Text.assemble(("Try: ", theme_style("nd.try")), (finding.advice, theme_style("nd.advice")))
        )
    meta = _meta(finding)
    if finding.explains:
        meta.append(" · " if meta else "", style=theme_style("nd.meta"))
        meta.append("explains " + ", ".join(finding.explains), style=theme_style("nd.meta"))
    if meta:
        parts.append(Text())
        parts.append(meta)
    body = Group(*parts)
    if severity is Severity.INFO:
        body = Group(
            *(Text(p.plain, style=theme_style("nd.dim")) if isinstance(p, Text) else p for p in parts)
        )
    return Panel(
        body,
        title=title,
        title_align="left",
        border_style=theme_style("nd." + str(severity)),
        padding=(0, 1),
    )


def _others(findings: list[RankedFinding]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, min_width=len("WARNING"))
    table.add_column(ratio=1)
    for finding in findings:
        dim = finding.severity is Severity.INFO
        lines = Text()
        lines.append(finding.id, style=theme_style("nd.dim") if dim else theme_style("nd.id"))
        lines.append(" · ", style=theme_style("nd.meta"))
        lines.append(finding.title, style=theme_style("nd.dim") if dim else theme_style("nd.title"))
        if finding.evidence:
            lines.append("\n")
            lines.append(finding.evidence, style=theme_style("nd.dim") if dim else theme_style("nd.evidence"))
        meta = Text()
        if finding.explained_by:
            meta.append("explained by " + ", ".join(finding.explained_by), style=theme_style("nd.meta"))
        elif finding.advice:  # an independent problem: say what to do, briefly
            lines.append("\n")
            lines.append("Try: ", style=theme_style("nd.dim") if dim else theme_style("nd.try"))
            lines.append(
                _first_sentence(finding.advice),
                style=theme_style("nd.dim") if dim else theme_style("nd.advice"),
            )
        finding_meta = _meta(finding)
        if finding_meta:
            meta.append(" · " if meta else "", style=theme_style("nd.meta"))
            meta.append_text(finding_meta)
        if meta:
            lines.append("\n")
            lines.append_text(meta)
        badge = Text(BADGES[finding.severity], style=theme_style("nd." + str(finding.severity)))
        table.add_row(badge, lines)
    return table


def _meta(finding: RankedFinding) -> Text:
    """Where and how sure: "step 12 · fc1.weight · confidence 90%"."""
    parts = []
    if finding.step is not None:
        parts.append(f"step {finding.step}")
    if finding.where:
        parts.append(finding.where)
    parts.append(f"confidence {finding.confidence:.0%}")
    return Text(" · ".join(parts), style=theme_style("nd.meta"))


def _data_header(diagnosis: Diagnosis) -> Text:
    """`nndoctor data` and check_data: what was checked, then the counts."""
    run = diagnosis.run
    if run.get("source") in _IN_MEMORY:  # "the arrays": a phrase that starts the sentence
        name = str(run["data"])[:1].upper() + str(run["data"])[1:]
    else:
        name = os.path.basename(str(run["data"]))
    text = Text(f"{name}: {_scope_phrase(run)}", style=theme_style("nd.header"))
    counts = _severity_counts(diagnosis.findings)
    text.append(f": {counts}." if counts else ".", style=theme_style("nd.header"))
    return text


def _summary(diagnosis: Diagnosis) -> Text:
    run = diagnosis.run
    if _is_data(run):
        return _data_summary(diagnosis)
    parts = [_steps_phrase(run)]
    wall = _number(run.get("wall_s")) or _number(run.get("duration_s"))
    if wall is not None:
        parts.append(f"{wall:.1f} s")
    share = _number(run.get("overhead_share"))
    if share is not None:
        parts.append(f"nndoctor overhead {share:.1%}")
    if run.get("optimizer"):
        lr, last = _number(run.get("lr")), _number(run.get("lr_last"))
        rate = f" lr={lr:.3g}" if lr is not None else ""
        if rate and last is not None:
            rate += f" at its peak, {last:.3g} at the end"
        parts.append(f"{run['optimizer']}{rate}")
    label_check = run.get("label_check") or {}
    if _number(label_check.get("seconds")) is not None:
        parts.append(f"label check {label_check['seconds']:.1f} s")
    elif label_check.get("skipped"):
        parts.append("labels not checked: the model fits them")
    text = Text(" · ".join(parts), style=theme_style("nd.summary"))
    if label_check.get("note"):
        text.append(f"\nNote: {label_check['note']}", style=theme_style("nd.summary"))
    failure = run.get("device_failure") or {}
    if failure:
        text.append(
            f"\nNote: the device failed at step {failure.get('step')} ({_shorten(str(failure.get('error')), 100)}); "
            "the values still on it were lost.",
            style=theme_style("nd.summary"),
        )
    if diagnosis.headline is not None:
        text.append(
            f"\nMore about a finding: nndoctor explain {diagnosis.headline.id}",
            style=theme_style("nd.summary"),
        )
    return text


def _data_summary(diagnosis: Diagnosis) -> Text:
    run = diagnosis.run
    samples, sampled = run.get("samples"), run.get("sampled_samples")
    parts = [_scope_phrase(run)]
    if isinstance(samples, int) and isinstance(sampled, int) and sampled < samples:
        parts.append(f"statistics from a random {sampled:,}")
    kind = str(run.get("target_kind") or "").replace("-", " ")
    if run.get("target"):
        parts.append(f"target {run['target']}" + (f": {kind}" if kind else ""))
    elif kind:
        parts.append(f"targets: {kind}")
    wall = _number(run.get("wall_s"))
    if wall is not None:
        parts.append(f"{wall:.1f} s")
    text = Text(" · ".join(parts), style=theme_style("nd.summary"))
    for note in run.get("notes") or []:
        text.append(f"\nNote: {note}", style=theme_style("nd.summary"))
    if diagnosis.headline is not None:
        text.append(
            f"\nMore about a finding: nndoctor explain {diagnosis.headline.id}",
            style=theme_style("nd.summary"),
        )
    return text


def _internal_errors(diagnosis: Diagnosis) -> Text | None:
    errors = diagnosis.run.get("internal_errors") or []
    if not errors:
        return None
    first = errors[0]
    source = first.get("check") or first.get("probe") or "?"
    message = _shorten(str(first.get("error", "")), 100)
    count = f"{len(errors)} internal errors" if len(errors) > 1 else "an internal error"
    return Text(
        f"nndoctor had {count} ({source}: {message}); the diagnosis may be incomplete. "
        "Please report this nndoctor bug.",
        style=theme_style("nd.internal"),
    )


# --- small helpers ------------------------------------------------------------------------------------
def _run_name(run: dict[str, Any]) -> str:
    for key in ("script", "events"):
        if run.get(key):
            return os.path.basename(str(run[key]))
    return "The run"


_IN_MEMORY = ("arrays", "tensors", "dataframe", "dataset", "loader")  # data not read from a file


def _is_data(run: dict[str, Any]) -> bool:
    return "data" in run and "samples" in run


def _scope_phrase(run: dict[str, Any]) -> str:
    """What a diagnosis covered: "1,797 samples, 64 features" for data, else the steps of a run."""
    if not _is_data(run):
        return _steps_phrase(run)
    samples, features = run.get("samples"), run.get("features")
    text = f"{samples:,} sample{'s' if samples != 1 else ''}" if isinstance(samples, int) else "the data"
    if isinstance(features, int):
        word = "channel" if run.get("layout") == "image" else "feature"
        text += f", {features:,} {word}{'s' if features != 1 else ''}"
    return text


def _steps_phrase(run: dict[str, Any]) -> str:
    """ "120 steps", or "40 epochs" for a log that counts epochs."""
    steps, unit = run.get("steps"), run.get("x_axis", "step")
    if not isinstance(steps, int):
        return f"an unknown number of {unit}s"
    phrase = f"1 {unit}" if steps == 1 else f"{steps} {unit}s"
    if isinstance(run.get("trainings"), int):  # models trained one after another
        phrase += f" of the last of {run['trainings']} trainings (from step {run.get('phase_start')})"
    return phrase


def _severity_counts(findings: list[RankedFinding]) -> str:
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        count = sum(1 for f in findings if f.severity is severity)
        if count:
            name = "note" if severity is Severity.INFO else str(severity)
            parts.append(f"{count} {name}{'s' if count > 1 else ''}")
    return ", ".join(parts)


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None  # NaN is no number to show


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
