#!/usr/bin/env python3
"""How long does the ledger (台账) of 100,000 issues take, as CSV and as XLSX, and how much memory?

    python3 bench/ledger_export.py          # ISSUES=100000 by default

Starts roundtable's demo (release build; ROUNDTABLE_BENCH_BIN for another binary) on a
fresh SQLite file on 127.0.0.1, raises ISSUES issues through the API (a fixed count, 8
threads, each request with a timeout), then downloads the secretary's ledger
(`GET /api/v1/issues/ledger`) once, reading it as it streams. Prints the raising rate, the
export's time, rows and bytes, and the server's memory before and after: its own (RssAnon,
heap and stacks, sampled every 20 ms for the export's peak) and in all (VmRSS, VmHWM — the
peak reset just before the export through /proc/PID/clear_refs — which count the pages of
the SQLite file read through its memory map, `database.sqlite_mmap_mib`).
"""

import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request

from common import OwnPeak, call, memory, own_memory, start_demo

ISSUES = int(os.environ.get("ISSUES", "100000"))
THREADS = 8
ADDR = "127.0.0.1:18095"


def main():
    work = tempfile.mkdtemp(prefix="rt-bench-")
    server = start_demo(work, ADDR, {"ROUNDTABLE_DATABASE__SYNCHRONOUS": "normal"})
    try:
        api = f"http://{ADDR}/api/v1"
        token = call("POST", f"{api}/auth/token", body={"login": "secretary@dongsheng.example", "password": "demo1234"})["token"]
        compounds = [c["id"] for c in call("GET", f"{api}/compounds", token)]
        failures = []

        def raise_some(start, count):
            for n in range(start, start + count):
                body = {"title": f"第{n}号问题：楼道灯不亮", "description": "晚上看不清台阶，老人容易摔倒。",
                        "category": "facilities", "compound": compounds[n % len(compounds)]}
                try:
                    call("POST", f"{api}/issues", token, body)
                except Exception as e:  # counted, not retried: the count stays fixed
                    failures.append(str(e))

        began = time.time()
        share = ISSUES // THREADS
        threads = [threading.Thread(target=raise_some, args=(i * share, share)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        raised = time.time() - began
        print(f"raised {share * THREADS - len(failures)} issues in {raised:.0f} s ({share * THREADS / raised:.0f}/s), "
              f"{len(failures)} failed")
        rss, peak = memory(server.pid)
        print(f"before the export: own {own_memory(server.pid)} MiB; RSS {rss} MiB, peak so far {peak} MiB")
        with open(f"/proc/{server.pid}/clear_refs", "w") as f:
            f.write("5")
        req = urllib.request.Request(f"{api}/issues/ledger")
        req.add_header("Authorization", "Bearer " + token)
        began = time.time()
        first = None
        size = rows = 0
        with OwnPeak(server.pid) as own, urllib.request.urlopen(req, timeout=600) as r:
            while True:
                chunk = r.read(1 << 16)
                if not chunk:
                    break
                first = first or time.time() - began
                size += len(chunk)
                rows += chunk.count(b"\n")
        took = time.time() - began
        rss, peak = memory(server.pid)
        print(f"ledger: {rows - 1} rows, {size / (1 << 20):.1f} MiB in {took:.1f} s "
              f"({(rows - 1) / took:.0f} rows/s), first bytes after {first * 1000:.0f} ms")
        print(f"during the export: own peak {own.peak} MiB; RSS now {rss} MiB, peak {peak} MiB")
        # The same ledger as an Excel workbook (spooled rows, zipped at the end).
        with open(f"/proc/{server.pid}/clear_refs", "w") as f:
            f.write("5")
        req = urllib.request.Request(f"{api}/issues/ledger.xlsx")
        req.add_header("Authorization", "Bearer " + token)
        began = time.time()
        with OwnPeak(server.pid) as own, urllib.request.urlopen(req, timeout=600) as r:
            size = len(r.read())
        took = time.time() - began
        rss, peak = memory(server.pid)
        print(f"workbook: {size / (1 << 20):.1f} MiB in {took:.1f} s; own peak {own.peak} MiB; "
              f"RSS now {rss} MiB, peak {peak} MiB")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
