"""The README's table of finding ids, generated from the catalog (never written twice).

python -m nndoctor.docs README.md     rewrites the table between its markers
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalog import CATALOG

START, END = "<!-- catalog:start -->", "<!-- catalog:end -->"


def catalog_table() -> str:
    """A markdown table of every id: severity, kind, title, whether it is detected yet, what it explains."""
    lines = ["| id | severity | kind | title | detected | explains |", "|---|---|---|---|---|---|"]
    for entry in CATALOG.values():
        explains = ", ".join(f"`{e}`" for e in entry.explains)
        lines.append(
            f"| `{entry.id}` | {entry.severity} | {entry.kind} | {entry.title} | "
            f"{'yes' if entry.detected else 'reserved'} | {explains} |"
        )
    return "\n".join(lines)


def with_table(text: str) -> str:
    """`text` with the part between the markers replaced by the current table."""
    if START not in text or END not in text:
        raise ValueError(f"the markers {START} and {END} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{catalog_table()}\n{END}{tail}"


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(with_table(path.read_text()))
