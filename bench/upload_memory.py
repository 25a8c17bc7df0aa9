#!/usr/bin/env python3
"""How much memory do photo uploads take? (issue 15: "the server's memory stays bounded")

    python3 bench/upload_memory.py

Starts roundtable's demo (release build; ROUNDTABLE_BENCH_BIN for another binary) on a
fresh SQLite file with its photos in a temporary directory, on 127.0.0.1 only, and sends,
as a resident:
  1. one photo of the largest size accepted (a 6000 x 4000 PNG: 24 million pixels, the
     default uploads.max_pixels), to see what a single decode costs;
  2. ROUNDS rounds of CONCURRENT requests at once, each with six such photos;
  3. the hostile uploads: a 20,000 x 20,000 decompression bomb, a 30 MiB body, a truncated
     PNG, a PHP script named .jpg.
After each step it prints the server's resident memory now (VmRSS) and its peak so far
(VmHWM, from /proc). Every request has a timeout; the number of requests is fixed.
Environment: CONCURRENT (default 4), ROUNDS (default 2), CARGO_TARGET_DIR.
"""

import os
import shutil
import struct
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import zlib

from common import call, memory, start_demo

CONCURRENT = int(os.environ.get("CONCURRENT", "4"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
ADDR = "127.0.0.1:18094"
MIB = 1024 * 1024


def png(width, height, rows=None):
    """A PNG of a smooth pattern (it compresses as a photo of a wall would), made with zlib
    alone; `rows` limits the pixel data written (the rest is missing: a bomb)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    line = b"\0" + bytes((x * 7) % 256 for x in range(width * 3))
    count = height if rows is None else rows
    data = zlib.compress(line * count, 6)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def multipart(files):
    boundary = "----roundtable-bench-7d1f"
    body = b""
    for name, content_type, data in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\n"
                 f"Content-Type: {content_type}\r\n\r\n").encode() + data + b"\r\n"
    return f"multipart/form-data; boundary={boundary}", body + f"--{boundary}--\r\n".encode()


def upload(api, token, files):
    content_type, body = multipart(files)
    req = urllib.request.Request(f"{api}/photos", method="POST", data=body)
    req.add_header("Content-Type", content_type)
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError):
        return "closed"


def main():
    work = tempfile.mkdtemp(prefix="rt-bench-")
    server = start_demo(work, ADDR)
    try:
        api = f"http://{ADDR}/api/v1"
        token = call("POST", f"{api}/auth/token", body={"login": "resident@dongsheng.example", "password": "demo1234"})["token"]
        rss, peak = memory(server.pid)
        print(f"{'step':<52} {'answers':<22} {'RSS MiB':>8} {'peak MiB':>9}")
        print(f"{'started, demo seeded':<52} {'':<22} {rss:>8} {peak:>9}")
        big = png(6000, 4000)
        print(f"(a 6000 x 4000 PNG is {len(big) / MIB:.1f} MiB)")

        def step(name, answers):
            rss, peak = memory(server.pid)
            print(f"{name:<52} {answers:<22} {rss:>8} {peak:>9}")

        step("one 24-megapixel photo", str(upload(api, token, [("wall.png", "image/png", big)])))
        # Each request leaves six unattached photos; the ops cap (24 per user) would refuse
        # later rounds, so each round signs in a different resident.
        for r in range(ROUNDS):
            results = []
            def send(login):
                t = call("POST", f"{api}/auth/token", body={"login": login, "password": "demo1234"})["token"]
                results.append(upload(api, t, [(f"p{i}.png", "image/png", big) for i in range(6)]))
            threads = [threading.Thread(target=send, args=(f"resident{r * CONCURRENT + i + 1}@dongsheng.example",))
                       for i in range(CONCURRENT)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            step(f"round {r + 1}: {CONCURRENT} x six 24-megapixel photos at once", ",".join(map(str, sorted(results, key=str))))
        hostile = [
            ("20,000 x 20,000 decompression bomb", [("bomb.png", "image/png", png(20000, 20000, rows=1))]),
            ("30 MiB body", [("big.jpg", "image/jpeg", b"\xff\xd8\xff" + b"\0" * (30 * MIB))]),
            ("truncated PNG", [("cut.png", "image/png", big[: len(big) // 2])]),
            ("PHP script named .jpg", [("x.jpg", "image/jpeg", b"<?php system($_GET['c']); ?>")]),
        ]
        for name, files in hostile:
            step(name, str(upload(api, token, files)))
        stored = sum(len(f) for _, _, f in os.walk(f"{work}/photos"))
        print(f"files stored: {stored}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
