"""`python -m nndoctor`: the same command line as `nndoctor`."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
