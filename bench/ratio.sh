#!/bin/sh
# Translate against a bare tonic echo server (issue 33): the 1 KB brief of bench/grpc_body.py,
# one h2load connection with 16 concurrent streams, runs alternated in one session (echo,
# Translate full view, Translate compact view; ROUNDS rounds), then the median requests/s and
# p99 of each and the ratios to the echo's median. The echo server (examples/echo_server.rs)
# answers the same TranslateRequest with its text as one rendering: tonic, h2 and the kernel
# without any of broker's work.
#   bench/ratio.sh [REQUESTS_PER_RUN] [ROUNDS]        (default 20000, 5)
#   BROKER=target/release/broker ECHO=target/release/examples/echo_server bench/ratio.sh
# Needs h2load (Debian nghttp2-client). Servers listen on free ports and stop at exit.
set -eu
cd "$(dirname "$0")/.."
N=${1:-20000}
ROUNDS=${2:-5}
command -v h2load >/dev/null || apt-get install -y nghttp2-client >/dev/null
BROKER=${BROKER:-}
ECHO=${ECHO:-}
if [ -z "$BROKER" ] || [ -z "$ECHO" ]; then
    cargo build --release --bin broker --example echo_server
    BROKER=${BROKER:-target/release/broker}
    ECHO=${ECHO:-target/release/examples/echo_server}
fi
OUT=bench/out/grpc
python3 bench/grpc_body.py "$OUT" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return
        sleep 0.2
    done
}
BPORT=$(free_port)
EPORT=$(free_port)
timeout 1800 "$BROKER" serve --addr "127.0.0.1:$BPORT" >"$OUT/ratio-serve.log" 2>&1 &
BPID=$!
timeout 1800 "$ECHO" "127.0.0.1:$EPORT" >"$OUT/ratio-echo.log" 2>&1 &
EPID=$!
trap 'kill $BPID $EPID 2>/dev/null || true' EXIT INT TERM
wait_port "$BPORT"
wait_port "$EPORT"
for p in "$EPORT translate" "$BPORT translate" "$BPORT compact"; do
    set -- $p
    status=$(curl -s --http2-prior-knowledge -D - -o /dev/null -X POST \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$OUT/$2.bin" \
        "http://127.0.0.1:$1/broker.v1.Broker/Translate" | tr -d '\r' | sed -n 's/^grpc-status: *//p' | tail -1)
    [ "$status" = 0 ] || { echo "port $1 ($2) answered grpc-status ${status:-missing}" >&2; exit 1; }
done
RES=$OUT/ratio.tsv
: >"$RES"
for round in $(seq "$ROUNDS"); do
    for run in "echo $EPORT translate" "full $BPORT translate" "compact $BPORT compact"; do
        set -- $run
        log=$OUT/ratio-h2load.log; rm -f "$log"  # h2load appends
        res=$(h2load -n "$N" -c 1 -m 16 -d "$OUT/$3.bin" --log-file="$log" \
            -H 'content-type: application/grpc' -H 'te: trailers' \
            "http://127.0.0.1:$2/broker.v1.Broker/Translate")
        rps=$(echo "$res" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
        ok=$(echo "$res" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
        [ "$ok" = "$N" ] || echo "warning: $1: only $ok of $N requests answered 2xx" >&2
        p99=$(awk '{print $3}' "$log" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.99)]/1000}')
        printf '%s\t%s\t%s\t%s\n' "$round" "$1" "$rps" "$p99" >>"$RES"
    done
done
python3 - "$RES" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
by = {}
for r, name, rps, p99 in rows:
    by.setdefault(name, []).append((float(rps), float(p99)))
echo = statistics.median(x for x, _ in by["echo"])
print("| server | requests/s per round | median | p99 ms (median of rounds) | ratio to echo |")
print("|---|---|---|---|---|")
for name in ("echo", "full", "compact"):
    rps = [x for x, _ in by[name]]
    med = statistics.median(rps)
    p99 = statistics.median(p for _, p in by[name])
    label = {"echo": "tonic echo", "full": "broker Translate, full view",
             "compact": "broker Translate, compact view"}[name]
    print(f"| {label} | {', '.join(f'{x:,.0f}' for x in rps)} | {med:,.0f} | {p99:.2f} | {med / echo:.2f} |")
EOF
