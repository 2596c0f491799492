"""Renderers of one Diagnosis: the terminal report (rich) and the JSON report. None computes anything."""

from __future__ import annotations

from .json import to_json, write_json
from .terminal import headline_text, print_report, render_plain, renderables

__all__ = ["headline_text", "print_report", "render_plain", "renderables", "to_json", "write_json"]
