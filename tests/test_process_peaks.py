"""benchmarks/process_peaks.py: each process of a command, with its own peak memory."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "process_peaks.py"
# A parent that holds 20 MB and starts a child that holds 120 MB, each for a moment.
FAMILY = (
    "import subprocess, sys, time; held = bytearray(20_000_000); time.sleep(0.3); "
    "subprocess.run([sys.executable, '-c', "
    "'import time; grown = bytearray(120_000_000); time.sleep(0.5)'])"
)


def test_every_process_of_the_command_is_listed_with_its_own_peak():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), sys.executable, "-c", FAMILY],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    megabytes = [float(row[0]) for row in rows]
    assert len(rows) == 2 and megabytes == sorted(megabytes, reverse=True)
    assert 120 <= megabytes[0] < 200  # the child: its own peak, not the two together
    assert 20 <= megabytes[1] < 100


def test_the_commands_exit_status_is_its_own():
    failing = subprocess.run(
        [sys.executable, str(SCRIPT), sys.executable, "-c", "raise SystemExit(3)"]
    )
    assert failing.returncode == 3
