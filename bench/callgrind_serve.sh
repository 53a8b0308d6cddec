#!/bin/sh
# Instructions a `broker serve` executes per Translate of the 1 KB brief (bench/grpc_body.py,
# full view), counted by callgrind: does not depend on the machine's load, unlike requests/s.
# The server runs under valgrind; one request warms it up (the glossary profiles are built at
# the first text that needs them), the counters are zeroed, REQUESTS requests follow on one
# h2load connection with 16 streams, and the counters are dumped. Prints the instructions per
# request and writes the dump to bench/out/pair/callgrind-LABEL.out (`callgrind_annotate
# --inclusive=yes` on it says where they go).
#   bench/callgrind_serve.sh LABEL BROKER [REQUESTS]   (default 1000)
#   CALLGRIND_ARGS='--cache-sim=yes --LL=2097152,16,64' bench/callgrind_serve.sh ...  (simulated
#   cache misses too: the summary line then also holds D1/LL read and write misses)
# Needs valgrind, h2load (nghttp2-client) and curl.
set -eu
cd "$(dirname "$0")/.."
LABEL=$1
BIN=$2
N=${3:-1000}
OUT=bench/out/pair
mkdir -p "$OUT"
python3 bench/grpc_body.py bench/out/grpc >/dev/null
BODY=bench/out/grpc/translate.bin
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$OUT/callgrind-$LABEL".out*
valgrind --tool=callgrind ${CALLGRIND_ARGS:-} --callgrind-out-file="$OUT/callgrind-$LABEL.out" \
    "$BIN" serve --addr "127.0.0.1:$PORT" >"$OUT/callgrind-$LABEL.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 600); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
    sleep 0.5
done
URL=http://127.0.0.1:$PORT/broker.v1.Broker/Translate
status=$(curl -s --http2-prior-knowledge -D - -o /dev/null -X POST -H 'content-type: application/grpc' \
    -H 'te: trailers' --data-binary @"$BODY" "$URL" | tr -d '\r' | sed -n 's/^grpc-status: *//p' | tail -1)
[ "$status" = 0 ] || { echo "warm-up answered grpc-status ${status:-missing}" >&2; exit 1; }
callgrind_control -z "$VPID" >/dev/null 2>&1
res=$(h2load -n "$N" -c 1 -m 16 -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers' "$URL")
ok=$(echo "$res" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
[ "$ok" = "$N" ] || echo "warning: only $ok of $N requests answered 2xx" >&2
callgrind_control -d "$VPID" >/dev/null 2>&1
kill $VPID 2>/dev/null || true
wait $VPID 2>/dev/null || true
dump=$(ls -t "$OUT/callgrind-$LABEL".out.* 2>/dev/null | head -1)
[ -n "$dump" ] || { echo "no callgrind dump" >&2; exit 1; }
mv "$dump" "$OUT/callgrind-$LABEL.out"
ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$OUT/callgrind-$LABEL.out" | head -1)
[ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$OUT/callgrind-$LABEL.out" | head -1)
echo "$LABEL: $ir instructions for $N requests, $((ir / N)) per request"
grep -E '^(events|summary):' "$OUT/callgrind-$LABEL.out"
