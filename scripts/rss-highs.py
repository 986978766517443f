#!/usr/bin/env python3
"""Where a running aidledger server's resident memory is at each of its highs.

Reads /proc/PID/status every 100 ms. At each new high (2 MiB above the last, from FLOOR MiB up)
it reads /proc/PID/smaps and the server's /metrics, and writes one line: the Go heap's mapping
(the largest anonymous one), the fastcache chunks of the chain's trie and snapshot caches
(anonymous mappings of exactly 64 MiB), every other anonymous mapping (SQLite's allocator, thread
stacks), file-backed memory (the program's code), and the Go runtime's heap figures. With
--pprof, it also saves a heap profile at each high from the server's --pprof-addr. Every 5 s it
writes the current and the highest RSS. Used for the twelfth session's section of
docs/benchmarks.md, beside scripts/bench-e2e.sh:

  scripts/rss-highs.py --match 'serve --data-dir /tmp/aidledger-bench-data' --out /tmp/highs &
  BENEFICIARIES=1000000 RUNS=1 RATES=500 BASELINE=0 PPROF=127.0.0.1:6060 scripts/bench-e2e.sh
"""
import argparse
import os
import re
import subprocess
import time
import urllib.request

HEAP_METRICS = ("go_memstats_heap_inuse_bytes", "go_memstats_heap_idle_bytes",
                "go_memstats_heap_released_bytes", "go_memstats_sys_bytes")


def find_pid(match):
    try:
        out = subprocess.check_output(["pgrep", "-f", match], text=True)
    except subprocess.CalledProcessError:
        return None
    pids = [int(p) for p in out.split() if int(p) != os.getpid()]
    return pids[0] if pids else None


def status_mib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(val.split()[0]) // 1024
    return out


def where(pid):
    """Resident MiB by kind of mapping."""
    maps = []  # (size KiB, name, rss KiB)
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", line)
            if m:
                maps.append([(int(m[2], 16) - int(m[1], 16)) // 1024, m[3], 0])
            elif line.startswith("Rss:") and maps:
                maps[-1][2] = int(line.split()[1])
    anon = [m for m in maps if not m[1] or m[1].startswith("[")]
    heap = max(anon, key=lambda m: m[2], default=[0, "", 0])
    fast = [m for m in anon if m is not heap and m[0] == 64 << 10]
    other = [m for m in anon if m is not heap and m not in fast]
    files = [m for m in maps if m[1] and not m[1].startswith("[")]
    mib = lambda ms: sum(m[2] for m in ms) // 1024
    return {"go_heap_map": heap[2] // 1024, "fastcache": mib(fast), "other_anon": mib(other),
            "other_anon_maps": len(other), "file": mib(files)}


def metrics(addr):
    try:
        text = urllib.request.urlopen(f"http://{addr}/metrics", timeout=2).read().decode()
    except OSError as e:
        return f"metrics: {e}"
    vals = []
    for line in text.splitlines():
        name, _, val = line.partition(" ")
        if name in HEAP_METRICS:
            vals.append(f"{name.removeprefix('go_memstats_')}={float(val) / (1 << 20):.0f}M")
    return " ".join(vals)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--match", required=True, help="pgrep -f pattern of the server's command line")
    ap.add_argument("--out", required=True, help="directory for highs.txt and heap profiles")
    ap.add_argument("--addr", default="127.0.0.1:19180", help="the server's API address (for /metrics)")
    ap.add_argument("--pprof", default="", help="the server's --pprof-addr, to save heap profiles")
    ap.add_argument("--floor", type=int, default=380, help="MiB below which highs are not recorded")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "highs.txt"), "a", buffering=1)
    pid, high, profiles, last = None, 0, 0, 0.0
    while True:
        if pid is None or not os.path.exists(f"/proc/{pid}"):
            pid, high = find_pid(args.match), 0
            if pid is None:
                time.sleep(0.5)
                continue
            log.write(f"{time.strftime('%T')} pid {pid}\n")
        try:
            st = status_mib(pid)
        except OSError:
            pid = None
            continue
        now = time.time()
        if now - last >= 5:
            log.write(f"{time.strftime('%T')} rss={st['VmRSS']} hwm={st['VmHWM']} anon={st['RssAnon']} file={st['RssFile']}\n")
            last = now
        if st["VmRSS"] >= max(args.floor, high + 2):
            high = st["VmRSS"]
            try:
                w = where(pid)
            except OSError:
                continue
            log.write(f"{time.strftime('%T')} HIGH rss={high} {w} {metrics(args.addr)}\n")
            if args.pprof and profiles < 40:
                profiles += 1
                try:
                    data = urllib.request.urlopen(f"http://{args.pprof}/debug/pprof/heap", timeout=5).read()
                    with open(os.path.join(args.out, f"heap-{profiles:02d}-{high}MiB.pb.gz"), "wb") as f:
                        f.write(data)
                except OSError as e:
                    log.write(f"heap profile: {e}\n")
        time.sleep(0.1)


if __name__ == "__main__":
    main()
