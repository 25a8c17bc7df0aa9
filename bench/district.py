#!/usr/bin/env python3
"""A street office's district on PostgreSQL: COMMUNITIES communities of one street (their
property companies shared by name, as companies serve several) with ISSUES issues in all,
then the reads and writes people make measured through two `roundtable serve` instances
(p50/p99 from one run):

    python3 bench/district.py        # COMMUNITIES=50 ISSUES=1000000 OPEN=5000 by default

The tracker is modelled as years of use: most issues are long verified, OPEN are in
progress. Through the two instances, TEMPLATES issues a community are taken all the way
(raised, assigned, committed, resolved, verified) and OPEN are raised and assigned; the
verified ones are then copied by SQL, each copy moved back a random whole number of days
within five years (ids, times and dates with it), until the tracker holds ISSUES issues
with their steps, promises and search entries. Copying keeps every row exactly as the
server writes it; raising a million issues through HTTP would take hours on two cores.

Needs the machine's PostgreSQL (PG, default postgres://postgres@127.0.0.1:5432/postgres):
the script makes and drops its own database. Every loop is bounded in count; each request
has a timeout; the servers listen on 127.0.0.1 only. KEEP=1 keeps the database afterwards
(to study a query with EXPLAIN ANALYZE).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from common import call, release_binary, wait_up

COMMUNITIES = int(os.environ.get("COMMUNITIES", "50"))
ISSUES = int(os.environ.get("ISSUES", "1000000"))
OPEN = int(os.environ.get("OPEN", "5000"))
TEMPLATES = int(os.environ.get("TEMPLATES", "20"))
COMPANIES = 10
THREADS = 8
PG = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432/postgres")
ADDRS = ["127.0.0.1:18101", "127.0.0.1:18102"]
PASSWORD = "district-pass"


def database_url(name):
    base, _, _ = PG.rpartition("/")
    return f"{base}/{name}"


def psql(sql, url=PG):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def columns(url, table):
    # Not the generated ones: the database computes those of each copy itself.
    out = subprocess.run(["psql", url, "-Atc", "SELECT column_name, data_type FROM information_schema.columns "
                          f"WHERE table_name = '{table}' AND is_generated = 'NEVER' ORDER BY ordinal_position"],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


# A UUID v7 text for a moved time, as the server would have made then.
V7 = """CREATE FUNCTION pg_temp.v7(ts timestamp) RETURNS text AS $$
  SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 14, 3) || '-8' || substr(r, 18, 3)
         || '-' || substr(r, 21, 12)
  FROM (SELECT lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') AS h,
               replace(gen_random_uuid()::text, '-', '') AS r) x
$$ LANGUAGE sql VOLATILE;"""


def copy_history(url, copies):
    """Each verified issue `copies` times, moved back 1–1825 days, with its steps,
    promises and search entry (column lists read from the schema, so they stay in step)."""
    def moved(table, alias, own_id, time_column):
        exprs = []
        for name, kind in columns(url, table):
            if name == "id":
                exprs.append("c.new_id" if own_id else f"pg_temp.v7({alias}.{time_column} - c.shift)")
            elif name == "issue_id":
                exprs.append("c.new_id")
            elif kind.startswith("timestamp"):
                exprs.append(f"{alias}.{name} - c.shift")
            elif kind == "date":
                exprs.append(f"{alias}.{name} - extract(day FROM c.shift)::int")
            else:
                exprs.append(f"{alias}.{name}")
        return ", ".join(exprs)

    sql = f"""{V7}
CREATE UNLOGGED TABLE bench_copies AS
  SELECT template_id, pg_temp.v7(created_at - shift) AS new_id, shift
  FROM (SELECT t.id AS template_id, t.created_at, make_interval(days => 1 + floor(random() * 1825)::int) AS shift
        FROM issues t CROSS JOIN generate_series(1, {copies}) g WHERE t.state = 'verified') x;
CREATE INDEX ON bench_copies (template_id);
INSERT INTO issues SELECT {moved("issues", "t", True, "created_at")}
  FROM issues t JOIN bench_copies c ON c.template_id = t.id;
INSERT INTO issue_events SELECT {moved("issue_events", "e", False, "at")}
  FROM issue_events e JOIN bench_copies c ON c.template_id = e.issue_id;
