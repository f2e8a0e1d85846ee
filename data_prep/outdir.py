"""The output folder: checked before any work, locked for the whole run, cleared of a killed run's temp files.

The lock is an exclusive ``flock`` on the folder itself, so it adds no file and the kernel releases it
when the process dies: a second run on the same ``--out`` fails at once with a clear message instead
of interleaving its files with the first.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from data_prep.errors import DataPrepError
from data_prep.writer import is_temp_file


class LockedOutDir:
    """``with LockedOutDir(path) as out:`` the checked, created, locked output folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> Path:
        out = self.path
        if out.exists() and not out.is_dir():
            raise DataPrepError(f"--out {out}: is a file, not a folder; pass a folder path")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DataPrepError(f"--out {out}: cannot create the folder ({err.strerror or err})") from None
        if not os.access(out, os.W_OK | os.X_OK):
            raise DataPrepError(f"--out {out}: folder is not writable (permission denied); pass another --out")
        self._fd = os.open(out, os.O_RDONLY)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise DataPrepError(
                f"--out {out}: another data_prep run is writing there; wait for it to finish or pass another --out"
            ) from None
        for stale in out.iterdir():
            if is_temp_file(stale.name):
                stale.unlink(missing_ok=True)
        return out

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
