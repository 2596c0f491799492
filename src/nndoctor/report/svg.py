"""Line charts as inline SVG: the HTML report's plots, with no plotting library and no script.

A chart draws a few series over training steps, on a linear or a log value axis, with vertical
markers at the steps findings point to. Non-finite values break a line (a NaN is not plotted as 0),
and the first one is marked at the top edge, where the curve left the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 680, 230
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 62, 16, 26, 34
MAX_POINTS = 1200  # more points than pixels only makes the page heavier


@dataclass(frozen=True)
class Series:
    label: str
    steps: np.ndarray
    values: np.ndarray
    color: str
    dashed: bool = False
    dots: bool = False  # sparse series (validation points) read better as dots joined by a line


@dataclass(frozen=True)
class Marker:
    step: float
    label: str
    color: str = "#b42318"


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    log_y: bool = False,
    markers: Sequence[Marker] = (),
    x_label: str = "step",
    band: tuple[float, float] | None = None,
) -> str:
    """An SVG line chart; `band` shades a healthy range of values (e.g. update ratios near 1e-3)."""
    series = [s for s in series if len(s.steps)]
    finite = [s.values[np.isfinite(s.values) & ((s.values > 0) if log_y else True)] for s in series]
    values = np.concatenate(finite) if finite else np.zeros(0)
    if not series or values.size == 0:
        return ""
    x_low = float(min(s.steps.min() for s in series))
    x_high = float(max(s.steps.max() for s in series))
    y_low, y_high = float(values.min()), float(values.max())
    if band is not None:
        y_low, y_high = min(y_low, band[0]), max(y_high, band[1])
    scale = _LogScale(y_low, y_high) if log_y else _LinearScale(y_low, y_high)
    if x_high <= x_low:
        x_high = x_low + 1.0
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x_of(step: float) -> float:
        return MARGIN_LEFT + (step - x_low) / (x_high - x_low) * plot_w

    def y_of(value: float) -> float:
        return MARGIN_TOP + (1.0 - scale.position(value)) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{MARGIN_LEFT}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if band is not None:
        top, bottom = y_of(band[1]), y_of(band[0])
        parts.append(
            f'<rect x="{MARGIN_LEFT}" y="{top:.1f}" width="{plot_w}" height="{max(bottom - top, 1):.1f}" '
            'class="band"/>'
        )
    for tick in scale.ticks():
        y = y_of(tick)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_fmt(tick)}</text>'
        )
    for tick in _LinearScale(x_low, x_high, pad=False).ticks():
        x = x_of(tick)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" class="tick" text-anchor="middle">'
            f"{_fmt(tick)}</text>"
        )
    parts.append(
        f'<text x="{WIDTH - MARGIN_RIGHT}" y="{HEIGHT - 4}" class="tick" text-anchor="end">{escape(x_label)}</text>'
    )
    parts.append(
        f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" class="frame"/>'
    )
    first_bad = min(
        (_first_nonfinite(s) for s in series), default=None, key=lambda v: math.inf if v is None else v
    )
    if first_bad is not None:  # from here on the run produced NaN/Inf: shade it rather than leave it blank
        x = x_of(first_bad)
        parts.append(
            f'<rect x="{x:.1f}" y="{MARGIN_TOP}" width="{MARGIN_LEFT + plot_w - x:.1f}" height="{plot_h}" '
            f'class="nonfinite-zone"><title>not finite from step {_fmt(first_bad)}</title></rect>'
        )
    for marker in markers:
        if x_low <= marker.step <= x_high:
            x = x_of(marker.step)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MARGIN_TOP}" y2="{HEIGHT - MARGIN_BOTTOM}" '
                f'stroke="{marker.color}" class="marker"><title>{escape(marker.label)}</title></line>'
            )
    for s in series:
        parts.extend(_draw(s, x_of, y_of, scale, log_y))
    parts.append(_legend(series))
    parts.append("</svg>")
    return "".join(parts)


def _draw(s: Series, x_of, y_of, scale, log_y: bool) -> list[str]:
    steps, values = _thin(np.asarray(s.steps, dtype=float), np.asarray(s.values, dtype=float))
    usable = np.isfinite(values) & ((values > 0) if log_y else True)
    dash = ' stroke-dasharray="5 3"' if s.dashed else ""
    out = []
    run: list[str] = []
    for step, value, ok in zip(steps, values, usable):
        if ok:
            run.append(f"{x_of(step):.1f},{y_of(value):.1f}")
        elif run:
            out.append(run)
            run = []
    if run:
        out.append(run)
    parts = [
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{s.color}" stroke-width="1.6"{dash}/>'
        for points in out
    ]
    if s.dots:
        parts += [
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.6" fill="{s.color}"/>'
            for points in out
            for p in points
        ]
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        x = x_of(steps[bad[0]])
        parts.append(
            f'<text x="{x:.1f}" y="{MARGIN_TOP - 2}" class="nonfinite" text-anchor="middle">✕'
            f"<title>{escape(s.label)} is not finite from step {int(steps[bad[0]])}</title></text>"
        )
    return parts


def _first_nonfinite(s: Series) -> float | None:
    bad = np.flatnonzero(~np.isfinite(np.asarray(s.values, dtype=float)))
    return float(s.steps[bad[0]]) if bad.size else None


def _legend(series: Sequence[Series]) -> str:
    x = WIDTH - MARGIN_RIGHT
    items = []
    for s in reversed(series):
        width = 7 * len(s.label) + 22
        x -= width
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        items.append(
            f'<line x1="{x}" x2="{x + 14}" y1="12" y2="12" stroke="{s.color}" stroke-width="2"{dash}/>'
            f'<text x="{x + 18}" y="16" class="tick">{escape(s.label)}</text>'
        )
    return "".join(items)


def _thin(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At most MAX_POINTS points, keeping each stride's extreme so that spikes stay visible."""
    if steps.size <= MAX_POINTS:
        return steps, values
    stride = math.ceil(steps.size / MAX_POINTS)
    keep = []
    for start in range(0, steps.size, stride):
        chunk = values[start : start + stride]
        bad = np.flatnonzero(~np.isfinite(chunk))
        offset = bad[0] if bad.size else int(np.argmax(np.abs(chunk - np.median(chunk))))
        keep.append(start + offset)
    index = np.asarray(keep)
    return steps[index], values[index]


