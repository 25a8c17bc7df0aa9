#!/usr/bin/env python3
"""Load test: roundtable's API against a raw axum+SQLite baseline, in the same run.

    python3 bench/load.py            # 40,000 issues, 64 connections, 10 s per endpoint

Builds both servers in release mode, seeds roundtable with the Dongsheng demo plus
40,000 issues (through its own API), then measures with wrk (Debian's `wrk`, installed
if missing): list, get, create and transition, each beside the baseline's GET list,
GET one and POST. Prints req/s, p99 and the ratio to the baseline. Environment:
ISSUES, CONNECTIONS, DURATION (seconds), CARGO_TARGET_DIR, and POSTGRES: a server URL
(e.g. postgres://postgres@127.0.0.1:5432/postgres) on which roundtable runs instead, in a
database of its own made and dropped by the script; the baseline stays on SQLite.
"""

import json
import os
import shutil
import subprocess
import tempfile

from common import ROOT, call, start_servers, stop
# Every measured transition needs a fresh raised issue: enough for 10 s at ~4,000/s.
ISSUES = int(os.environ.get("ISSUES", "40000"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
DURATION = int(os.environ.get("DURATION", "10"))
RT, BASE = "127.0.0.1:18090", "127.0.0.1:18091"
POSTGRES = os.environ.get("POSTGRES")


def psql(sql):
    sh("psql", POSTGRES, "-v", "ON_ERROR_STOP=1", "-qc", sql, stdout=subprocess.DEVNULL)


def sh(*args, **kw):
    return subprocess.run(args, check=True, cwd=ROOT, **kw)


def wrk(script, url, env, seconds=DURATION):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", os.path.join(ROOT, "bench/wrk", script), url],
        check=True, capture_output=True, text=True, env={**os.environ, **env},
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    rate, p99, total, bad = line.split()[1:]
    return float(rate), float(p99), int(total), int(bad)


def main():
    if not shutil.which("wrk"):
        sh("apt-get", "install", "-y", "-qq", "wrk")
    sh("cargo", "build", "--release", "-q", "-p", "roundtable-web", "-p", "roundtable-bench-baseline")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    work = tempfile.mkdtemp(prefix="roundtable-bench-")
    procs = []
    database = None
    if POSTGRES:
        db_name = f"rt_load_{os.getpid()}"
        psql(f"CREATE DATABASE {db_name}")
        database = POSTGRES.rsplit("/", 1)[0] + "/" + db_name
    try:
        procs, token, compound = start_servers(target, work, RT, BASE, database=database)
        api = f"http://{RT}/api/v1"
        anshang = next(o["id"] for o in call("GET", f"{api}/organisations", token) if o["name"] == "安尚物业")
        new_issue = json.dumps({"title": "地下室漏水", "description": "雨后地下室积水，墙皮洇水。", "category": "building", "compound": compound})
        env = {"TOKEN": token, "BODY": new_issue}

        # Seed (unmeasured) until there are ISSUES raised issues.
        made = 0
        while made < ISSUES:
            made += wrk("post.lua", f"{api}/issues", env, seconds=3)[2]
        ids, cursor = [], None
        while True:
            page = call("GET", f"{api}/issues?state=raised&limit=200" + (f"&cursor={cursor}" if cursor else ""), token)
            ids += [i["id"] for i in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        ids_file = os.path.join(work, "ids.txt")
        with open(ids_file, "w") as f:
            f.write("\n".join(ids) + "\n")
        base_ids = os.path.join(work, "base-ids.txt")
        with open(base_ids, "w") as f:
            f.write("\n".join(i["id"] for i in call("GET", f"http://{BASE}/items")) + "\n")

        rows = []
        base_get_list = wrk("get.lua", f"http://{BASE}/items", {})
        base_get_one = wrk("ids.lua", f"http://{BASE}", {"IDS": base_ids, "PREFIX": "/items/"})
        base_post = wrk("post.lua", f"http://{BASE}/items", {"BODY": json.dumps({"title": "x", "body": "雨后地下室积水"})})
        rows.append(("list 50 issues", wrk("get.lua", f"{api}/issues?limit=50", env), base_get_list, "GET list"))
        rows.append(("get one issue", wrk("ids.lua", RT.join(["http://", ""]), {**env, "BODY": "", "IDS": ids_file, "PREFIX": "/api/v1/issues/"}), base_get_one, "GET one"))
        rows.append(("create issue", wrk("post.lua", f"{api}/issues", env), base_post, "POST"))
        assign = json.dumps({"transition": "assign", "version": 1, "responsible_org": anshang})
        rows.append(("transition (assign)", wrk("ids.lua", RT.join(["http://", ""]), {**env, "IDS": ids_file, "PREFIX": "/api/v1/issues/", "SUFFIX": "/transitions", "BODY": assign}), base_post, "POST"))

        backend = "PostgreSQL" if POSTGRES else "SQLite"
        print(f"\nroundtable on {backend}, {len(ids)} raised issues (+ demo), {CONNECTIONS} connections, {DURATION} s each, one run\n")
        print(f"{'endpoint':<22}{'req/s':>10}{'p99 ms':>9}{'non-2xx':>9}   {'baseline':<9}{'req/s':>10}{'p99 ms':>9}{'ratio':>8}")
        for name, (rate, p99, total, bad), (brate, bp99, _, _), bname in rows:
            print(f"{name:<22}{rate:>10.0f}{p99:>9.2f}{bad:>9}   {bname:<9}{brate:>10.0f}{bp99:>9.2f}{rate / brate:>8.2f}")
        if any(bad for _, (_, _, _, bad), _, _ in rows):
            print("\nnon-2xx answers: the transitions ran out of fresh issues (409s); raise ISSUES")
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)
        if database:
            psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


if __name__ == "__main__":
    main()
