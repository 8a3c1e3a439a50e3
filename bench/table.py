#!/usr/bin/env python3
"""Print the benchmark's table (Markdown) from the rows bench/run.sh wrote.

usage: table.py RESULTS.tsv [FLEETRUN-DETAILS.tsv [EXTRAS.txt]]

One line per (tool, N): wall min/median/max over the rounds, client CPU seconds and the target
sshd processes' CPU seconds (medians), peak RSS (the largest over the rounds), exit codes, and the
ratio of fleetrun's median wall (first run, and second run, same N) to this tool's median wall:
issue 7's targets are written as such ratios (e.g. fleetrun first run <= 0.35x pssh).
"""
import csv
import statistics
import sys


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def fmt(x, digits=2):
    return f"{x:.{digits}f}"


def main(argv):
    rows = read(argv[1])
    groups = {}
    for r in rows:
        groups.setdefault((r["tool"], int(r["n"])), []).append(r)
    medians = {k: statistics.median(float(r["wall_s"]) for r in v) for k, v in groups.items()}

    print("| tool | N | rounds | wall min / median / max (s) | client CPU (s) | peak RSS (MB) "
          "| targets' sshd CPU (s) | exit codes | result | fleetrun 1st ÷ this | fleetrun 2nd ÷ this "
          "| load 1-min during |")
    print("|---|---:|---:|---|---:|---:|---:|---|---|---:|---:|---|")
    for (tool, n), v in groups.items():
        walls = sorted(float(r["wall_s"]) for r in v)
        cpu = statistics.median(float(r["cpu_s"]) for r in v)
        rss = max(int(r["rss_kb"] or 0) for r in v) / 1024
        sshd = statistics.median(float(r["sshd_cpu_s"]) for r in v)
        rcs = ",".join(r["rc"] for r in v)
        note = "; ".join(dict.fromkeys(r["note"] for r in v)) if not tool.startswith("fleetrun") \
            else "CLI returned after " + ", ".join(r["note"].rsplit(" ", 1)[-1] for r in v)
        ratios = []
        for which in ("first", "second"):
            ref = medians.get((f"fleetrun {which}", n))
            # the floor rows (one connection at a time) measure the targets, not a peer
            peer = not tool.startswith("ssh one at a time")
            ratios.append(fmt(ref / medians[(tool, n)]) + "×" if ref and peer else "")
        loads = [float(r["load_before"]) for r in v] + [float(r["load_after"]) for r in v]
        print(f"| {tool} | {n} | {len(v)} | {fmt(walls[0])} / {fmt(statistics.median(walls))} / "
              f"{fmt(walls[-1])} | {fmt(cpu)} | {fmt(rss, 0)} | {fmt(sshd)} ({fmt(sshd / n * 1000, 0)} ms/host) "
              f"| {rcs} | {note} | {ratios[0]} | {ratios[1]} | {fmt(min(loads), 1)}–{fmt(max(loads), 1)} |")

    if len(argv) > 2:
        details = read(argv[2])
        if details:
            print()
            print("fleetrun, from SQL (seconds after the invocation row's created_at unless said):")
            print()
            print("| run | N | round | invoke id | CLI wall (s) | CLI exit | request → answer (s) "
                  "| first start | last start | last finish | records | ok | failed | error codes | status |")
            print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
            for d in details:
                cells = [d["tool"], d["n"], d["round"], d["invoke_id"], d["cli_wall_s"], d["rc"]]
                cells += [fmt(float(d[k])) if d[k] else "" for k in
                          ("answer_s", "first_start_s", "last_start_s", "last_finish_s")]
                cells += [d["records"], d["ok"], d["failed"], d["errors"], d["status"]]
                print("| " + " | ".join(cells) + " |")
    if len(argv) > 3:
        with open(argv[3]) as f:
            extras = [line.rstrip("\n") for line in f if line.strip()]
        if extras:
            print()
            for line in extras:
                print("- " + line)


if __name__ == "__main__":
    main(sys.argv)
