"""`nndoctor explain`: the catalog's knowledge about one finding id, or the list of all ids.

Everything printed comes from the catalog, the single source of each id's text.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .. import catalog
from .terminal import theme_style


def direct_causes(finding_id: str) -> list[str]:
    """The ids whose catalog entry says they explain `finding_id` directly."""
    return sorted(e.id for e in catalog.CATALOG.values() if finding_id in e.explains)


def entry_renderables(entry: catalog.Entry) -> Iterator[RenderableType]:
    """One catalog entry: id and title, kind and severity, the causal links, summary and advice."""
    yield Text.assemble(
        (entry.id, theme_style("nd.id")),
        (": ", theme_style("nd.meta")),
        (entry.title, theme_style("nd.title")),
    )
    detected = "detected by this version" if entry.detected else "reserved: not detected yet"
    yield Text(f"{entry.kind} · default severity {entry.severity} · {detected}", style=theme_style("nd.meta"))
    causes = direct_causes(entry.id)
    if entry.explains:
        yield Text.assemble(("Explains: ", theme_style("nd.section")), ", ".join(entry.explains))
    if causes:
        yield Text.assemble(("Explained by: ", theme_style("nd.section")), ", ".join(causes))
    yield Text()
    yield Text(entry.summary)
    yield Text()
    yield Text.assemble(("Try: ", theme_style("nd.try")), entry.advice)


def list_renderables() -> Iterator[RenderableType]:
    """Every id, detected ones first, each with its kind, default severity and title."""
    entries = list(catalog.CATALOG.values())
    sections = (
        ("Detected by this version", [e for e in entries if e.detected]),
        ("Reserved (not detected yet)", [e for e in entries if not e.detected]),
    )
    first = True
    for heading, group in sections:
        if not group:
            continue
        if not first:
            yield Text()
        first = False
        yield Text(f"{heading}:", style=theme_style("nd.section"))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style=theme_style("nd.id"), min_width=max(len(e.id) for e in entries))
        table.add_column(no_wrap=True, style=theme_style("nd.meta"))
        table.add_column(no_wrap=True, style=theme_style("nd.meta"))
        table.add_column(ratio=1)
        for entry in group:
            table.add_row(entry.id, str(entry.kind), str(entry.severity), entry.title)
        yield Padding(table, (0, 0, 0, 2))
    yield Text()
    yield Text(
        "nndoctor explain ID shows what an id means and what to do about it.", style=theme_style("nd.meta")
    )
