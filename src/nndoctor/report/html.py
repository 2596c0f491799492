"""The HTML report: one self-contained page (no script, no network) with the findings and the curves.

The page shows what the terminal report says (how the run ended, the headline finding with its
evidence and advice, the other findings, the run summary) and, when the run's store is at hand, the
curves behind the findings: training and validation loss, learning rate, gradient norm and
update-to-weight ratio, with a line at each step a finding points to. Like every renderer it only reads:
nothing here computes a finding.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from html import escape

import numpy as np

from ..diagnosis import Diagnosis, RankedFinding
from ..findings import Severity
from ..monitor.store import Store
from .svg import Marker, Series, line_chart
from .terminal import BADGES, header_text, summary_text

COLORS = {"train": "#1f6feb", "val": "#d4711c", "lr": "#6e40c9", "grad": "#1a7f37", "clip": "#8c959f"}
SEVERITY_COLORS = {Severity.ERROR: "#b42318", Severity.WARNING: "#b54708", Severity.INFO: "#57606a"}
HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)  # a step moves the weights by about 1e-3 of their norm when training
# goes well; an order of magnitude either way is still ordinary

STYLE = """
body{font:15px/1.5 -apple-system,system-ui,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa;
margin:0;padding:24px}
main{max-width:880px;margin:0 auto}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.status{color:#57606a;margin:0 0 16px}
.card{background:#fff;border:1px solid #d0d7de;border-left:5px solid var(--c);border-radius:6px;
padding:12px 16px;margin:10px 0}
.card.head{padding:16px 20px}
.badge{display:inline-block;font-size:12px;font-weight:600;color:#fff;background:var(--c);border-radius:3px;
padding:1px 6px;margin-right:6px;vertical-align:1px}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}
.title{font-weight:600}
.try{color:#1a7f37;font-weight:600}
.meta{color:#57606a;font-size:13px}
.ok{background:#fff;border:1px solid #d0d7de;border-left:5px solid #1a7f37;border-radius:6px;padding:12px 16px}
.chart{width:100%;height:auto;background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:6px 0}
.chart-title{font-weight:600;font-size:13px;fill:#1f2328}
.tick{font-size:11px;fill:#57606a}.grid{stroke:#eaeef2}.frame{fill:none;stroke:#d0d7de}
.band{fill:#dafbe1;opacity:.7}.marker{stroke-width:1.2;stroke-dasharray:3 3}
.nonfinite{fill:#b42318;font-size:13px;font-weight:700}.nonfinite-zone{fill:#fee4e2;opacity:.6}
footer{color:#57606a;font-size:13px;margin-top:28px}
"""


def render_html(runs: Sequence[tuple[Diagnosis, Store | None]], *, title: str = "nndoctor report") -> str:
    """A page for one run or several (e.g. the logs given to `nndoctor curves`)."""
    sections = [_section(diagnosis, store, several=len(runs) > 1) for diagnosis, store in runs]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
        + "".join(sections)
        + "<footer>Made by nndoctor. More about a finding: <code>nndoctor explain ID</code>.</footer>"
        "</main></body></html>\n"
    )


def write_html(
    runs: Sequence[tuple[Diagnosis, Store | None]],
    path: str | os.PathLike[str],
    *,
    title: str = "nndoctor report",
) -> None:
    """Write the page, replacing the file only once it is complete (a reader never sees half a page)."""
    target = os.fspath(path)
    partial = f"{target}.partial"
    with open(partial, "w", encoding="utf-8") as out:
        out.write(render_html(runs, title=title))
    os.replace(partial, target)


def _section(diagnosis: Diagnosis, store: Store | None, *, several: bool) -> str:
    heading = "h2" if several else "h1"
    parts = [f"<section><{heading}>{escape(header_text(diagnosis))}</{heading}>"]
    head = diagnosis.headline
    if head is None:
        parts.append('<div class="ok">No problems found.</div>')
    else:
        parts.append(_card(head, headline=True))
        if len(diagnosis.findings) > 1:
            parts.append("<h2>Also found</h2>")
            parts.extend(_card(f, headline=False) for f in diagnosis.findings[1:])
    charts = _charts(diagnosis, store) if store is not None else []
    if charts:
        parts.append("<h2>Curves</h2>")
        parts.extend(charts)
    parts.append(f'<p class="meta">{escape(summary_text(diagnosis))}</p></section>')
    return "".join(parts)


def _card(finding: RankedFinding, *, headline: bool) -> str:
    color = SEVERITY_COLORS[finding.severity]
    where = []
    if finding.step is not None:
        where.append(f"step {finding.step}")
    if finding.where:
        where.append(escape(finding.where))
    where.append(f"confidence {finding.confidence:.0%}")
    if finding.explained_by:
        where.append("explained by " + ", ".join(escape(i) for i in finding.explained_by))
    elif finding.explains:
        where.append("explains " + ", ".join(escape(i) for i in finding.explains))
    return (
        f'<div class="card{" head" if headline else ""}" style="--c:{color}">'
        f'<div><span class="badge">{BADGES[finding.severity]}</span><span class="id">{escape(finding.id)}</span>'
        f' · <span class="title">{escape(finding.title)}</span></div>'
        f"<p>{escape(finding.evidence)}</p>"
        f'<p><span class="try">Try:</span> {escape(finding.advice)}</p>'
        f'<div class="meta">{" · ".join(where)}</div></div>'
    )


def _charts(diagnosis: Diagnosis, store: Store) -> list[str]:
    markers = _markers(diagnosis)
    x_label = str(diagnosis.run.get("x_axis", "step"))
    charts = []
    train = _series(store, "loss", "training loss", COLORS["train"])
    val = _series(store, "val_loss", "validation loss", COLORS["val"], dots=True)
    losses = [s for s in (train, val) if s is not None]
    if losses:
        charts.append(line_chart("Loss", losses, log_y=_wants_log(losses), markers=markers, x_label=x_label))
    lr = _series(store, "lr", "learning rate", COLORS["lr"])
    if (
        lr is not None and np.unique(lr.values[np.isfinite(lr.values)]).size > 1
    ):  # a constant rate says little
        charts.append(
            line_chart("Learning rate", [lr], log_y=_wants_log([lr]), markers=markers, x_label=x_label)
        )
    grad = _series(store, "grad_norm", "gradient norm", COLORS["grad"])
    if grad is not None:
        lines = [grad]
        clip = store.structure.get("clip_max_norm")
        if isinstance(clip, (int, float)) and clip > 0:
            lines.append(
                Series("clip norm", grad.steps[[0, -1]], np.array([clip, clip], float), COLORS["clip"], True)
            )
        charts.append(line_chart("Gradient norm (before clipping)", lines, log_y=True, markers=markers))
    steps, _, ratios = store.vectors("update_ratio")
    if len(steps):
        with warnings.catch_warnings():  # a row of all-NaN ratios (a NaN run) plots as a gap, no warning
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(np.where(ratios > 0, ratios, np.nan), axis=1)
            largest = np.nanmax(np.where(np.isfinite(ratios), ratios, np.nan), axis=1)
        charts.append(
            line_chart(
                "Update / weight ratio (green: healthy)",
                [
                    Series("median layer", steps, median, COLORS["train"]),
                    Series("largest layer", steps, largest, COLORS["val"], dashed=True),
                ],
                log_y=True,
                markers=markers,
                band=HEALTHY_UPDATE_RATIO,
            )
        )
    return [c for c in charts if c]


def _series(store: Store, name: str, label: str, color: str, *, dots: bool = False) -> Series | None:
    steps, values = store.series(name)
    if not len(steps):
        return None
    return Series(label, steps, values, color, dots=dots and len(steps) <= 200)


def _wants_log(series: list[Series]) -> bool:
    """A log axis when the values are positive and span more than a decade (a loss falling 10x or more)."""
    values = np.concatenate([s.values[np.isfinite(s.values)] for s in series])
    return bool(values.size and values.min() > 0 and values.max() / values.min() > 10)


def _markers(diagnosis: Diagnosis) -> list[Marker]:
    """A line at the step of each warning or error, the headline's in its severity's colour."""
    markers = []
    for index, finding in enumerate(diagnosis.findings):
        if finding.step is None or finding.severity is Severity.INFO:
            continue
        color = SEVERITY_COLORS[finding.severity] if index == 0 else "#8c959f"
        markers.append(Marker(finding.step, f"{finding.id} at step {finding.step}", color))
    return markers