class _LinearScale:
    def __init__(self, low: float, high: float, *, pad: bool = True) -> None:
        if high <= low:
            low, high = low - 0.5 * (abs(low) or 1.0), high + 0.5 * (abs(high) or 1.0)
        margin = 0.05 * (high - low) if pad else 0.0
        self.low, self.high = low - margin, high + margin

    def position(self, value: float) -> float:
        return (value - self.low) / (self.high - self.low)

    def ticks(self) -> list[float]:
        raw = (self.high - self.low) / 4
        magnitude = 10 ** math.floor(math.log10(raw))
        step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
        first = math.ceil(self.low / step) * step
        return [first + i * step for i in range(int((self.high - first) / step) + 1)]


class _LogScale:
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = math.log10(low), math.log10(high)
        if self.high - self.low < 1e-9:
            self.low, self.high = self.low - 0.5, self.high + 0.5
        pad = 0.04 * (self.high - self.low)
        self.low, self.high = self.low - pad, self.high + pad

    def position(self, value: float) -> float:
        return (math.log10(value) - self.low) / (self.high - self.low)

    def ticks(self) -> list[float]:
        span = self.high - self.low
        every = max(1, math.ceil(span / 5))  # at most about five decades labelled
        if span < 1.2:  # less than a decade: 1-2-5 steps read better than one lonely power of ten
            candidates = [
                m * 10.0**e for e in range(math.floor(self.low), math.ceil(self.high) + 1) for m in (1, 2, 5)
            ]
            return [t for t in candidates if self.low <= math.log10(t) <= self.high]
        return [10.0**e for e in range(math.ceil(self.low), math.floor(self.high) + 1) if e % every == 0]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"
