"""Processes and their memory, read from /proc, for the bench scripts."""

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
