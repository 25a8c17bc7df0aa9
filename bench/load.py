#!/usr/bin/env python3
"""Load test: roundtable's API against a raw axum baseline on the same database, in the same run.

    python3 bench/load.py            # 3 rounds, 64 connections, 10 s per endpoint

Builds both servers in release mode, seeds roundtable with the Dongsheng demo plus
ISSUES raised issues (through its own API), then measures with wrk (Debian's `wrk`,
installed if missing): list, get, create and transition, each beside the baseline's GET
list, GET one and POST. This machine is noisy (two cores shared with wrk; one run of the
same binary moves by up to 30 %), so each endpoint is measured ROUNDS times, roundtable
and the baseline back to back in every round (the order alternating), and the report
gives medians: req/s, p99, and the ratio to the baseline taken within each round, with
the lowest and highest ratio beside it. Each run begins once both servers are idle (at
most 120 s), so that the work one run leaves behind (the mail of its assignments) is not
measured as part of the next. Environment: ROUNDS, ISSUES (default: 100,000 a
round, so that every round's transitions find fresh issues), CONNECTIONS, DURATION
(seconds), CARGO_TARGET_DIR, ROUNDTABLE_BENCH_BIN (another roundtable binary, to compare
two builds), ENDPOINTS (those whose name contains any of these comma-separated words,
e.g. `create,transition`; default all), and POSTGRES: a server URL (e.g.
postgres://postgres@127.0.0.1:5432/postgres) on which both run instead, each in a
database of its own made and dropped by the script: the ratio is then to raw axum on the
same PostgreSQL, not to SQLite in the process. With POSTGRES, SQL (statements) is run
on roundtable's database once it is up, before seeding: an experiment on the schema (a
constraint dropped, an index added) measured with the same build.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile

from common import ROOT, call, settle, start_servers, stop
ROUNDS = int(os.environ.get("ROUNDS", "3"))
# Every measured transition needs a fresh raised issue: each round gets its own share.
# (100,000 a round: a fast machine assigns ~7,000 a second on SQLite.)
ISSUES = int(os.environ.get("ISSUES", str(100000 * ROUNDS)))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
DURATION = int(os.environ.get("DURATION", "10"))
RT, BASE = "127.0.0.1:18090", "127.0.0.1:18091"
POSTGRES = os.environ.get("POSTGRES")
ENDPOINTS = [w for w in os.environ.get("ENDPOINTS", "").split(",") if w]


def psql(sql):
    psql_on(POSTGRES, sql)


def psql_on(database, sql):
    sh("psql", database, "-v", "ON_ERROR_STOP=1", "-qc", sql, stdout=subprocess.DEVNULL)


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
    names = [f"rt_load_{os.getpid()}", f"rt_load_base_{os.getpid()}"] if POSTGRES else []
    for name in names:
        psql(f"CREATE DATABASE {name}")
    database, base_database = (POSTGRES.rsplit("/", 1)[0] + "/" + n for n in names) if names else (None, None)
    try:
        procs, token, compound = start_servers(target, work, RT, BASE, binary=os.environ.get("ROUNDTABLE_BENCH_BIN"),
                                               database=database, base_database=base_database)
        if database and os.environ.get("SQL"):
            psql_on(database, os.environ["SQL"])
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
        # A share of the raised issues for each round's transitions.
        share = len(ids) // ROUNDS
        round_ids = []
        for r in range(ROUNDS):
            path = os.path.join(work, f"ids-{r}.txt")
            with open(path, "w") as f:
                f.write("\n".join(ids[r * share:(r + 1) * share]) + "\n")
            round_ids.append(path)
        base_ids = os.path.join(work, "base-ids.txt")
        with open(base_ids, "w") as f:
            f.write("\n".join(i["id"] for i in call("GET", f"http://{BASE}/items")) + "\n")

        assign = json.dumps({"transition": "assign", "version": 1, "responsible_org": anshang})
        base_post_body = {"BODY": json.dumps({"title": "x", "body": "雨后地下室积水"})}
        endpoints = [
            ("list 50 issues", lambda r: wrk("get.lua", f"{api}/issues?limit=50", env),
             "GET list", lambda: wrk("get.lua", f"http://{BASE}/items", {})),
            ("get one issue", lambda r: wrk("ids.lua", f"http://{RT}", {**env, "BODY": "", "IDS": ids_file, "PREFIX": "/api/v1/issues/"}),
             "GET one", lambda: wrk("ids.lua", f"http://{BASE}", {"IDS": base_ids, "PREFIX": "/items/"})),
            ("create issue", lambda r: wrk("post.lua", f"{api}/issues", env),
             "POST", lambda: wrk("post.lua", f"http://{BASE}/items", base_post_body)),
            ("transition (assign)", lambda r: wrk("ids.lua", f"http://{RT}", {**env, "IDS": round_ids[r], "PREFIX": "/api/v1/issues/", "SUFFIX": "/transitions", "BODY": assign}),
             "POST", lambda: wrk("post.lua", f"http://{BASE}/items", base_post_body)),
        ]
        endpoints = [e for e in endpoints if not ENDPOINTS or any(w in e[0] for w in ENDPOINTS)]
        if not endpoints:
            raise SystemExit(f"no endpoint's name contains any of {ENDPOINTS}")
        runs = {name: ([], []) for name, _, _, _ in endpoints}
        waited = []

        def measure(run):
            # Each run starts on idle servers: the mail of a run of assignments, say, is
            # sent after it, and would otherwise be measured as part of the next run.
            waited.append(settle(procs))
            return run()

        for r in range(ROUNDS):
            for name, ours, _, theirs in endpoints:
                mine, base = runs[name]
                if r % 2 == 0:
                    mine.append(measure(lambda: ours(r)))
                    base.append(measure(theirs))
                else:
                    base.append(measure(theirs))
                    mine.append(measure(lambda: ours(r)))

        backend = "PostgreSQL" if POSTGRES else "SQLite"
        print(f"\nroundtable and the baseline on {backend}, {len(ids)} raised issues (+ demo), {CONNECTIONS} connections, "
              f"{DURATION} s a run, medians of {ROUNDS} rounds\n")
        print(f"{'endpoint':<22}{'req/s':>10}{'p99 ms':>9}{'non-2xx':>9}   {'baseline':<9}{'req/s':>10}{'p99 ms':>9}"
              f"{'ratio':>8}  {'(lowest–highest)'}")
        median = statistics.median
        for name, _, bname, _ in endpoints:
            mine, base = runs[name]
            ratios = sorted(m[0] / b[0] for m, b in zip(mine, base))
            bad = sum(m[3] for m in mine)
            print(f"{name:<22}{median(m[0] for m in mine):>10.0f}{median(m[1] for m in mine):>9.2f}{bad:>9}   "
                  f"{bname:<9}{median(b[0] for b in base):>10.0f}{median(b[1] for b in base):>9.2f}"
                  f"{median(ratios):>8.2f}  ({ratios[0]:.2f}–{ratios[-1]:.2f})")
        print(f"\n(each run began on idle servers: waited up to {max(waited):.1f} s for the work of the run before)")
        if any(m[3] for mine, _ in runs.values() for m in mine):
            print("\nnon-2xx answers: the transitions ran out of fresh issues (409s); raise ISSUES")
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)
        for name in names:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
