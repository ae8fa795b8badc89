"""What changed between two `make bench` runs.

    python scripts/bench_compare.py bench_results/A.json bench_results/B.json

Per row of both runs: the ratio to its baseline (the figure the targets are about, since absolute req/s
move with the machine's load), req/s, p99 and SQL per request, A → B, and whether B meets the row's targets.
Then the rows that are not ratios (the 200-buyer rush, index build, pages, memory) side by side.
"""

import json
import sys


def fmt(value, pattern):
    return "–" if value is None else format(value, pattern)


def change(before, after):
    if before in (None, 0) or after is None:
        return "–"
    return f"{(after / before - 1) * 100:+.0f}%"


def compare(first, second):
    lines = [f"A: {first['started']} ({first['config']})", f"B: {second['started']} ({second['config']})", ""]
    header = (
        f"{'row':<22} {'ratio A → B':>16} {'Δ':>6} {'req/s A → B':>18} {'p99 ms A → B':>18} {'SQL A → B':>12}  B met?"
    )
    lines += [header, "-" * len(header)]
    before_rows = {row["key"]: row for row in first["rows"]}
    for row in second["rows"]:
        old = before_rows.get(row["key"])
        if old is None:
            lines.append(f"{row['key']:<22} only in B: ratio {fmt(row['ratio'], '.2f')}")
            continue
        ratio = f"{fmt(old['ratio'], '7.2f')} → {fmt(row['ratio'], '<6.2f')}"
        rps = f"{fmt(old['rps'], '8.0f')} → {fmt(row['rps'], '<7.0f')}"
        p99 = f"{fmt(old['p99_ms'], '8.1f')} → {fmt(row['p99_ms'], '<7.1f')}"
        sql = f"{fmt(old['sql_per_request'], '5.1f')} → {fmt(row['sql_per_request'], '<4.1f')}"
        met = "✔" if row["met"] else "✘"
        lines.append(f"{row['key']:<22} {ratio} {change(old['ratio'], row['ratio']):>6} {rps} {p99} {sql}  {met}")
    for key in before_rows.keys() - {row["key"] for row in second["rows"]}:
        lines.append(f"{key:<22} only in A")
    lines.append("")
    before_extra = {item["key"]: item for item in first.get("extra", [])}
    for item in second.get("extra", []):
        old = before_extra.get(item["key"], {}).get("figure", "–")
        lines.append(f"{item['title']}: {old}  →  {item['figure']}  {'✔' if item['met'] else '✘'}")
    return "\n".join(lines)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    runs = []
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as file:
            runs.append(json.load(file))
    print(compare(*runs))


if __name__ == "__main__":
    main()
