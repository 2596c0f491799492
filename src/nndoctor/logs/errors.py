"""The one error a log reader raises: a problem with the user's file, said in one line."""

from __future__ import annotations


class LogError(Exception):
    """An unreadable log, or columns that cannot be found; the message is one line that says which
    file, what is wrong and, for columns, which ones exist. `nndoctor curves` prints it and exits 2."""
