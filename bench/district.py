#!/usr/bin/env python3
"""A street office's district on PostgreSQL: COMMUNITIES communities of one street (their
property companies shared by name, as companies serve several), ISSUES issues raised and
assigned through two `roundtable serve` instances, then the reads and writes people make
measured through both (p50/p99 from one run):

    python3 bench/district.py        # COMMUNITIES=50 ISSUES=100000 by default; the target is 1,000,000

Needs the machine's PostgreSQL (PG, default postgres://postgres@127.0.0.1:5432/postgres):
the script makes and drops its own database. Every loop is bounded in count; each request
has a timeout; the servers listen on 127.0.0.1 only.
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
ISSUES = int(os.environ.get("ISSUES", "100000"))
COMPANIES = 10
THREADS = 8
PG = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432/postgres")
ADDRS = ["127.0.0.1:18101", "127.0.0.1:18102"]
PASSWORD = "district-pass"


def database_url(name):
    base, _, _ = PG.rpartition("/")
    return f"{base}/{name}"


def psql(sql):
    subprocess.run(["psql", PG, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def cli(binary, url, *args, stdin=None):
    subprocess.run([binary, *args, "--database", url], input=stdin, text=True, check=True, stdout=subprocess.DEVNULL)


def timed(samples, fn):
    began = time.perf_counter()
    fn()
    samples.append((time.perf_counter() - began) * 1000)


def report(name, samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<34} n={len(samples):<5} p50 {statistics.median(samples):7.1f} ms   p99 {p99:7.1f} ms")


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

        # Raised and assigned through both instances; bounded by ISSUES.
        assigned = [[] for _ in range(COMMUNITIES)]
        failures = []

        def seed(worker):
            for n in range(worker, ISSUES, THREADS):
                c = n % COMMUNITIES
                sec, _, compound, org = people[c]
                api = apis[n % 2]
                try:
                    issue = call("POST", f"{api}/issues", sec, {"title": f"第{n}号：楼道灯不亮",
                                                               "category": "facilities", "compound": compound})
                    done = call("POST", f"{api}/issues/{issue['id']}/transitions", sec,
                                {"transition": "assign", "version": 1, "responsible_org": org})
                    assigned[c].append(done)
                except Exception as e:  # counted, not retried: the count stays fixed
                    failures.append(str(e))

        began = time.time()
        threads = [threading.Thread(target=seed, args=(w,)) for w in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.time() - began
        print(f"{ISSUES} issues raised and assigned in {took:.0f} s ({ISSUES / took:.0f}/s), {len(failures)} failed")

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
        print(f"PostgreSQL, {COMMUNITIES} communities, {ISSUES} issues, two instances, one run:")
        report("list (50 issues)", lists)
        report("get one issue", gets)
        report("transition (commit)", commits)
        report("agenda build (one community)", builds)
        report("street comparison", streets)
    finally:
        for s in servers:
            s.terminate()
            s.wait()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
