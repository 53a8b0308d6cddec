#!/bin/sh
# Server load with h2load (Debian nghttp2-client): Translate of a 1 KB brief (full and compact
# view: "Translate-compact"), Translate of 1 KB
# of prose that mentions no term ("Translate-plain": the request without its annotations) and
# GetGlossaryInfo, 1 connection with 1, 16 and 64 concurrent streams; requests/s, p50, p99.
#   bench/load.sh [REQUESTS_PER_RUN]   (default 20000)
#   BROKER=target/release/broker bench/load.sh   (use that binary, do not build)
# Starts `broker serve` (release build, embedded glossary) on a free port and stops it at exit.
# h2load counts HTTP 2xx only, so grpc-status is checked first with curl (trailers).
set -eu
cd "$(dirname "$0")/.."
N=${1:-20000}
command -v h2load >/dev/null || apt-get install -y nghttp2-client >/dev/null
BROKER=${BROKER:-}
[ -n "$BROKER" ] || { cargo build --release; BROKER=target/release/broker; }
OUT=bench/out/grpc
python3 bench/grpc_body.py "$OUT"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout 600 "$BROKER" serve --addr "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
    sleep 0.2
done
URL=http://127.0.0.1:$PORT/broker.v1.Broker
body_of() {
    case $1 in
        Translate) echo "$OUT/translate.bin" ;;
        Translate-compact) echo "$OUT/compact.bin" ;;
        Translate-plain) echo "$OUT/plain.bin" ;;
        *) echo "$OUT/info.bin" ;;
    esac
}
for m in Translate Translate-compact Translate-plain GetGlossaryInfo; do
    body=$(body_of $m)
    status=$(curl -s --http2-prior-knowledge -D - -o /dev/null -X POST \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$body" "$URL/${m%-*}" |
        tr -d '\r' | sed -n 's/^grpc-status: *//p' | tail -1)
    echo "$m: grpc-status ${status:-missing}"
    [ "$status" = 0 ] || { echo "$m did not answer grpc-status 0" >&2; exit 1; }
done
printf '| method | streams | requests/s | p50 ms | p99 ms |\n|---|---|---|---|---|\n'
for m in Translate Translate-compact Translate-plain GetGlossaryInfo; do
    body=$(body_of $m)
    for streams in 1 16 64; do
        log=$OUT/h2load-$m-$streams.log; rm -f "$log"  # h2load appends
        res=$(h2load -n "$N" -c 1 -m "$streams" -d "$body" --log-file="$log" \
            -H 'content-type: application/grpc' -H 'te: trailers' "$URL/${m%-*}")
        rps=$(echo "$res" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
        ok=$(echo "$res" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
        [ "$ok" = "$N" ] || echo "warning: only $ok of $N requests answered 2xx" >&2
        # The log holds: start time (µs), HTTP status, duration (µs) per request.
        pct=$(awk '{print $3}' "$log" | sort -n | awk '{a[NR]=$1} END {
            printf "%.2f | %.2f", a[int(NR*0.50)]/1000, a[int(NR*0.99)]/1000 }')
        echo "| $m | $streams | $rps | $pct |"
    done
done
