#!/bin/sh
# Server CPU per request, and where it goes: Translate of the 1 KB brief (full view, and compact
# view as "Translate-compact"), Translate-plain (1 KB of prose without mentions) and GetGlossaryInfo, each at 16 concurrent streams on one h2load
# connection against its own `broker serve` run under `perf record -e cpu-clock` (a software
# clock: works in VMs without hardware counters). Prints requests/s, the server's CPU time per
# request and its split into matching, protobuf, allocation, memcpy, h2, tokio, kernel, other.
#   bench/cpu.sh [REQUESTS_PER_RUN]   (default 50000)
#   BROKER=target/release/broker bench/cpu.sh   (use that binary, do not build)
# Needs perf (Debian: apt-get install linux-perf) and h2load (nghttp2-client).
set -eu
cd "$(dirname "$0")/.."
N=${1:-50000}
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }
command -v h2load >/dev/null || apt-get install -y nghttp2-client >/dev/null
BROKER=${BROKER:-}
[ -n "$BROKER" ] || { cargo build --release; BROKER=target/release/broker; }
OUT=bench/out/grpc
python3 bench/grpc_body.py "$OUT"
printf '| method | requests/s | server CPU µs/request | split |\n|---|---|---|---|\n'
for run in "Translate translate" "Translate-compact compact" "Translate-plain plain" "GetGlossaryInfo info"; do
    set -- $run
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    perf record -q -e cpu-clock -F 4000 -o "$OUT/perf-$2.data" -- \
        timeout 300 "$BROKER" serve --addr "127.0.0.1:$PORT" >"$OUT/serve-$2.log" 2>&1 &
    for _ in $(seq 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
        sleep 0.2
    done
    res=$(h2load -n "$N" -c 1 -m 16 -d "$OUT/$2.bin" -H 'content-type: application/grpc' \
        -H 'te: trailers' "http://127.0.0.1:$PORT/broker.v1.Broker/${1%-*}")
    pkill -INT -f "broker serve --addr 127.0.0.1:$PORT" || true
    wait
    rps=$(echo "$res" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
    perf report -i "$OUT/perf-$2.data" --stdio --no-children -g none --sort dso,symbol 2>/dev/null |
        python3 -c '
import re, sys
n, rps, method = int(sys.argv[1]), sys.argv[2], sys.argv[3]
total, split = 0.0, {}
def kind(dso, k, sym):
    if k == "k": return "kernel"
    if "matcher" in sym or "render" in sym or "translate::translate" in sym: return "matching"
    if "prost" in sym or "pb::" in sym: return "protobuf"
    if re.match(r"_?mi_|__rust_(alloc|dealloc|realloc)", sym): return "alloc"
    if "memmove" in sym or "memcpy" in sym or "memset" in sym: return "memcpy"
    if "h2::" in sym or "hpack" in sym: return "h2"
    if "tokio" in sym: return "tokio"
    return "other"
for line in sys.stdin:
    if line.startswith("# Event count"):
        total = float(line.split(":")[1])
    m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
    if m:
        k = kind(m.group(2), m.group(3), m.group(4))
        split[k] = split.get(k, 0.0) + float(m.group(1))
us = total / 1e3 / n  # cpu-clock counts nanoseconds
parts = ", ".join(f"{k} {v * us / 100:.0f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1]))
print(f"| {method} | {rps} | {us:.0f} | {parts} |")
' "$N" "$rps" "$1"
done
