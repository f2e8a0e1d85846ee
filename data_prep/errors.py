"""The one error a conversion stops on: bad input or an unusable ``--out``, told in one line, no traceback."""

from __future__ import annotations


class DataPrepError(Exception):
    """A problem with a whole input file or the output folder; the message names the file and the problem."""