INSERT INTO commitments SELECT {moved("commitments", "m", False, "committed_at")}
  FROM commitments m JOIN bench_copies c ON c.template_id = m.issue_id;
INSERT INTO issue_search SELECT {moved("issue_search", "s", False, "")}
  FROM issue_search s JOIN bench_copies c ON c.template_id = s.issue_id;
DROP TABLE bench_copies;"""
    psql(sql, url)
    # A tracker in use has been vacuumed by autovacuum long since: the copied rows' hint
    # bits set and the visibility map up to date, so that the index-only scans a live
    # database gets (the agenda's steps) are measured, not a first read after a bulk load.
    # VACUUM runs outside a transaction, hence a statement of its own.
    psql("VACUUM ANALYZE", url)
    # And its pages written out: a live tracker is not measured while gigabytes of a bulk
    # load's dirty pages go to disk (twice the agenda's slowest builds were three in a row,
    # seconds each, minutes after the copy, while the checkpointer wrote).
    psql("CHECKPOINT", url)


def cli(binary, url, *args, stdin=None):
    subprocess.run([binary, *args, "--database", url], input=stdin, text=True, check=True, stdout=subprocess.DEVNULL)


def timed(samples, fn):
    began = time.perf_counter()
    fn()
    samples.append((time.perf_counter() - began) * 1000)


def report(name, samples):
    # The slowest with their places in the run: whether an outlier is a first request.
    slowest = sorted(range(len(samples)), key=lambda i: samples[i], reverse=True)[:3]
    worst = ", ".join(f"{samples[i]:.1f} (#{i + 1})" for i in slowest)
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<34} n={len(samples):<5} p50 {statistics.median(samples):7.1f} ms   p99 {p99:7.1f} ms"
          f"   slowest {worst}")


def main():
    binary = release_binary()
    name = f"rt_district_{os.getpid()}"
    psql(f"CREATE DATABASE {name}")
    url = database_url(name)
    work = tempfile.mkdtemp(prefix="rt-district-")
    servers = []
    try:
        began = time.time()
        cli(binary, url, "migrate")
        for c in range(COMMUNITIES):
            community = f"第{c:02d}社区"
            cli(binary, url, "setup", "community", "--name", community, "--street", "开发区街道")
            cli(binary, url, "setup", "compound", "--community", community, "--name", f"{community}花园")
            cli(binary, url, "setup", "org", "--community", community, "--name", f"物业{c % COMPANIES}",
                "--kind", "property_company", "--email", f"office{c % COMPANIES}@district.example")
            cli(binary, url, "user", "add", "--community", community, "--login", f"sec{c}@district.example",
                "--name", f"书记{c}", "--role", "secretary", stdin=PASSWORD + "\n")
            cli(binary, url, "user", "add", "--community", community, "--login", f"wy{c}@district.example",
                "--name", f"物业{c}", "--role", "property", "--org", f"物业{c % COMPANIES}", stdin=PASSWORD + "\n")
        cli(binary, url, "user", "add", "--community", "第00社区", "--login", "street@district.example",
            "--name", "街道", "--role", "street", stdin=PASSWORD + "\n")
        print(f"{COMMUNITIES} communities set up in {time.time() - began:.0f} s")

        env = {**os.environ, "ROUNDTABLE_LOG": "warn", "ROUNDTABLE_DATABASE_URL": url,
               "ROUNDTABLE_MAIL__TRANSPORT": "memory", "ROUNDTABLE_UPLOADS__DIR": f"{work}/photos"}
        for addr in ADDRS:
            # No scheduler: the agenda builds are measured below, one per community.
            servers.append(subprocess.Popen([binary, "serve", "--listen", addr, "--no-scheduler"], env=env,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for addr in ADDRS:
            wait_up(f"http://{addr}/healthz")
        apis = [f"http://{a}/api/v1" for a in ADDRS]

        def sign_in(login):
            return call("POST", f"{apis[0]}/auth/token", body={"login": login, "password": PASSWORD})["token"]

        people = []
        for c in range(COMMUNITIES):
            sec, wy = sign_in(f"sec{c}@district.example"), sign_in(f"wy{c}@district.example")
            compound = call("GET", f"{apis[0]}/compounds", sec)[0]["id"]
            org = [o for o in call("GET", f"{apis[0]}/organisations", sec) if o["kind"] == "property_company"][0]["id"]
            people.append((sec, wy, compound, org))
        street = sign_in("street@district.example")

        # Through both instances: TEMPLATES a community taken to verified, OPEN raised and
        # assigned; bounded by those counts.
        assigned = [[] for _ in range(COMMUNITIES)]
        failures = []
        due = time.strftime("%Y-%m-%d", time.localtime(time.time() + 7 * 86400))

        def seed(worker):
            templates = TEMPLATES * COMMUNITIES
            for n in range(worker, templates + OPEN, THREADS):
                c = n % COMMUNITIES
                sec, wy, compound, org = people[c]
                api = apis[n % 2]
                try:
                    issue = call("POST", f"{api}/issues", sec, {"title": f"第{n}号：楼道灯不亮",
                                                               "category": "facilities", "compound": compound})
                    path = f"{api}/issues/{issue['id']}/transitions"
                    done = call("POST", path, sec, {"transition": "assign", "version": 1, "responsible_org": org})
                    if n >= templates:
                        assigned[c].append(done)
                        continue
                    call("POST", path, wy, {"transition": "commit", "version": 2, "commitment_text": "本周内更换",
                                            "due_date": due})
                    call("POST", path, wy, {"transition": "resolve", "version": 3, "resolution_note": "已更换"})
                    call("POST", path, sec, {"transition": "verify", "version": 4, "satisfaction": 1 + n % 5})
                except Exception as e:  # counted, not retried: the count stays fixed
                    failures.append(str(e))

        began = time.time()
        threads = [threading.Thread(target=seed, args=(w,)) for w in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.time() - began
        print(f"{TEMPLATES * COMMUNITIES} issues verified and {OPEN} raised and assigned through the API "
              f"in {took:.0f} s, {len(failures)} failed")
        history = ISSUES - OPEN - TEMPLATES * COMMUNITIES
        if history > 0:
            began = time.time()
            copy_history(url, -(-history // (TEMPLATES * COMMUNITIES)))
            print(f"history copied by SQL in {time.time() - began:.0f} s")
        out = subprocess.run(["psql", url, "-Atc", "SELECT count(*), count(*) FILTER (WHERE state = 'verified'), "
                              "(SELECT count(*) FROM issue_events) FROM issues"],
                             check=True, capture_output=True, text=True).stdout.strip()
        print(f"the tracker: issues|verified|steps = {out}")

        # The measurements: sequential requests, alternating instances.
        lists, gets, commits, builds, streets = [], [], [], [], []
        for i in range(200):
            sec, wy, _, _ = people[i % COMMUNITIES]
            api = apis[i % 2]
            timed(lists, lambda: call("GET", f"{api}/issues?limit=50", sec))
            issue = assigned[i % COMMUNITIES][i // COMMUNITIES]
            timed(gets, lambda: call("GET", f"{api}/issues/{issue['id']}", sec))
            body = {"transition": "commit", "version": issue["version"], "commitment_text": "本周内更换灯泡",
                    "due_date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 7 * 86400))}
            timed(commits, lambda: call("POST", f"{api}/issues/{issue['id']}/transitions", wy, body))
        next_slot = call("GET", f"{apis[0]}/meetings/next", people[0][0])["slot"]
        for c in range(COMMUNITIES):
            sec = people[c][0]
            timed(builds, lambda: call("POST", f"{apis[c % 2]}/meetings/slots/{next_slot}/agenda", sec))
        for i in range(20):
            timed(streets, lambda: call("GET", f"{apis[i % 2]}/street", street))
        print(f"PostgreSQL, {COMMUNITIES} communities, {out.split('|')[0]} issues ({OPEN} open), two instances, one run:")
        report("list (50 issues)", lists)
        report("get one issue", gets)
        report("transition (commit)", commits)
        report("agenda build (one community)", builds)
        report("street comparison", streets)
    finally:
        for s in servers:
            s.terminate()
            s.wait()
        if os.environ.get("KEEP"):
            print(f"kept the database {url} (KEEP is set)")
        else:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
