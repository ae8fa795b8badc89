"""Processes, their memory and their CPU time, read from /proc, for the bench scripts."""

import os
from pathlib import Path


def parents():
    """Every live process id mapped to its parent's."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return found


def children(pid):
    return sorted(child for child, parent in parents().items() if parent == pid)


def descendants(pid):
    """pid and every process below it."""
    family = parents()
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in family.items() if parent in frontier]
        found += frontier
    return found


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """{pid: user + system CPU seconds used so far} of the live processes among pids."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


def named(name, *, cmdline_has=""):
    """Live processes whose command is `name` (and whose command line holds cmdline_has)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != name:
                    continue
                if cmdline_has not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    continue
            except (FileNotFoundError, ProcessLookupError):
                continue
            found.append(int(entry.name))
    return found
