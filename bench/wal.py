"""What one write costs PostgreSQL, counted rather than timed: the write-ahead log of N
raised issues and of N assignments on roundtable's demo, beside N of the raw axum
baseline's one-row POSTs, read back with pg_waldump. Records and their bytes (full-page
images left out: they follow checkpoints, not the write) are the same on a quiet machine
and a busy one, so a change to what a write touches — an index, a foreign key — shows
here when req/s would bury it in noise.

    POSTGRES=postgres://postgres@127.0.0.1:5432 N=300 python3 bench/wal.py

SQL, if set, is run on roundtable's database once the demo is up, before counting: set to
a migration's down.sql, it counts the same build without that migration (the "before").

ROUNDTABLE_BENCH_BIN and BASELINE_BIN name binaries already built (a debug build counts
the same as a release one); otherwise both are built in release. Needs the server's
pg_waldump (`pg_config --bindir`) and read access to its data directory."""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, call, stop, wait_up  # noqa: E402

SERVER = os.environ.get("POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
N = int(os.environ.get("N", "300"))
RT, BASE = "127.0.0.1:18391", "127.0.0.1:18392"


def psql(db, sql):
    return subprocess.check_output(["psql", f"{SERVER}/{db}", "-Atc", sql], text=True).strip()


def fresh(db):
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")


def binaries():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    rt, base = os.environ.get("ROUNDTABLE_BENCH_BIN"), os.environ.get("BASELINE_BIN")
    if not (rt and base):
        subprocess.run(["cargo", "build", "--release", "-p", "roundtable-web", "-p", "roundtable-bench-baseline"],
                       cwd=ROOT, check=True)
    return rt or f"{target}/release/roundtable", base or f"{target}/release/roundtable-bench-baseline"


def waldump():
    bindir = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
    for candidate in [os.path.join(bindir, "pg_waldump"), *sorted(
            os.path.join("/usr/lib/postgresql", v, "bin", "pg_waldump") for v in os.listdir("/usr/lib/postgresql"))]:
        if os.path.exists(candidate):
            return candidate
    sys.exit("no pg_waldump")


def counted(start, end):
    """pg_waldump's per-record statistics between two LSNs: {record type: (count, bytes)}."""
    wal = os.path.join(psql("postgres", "SHOW data_directory"), "pg_wal")
    out = subprocess.check_output([waldump(), "-p", wal, "-s", start, "-e", end, "--stats=record"], text=True)
    stats = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+/\S+)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)", line)
        if m:
            stats[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return stats


def postgres_cpu_ms():
    """CPU time so far of every PostgreSQL process on this machine (backends, WAL writer,
    checkpointer), in milliseconds: what the server spent, whoever asked."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            total += int(rest[11]) + int(rest[12])  # utime, stime
    return total * 1000 / tick


def measure(db, act):
    """The WAL that `act()` (N writes) makes in `db`, a write."""
    cpu = postgres_cpu_ms()
    before = psql(db, "SELECT pg_current_wal_insert_lsn()")
    act()
    # The mail a write queues is sent (and marked sent) by the dispatcher a moment later:
    # counted with the write, all of it, not as much as happened to be done by now.
    if db == "rt_wal_bench":
        for _ in range(600):
            if psql(db, "SELECT count(*) FROM outbox WHERE status = 'pending' "
                         "AND next_attempt_at <= now() AT TIME ZONE 'UTC'") == "0":
                break
            time.sleep(0.1)
    after = psql(db, "SELECT pg_current_wal_insert_lsn()")
    cpu = postgres_cpu_ms() - cpu
    stats = counted(before, after)
    per = lambda *kinds: sum(stats.get(k, (0, 0))[0] for k in kinds) / N  # noqa: E731
    return {
        "records": sum(c for c, _ in stats.values()) / N,
        "bytes": sum(b for _, b in stats.values()) / N,
        "index entries": per("Btree/INSERT_LEAF", "Btree/INSERT_POST"),
        "row locks": per("Heap/LOCK"),
        "rows written": per("Heap/INSERT", "Heap/INSERT+INIT", "Heap/UPDATE", "Heap/HOT_UPDATE", "Heap/UPDATE+INIT"),
        "PostgreSQL CPU ms": cpu / N,
    }


def main():
    rt_bin, base_bin = binaries()
    fresh("rt_wal_bench")
    fresh("base_wal_bench")
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "ROUNDTABLE_LOG": "warn", "ROUNDTABLE_UPLOADS__DIR": f"{work}/photos"}
        procs = [
            subprocess.Popen([base_bin, f"{SERVER}/base_wal_bench", BASE], stdout=subprocess.DEVNULL),
            subprocess.Popen([rt_bin, "demo", "--no-scheduler", "--database", f"{SERVER}/rt_wal_bench", "--listen", RT],
                             cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env),
        ]
        try:
            wait_up(f"http://{RT}/healthz")
            wait_up(f"http://{BASE}/items")
            # Autovacuum and autoanalyze write the log too, whenever they wake: off for these
            # tables while counting, so the counts are the writes' own.
            for db in ("rt_wal_bench", "base_wal_bench"):
                psql(db, "DO $$DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables "
                         "WHERE schemaname = 'public' LOOP EXECUTE format("
                         "'ALTER TABLE %I SET (autovacuum_enabled = off)', t); END LOOP; END$$")
            if os.environ.get("SQL"):
                psql("rt_wal_bench", os.environ["SQL"])
            api = f"http://{RT}/api/v1"
            token = call("POST", f"{api}/auth/token", body={"login": "secretary@dongsheng.example",
                                                             "password": "demo1234"})["token"]
            compound = call("GET", f"{api}/compounds", token)[0]["id"]
            # One company by name: companies have different numbers of people to tell, and
            # the list's order of those made in one millisecond is not fixed.
            company = next(o["id"] for o in call("GET", f"{api}/organisations", token) if o["name"] == "安尚物业")
            issue = {"description": "楼道灯不亮，晚上看不见台阶。", "category": "facilities", "compound": compound}
            for i in range(20):  # warm: the first writes extend files and fill caches
                call("POST", f"{api}/issues", token, {**issue, "title": f"预热 {i}"})
                call("POST", f"http://{BASE}/items", body={"title": f"warm {i}", "body": "x"})
            raised = []
            rows = {
                "baseline: POST one row": measure("base_wal_bench", lambda: [
                    call("POST", f"http://{BASE}/items", body={"title": f"item {i}", "body": "楼道灯不亮，晚上看不见台阶。"}) for i in range(N)]),
                "raise an issue": measure("rt_wal_bench", lambda: raised.extend(
                    call("POST", f"{api}/issues", token, {**issue, "title": f"楼道灯 {i}"}) for i in range(N))),
                "assign it": measure("rt_wal_bench", lambda: [
                    call("POST", f"{api}/issues/{r['id']}/transitions", token,
                         {"transition": "assign", "version": r["version"], "responsible_org": company})
                    for r in raised]),
            }
        finally:
            stop(procs)
    keys = ["records", "bytes", "index entries", "row locks", "rows written", "PostgreSQL CPU ms"]
    print(f"WAL a write, {N} of each (pg_waldump, full-page images left out)\n")
    print("| write | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[k]:,.2f}" if k.endswith("ms") else f"{row[k]:,.1f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
