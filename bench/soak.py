#!/usr/bin/env python3
"""Soak test: does roundtable hold steady under sustained read+write load?

    python3 bench/soak.py            # 10 minutes, 16 connections, loopback only

Builds roundtable and the raw axum+SQLite baseline in release mode, starts both on
fresh SQLite files, and runs one minute of the same mixed load (list, one item, a second
list, one item, a create: one write in five) against the baseline for reference. Then it
loads roundtable for MINUTES minutes and prints, per minute: requests, req/s, p99,
non-2xx answers, the server's RSS, and the sizes of the database and its WAL.
Targets (issue 11): the last minute's req/s within 10 % of the first, RSS <= 128 MiB,
WAL <= 64 MiB. Environment: MINUTES (default 10), CONNECTIONS (16), CARGO_TARGET_DIR,
ROUNDTABLE_BENCH_BIN (a prebuilt roundtable binary, e.g. an older build to compare with),
MIX=steady (the writes support and withdraw support instead of raising issues, so the
database keeps its size and what changes over time is the server alone).
Every wrk run is bounded (60 s), and only 127.0.0.1 is a target.
"""

import json
import os
import shutil
import subprocess
import tempfile

from common import ROOT, call, start_servers, stop
MINUTES = int(os.environ.get("MINUTES", "10"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "16"))
RT, BASE = "127.0.0.1:18092", "127.0.0.1:18093"
MIB = 1024 * 1024


def wrk(env, seconds=60):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
         "-s", os.path.join(ROOT, "bench/wrk/mixed.lua"), env["URL"]],
        check=True, capture_output=True, text=True, env={**os.environ, **env}, timeout=seconds + 60,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    rate, p99, total, bad = line.split()[1:]
    return float(rate), float(p99), int(total), int(bad)


def rss(pid, field="VmRSS"):
    """The server's resident memory (VmRSS), or a part of it: RssAnon is its own memory,
    without the database file's pages that SQLite reads through its memory map."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def write_ids(path, ids):
    with open(path, "w") as f:
        f.write("\n".join(ids) + "\n")


def main():
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.environ.get("ROUNDTABLE_BENCH_BIN")
    packages = ["-p", "roundtable-bench-baseline"] + ([] if binary else ["-p", "roundtable-web"])
    subprocess.run(["cargo", "build", "--release", "-q", *packages], check=True, cwd=ROOT)
    work = tempfile.mkdtemp(prefix="roundtable-soak-")
    db = f"{work}/rt.db"
    procs = []
    try:
        procs, token, compound = start_servers(target, work, RT, BASE, binary)
        server = procs[1]
        api = f"http://{RT}/api/v1"
        body = json.dumps({"title": "地下室漏水", "description": "雨后地下室积水，墙皮洇水。" * 4,
                           "category": "building", "compound": compound})
        ids = [i["id"] for i in call("GET", f"{api}/issues?limit=200", token)["items"]]
        ids_file = os.path.join(work, "ids.txt")
        write_ids(ids_file, ids)
        for _ in range(20):
            call("POST", f"http://{BASE}/items", body={"title": "x", "body": "雨后地下室积水"})
        base_ids = os.path.join(work, "base-ids.txt")
        write_ids(base_ids, [i["id"] for i in call("GET", f"http://{BASE}/items")][:200])

        b = wrk({"URL": f"http://{BASE}", "IDS": base_ids, "LIST": "/items", "ONE": "/items/", "CREATE": "/items",
                 "BODY": json.dumps({"title": "x", "body": "雨后地下室积水" * 4})})
        print(f"baseline (raw axum+SQLite, same mix, 1 min): {b[0]:.0f} req/s, p99 {b[1]:.1f} ms\n")
        env = {"URL": f"http://{RT}", "IDS": ids_file, "TOKEN": token, "BODY": body,
               "LIST": "/api/v1/issues?limit=50", "SORTED": "/api/v1/issues?limit=50&order=support",
               "ONE": "/api/v1/issues/", "CREATE": "/api/v1/issues"}
        if os.environ.get("MIX") == "steady":
            env["TOGGLE"] = "/support"
        print(f"mix: {'support and withdraw (steady size)' if env.get('TOGGLE') else 'one new issue in five requests'}")
        print(f"{'minute':>6}{'requests':>10}{'req/s':>9}{'p99 ms':>9}{'non-2xx':>9}{'ratio':>7}"
              f"{'RSS MiB':>9}{'anon MiB':>10}{'DB MiB':>8}{'WAL MiB':>9}")
        first = None
        rows = []
        for minute in range(1, MINUTES + 1):
            rate, p99, total, bad = wrk(env)
            first = first or rate
            row = (minute, total, rate, p99, bad, rate / b[0], rss(server.pid) / MIB, size(db) / MIB,
                   size(db + "-wal") / MIB, rss(server.pid, "RssAnon") / MIB)
            rows.append(row)
            print(f"{row[0]:>6}{row[1]:>10}{row[2]:>9.0f}{row[3]:>9.1f}{row[4]:>9}{row[5]:>7.2f}"
                  f"{row[6]:>9.0f}{row[9]:>10.0f}{row[7]:>8.0f}{row[8]:>9.0f}", flush=True)
        last = rows[-1]
        print(f"\nlast minute / first: {last[2] / first:.2f} (target >= 0.90); "
              f"RSS {last[6]:.0f} MiB, of it its own {last[9]:.0f} (target <= 128); WAL {max(r[8] for r in rows):.0f} MiB at most (target <= 64)")
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
