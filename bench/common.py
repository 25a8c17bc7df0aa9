"""What the load and soak scripts share: HTTP calls, starting roundtable's demo beside the
raw axum+SQLite baseline on loopback, and signing in."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(method, url, token=None, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def wait_up(url):
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"{url} did not come up")


def start_servers(target, work, rt_addr, base_addr, binary=None, database=None, base_database=None):
    """The baseline and roundtable's demo on fresh SQLite files in `work` (each on the
    PostgreSQL database `database`, `base_database` instead, when given); returns both
    processes (baseline first) once they answer, the secretary's token and a compound id."""
    binary = binary or f"{target}/release/roundtable"
    database = database or f"sqlite://{work}/rt.db"
    procs = [
        subprocess.Popen([f"{target}/release/roundtable-bench-baseline", base_database or f"{work}/base.db", base_addr],
                         stdout=subprocess.DEVNULL),
        subprocess.Popen([binary, "demo", "--database", database, "--listen", rt_addr], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, "ROUNDTABLE_LOG": "warn"}),
    ]
    try:
        wait_up(f"http://{rt_addr}/healthz")
        wait_up(f"http://{base_addr}/items")
    except SystemExit:
        stop(procs)
        raise
    api = f"http://{rt_addr}/api/v1"
    token = call("POST", f"{api}/auth/token", body={"login": "secretary@dongsheng.example", "password": "demo1234"})["token"]
    compound = call("GET", f"{api}/compounds", token)[0]["id"]
    return procs, token, compound


def cpu_seconds(pid):
    """The CPU time a process has used so far (user and system)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(procs, quiet=0.05, limit=120):
    """Waits until the processes are idle (together under `quiet` of a core over half a
    second), at most `limit` seconds, and returns the seconds waited: work a measurement
    leaves behind (the mail of ten seconds of assignments, say) must not be measured as
    part of the next one."""
    start = time.time()
    while time.time() - start < limit:
        before = sum(cpu_seconds(p.pid) for p in procs)
        time.sleep(0.5)
        if sum(cpu_seconds(p.pid) for p in procs) - before < quiet * 0.5:
            break
    return time.time() - start


def stop(procs):
    for p in procs:
        p.terminate()
        p.wait()


def release_binary():
    """roundtable's release binary (built now), or ROUNDTABLE_BENCH_BIN."""
    binary = os.environ.get("ROUNDTABLE_BENCH_BIN")
    if binary:
        return binary
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "-p", "roundtable-web"], cwd=ROOT, check=True)
    return f"{target}/release/roundtable"


def start_demo(work, addr, extra_env=None):
    """roundtable's demo on a fresh SQLite file in `work`, photos there too; returns the
    process once it answers."""
    env = {**os.environ, "ROUNDTABLE_LOG": "warn", "ROUNDTABLE_UPLOADS__DIR": f"{work}/photos", **(extra_env or {})}
    server = subprocess.Popen([release_binary(), "demo", "--database", f"sqlite://{work}/rt.db", "--listen", addr],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_up(f"http://{addr}/healthz")
    except SystemExit:
        server.terminate()
        raise
    return server


def own_memory(pid):
    """The process's own resident memory now (RssAnon: its heap and stacks), in MiB — not the
    pages of the SQLite file it reads through a memory map (RssFile), which VmRSS and VmHWM
    count too and the kernel drops when it needs them."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key == "RssAnon":
                return int(value.split()[0]) // 1024
    raise RuntimeError("no RssAnon in /proc/PID/status")


class OwnPeak:
    """The highest `own_memory` seen while the `with` block runs, sampled every 20 ms."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, own_memory(pid), threading.Event()

    def __enter__(self):
        def sample():
            while not self._stop.wait(0.02):
                self.peak = max(self.peak, own_memory(self.pid))
        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, own_memory(self.pid))


def memory(pid):
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) // 1024
    return fields["VmRSS"], fields["VmHWM"]
