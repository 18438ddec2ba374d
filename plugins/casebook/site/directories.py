"""Swapping a finished directory in place of a live one, so readers never see half a build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def swap_directory(staged: Path, live: Path) -> None:
    """Put `staged` where `live` is. Two renames on one filesystem: the live path is
    missing only for the instant between them, and never holds a partial tree."""
    retired = live.with_name(f".{live.name}.retired-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        live.rename(retired)
    staged.rename(live)
    shutil.rmtree(retired, ignore_errors=True)
