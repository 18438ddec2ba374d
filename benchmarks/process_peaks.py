"""Peak memory of each process a command starts: which one the benchmark's figure is.

run.py's "casebook peak MB" is the largest peak of any process in the build's tree
(getrusage of the children). A build has several: MkDocs' own process, the forks that
share its work, and Pagefind's binary. This runs a command in a session of its own and
reads every process of that session's high-water mark (VmHWM in /proc/<pid>/status)
every 20 ms, then prints them, largest first. Linux only.

    python benchmarks/process_peaks.py mkdocs build -q -f build/bench/5000/casebook.yml
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def peak_kb(pid: int) -> tuple[int, str] | None:
    """(VmHWM in KB, the command line) of a running process, or None if it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]), command.strip()
    return None


def in_session(session: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == session:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def main(command: list[str]) -> int:
    if not command:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    process = subprocess.Popen(command, start_new_session=True)
    peaks: dict[int, tuple[int, str]] = {}
    while process.poll() is None:
        for pid in in_session(process.pid):
            found = peak_kb(pid)
            if found is not None and found[0] >= peaks.get(pid, (0, ""))[0]:
                peaks[pid] = found
        time.sleep(0.02)
    for pid, (kilobytes, name) in sorted(peaks.items(), key=lambda item: -item[1][0]):
        print(f"{kilobytes / 1024:8.0f} MB  pid {pid:<7} {name[:100]}")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
