#!/bin/sh
# Two broker binaries against each other, alternated (issue 31: "Translate rps and end-to-end
# speed within 5%"): Translate of the 1 KB brief of bench/grpc_body.py (full view, marketing
# reader, inline), one h2load connection with 16 concurrent streams, before and after in turn
# (ROUNDS rounds; odd rounds before first, even rounds after first, A B B A A B ..., so that a
# load that rises or falls during the runs does not favour one side), then `broker translate
# --for both --format none --json` on the 10 MB corpus of bench/gen.py with the g10k glossary,
# before and after in turn (E2E_ROUNDS rounds, ordered the same way). Each run records the
# 1-minute load average, and CPU time besides wall time (less moved by other processes than
# requests/s: the server's user+system time over each h2load run, from /proc, per request; the
# CLI's user+system time). Prints the median requests/s and p99 of each binary, the median MB/s
# and peak RSS end to end, the ratio of the medians and the median of the rounds' own
# after/before ratios; the raw runs go to bench/out/pair/LABEL.tsv.
#   bench/pair.sh LABEL BEFORE AFTER [ROUNDS] [REQUESTS_PER_RUN] [E2E_ROUNDS]
#                                     (default 7, 20000, 5)
# BEFORE and AFTER are `broker` binaries. Both servers run at once on free ports (an idle one
# costs nothing) and stop at exit. First it checks that both answer the brief with grpc-status 0
# and the same bytes, and (first end-to-end round) that both write the same JSON.
# Needs h2load (Debian nghttp2-client), curl, /usr/bin/time, and `python3 bench/gen.py` run.
set -eu
cd "$(dirname "$0")/.."
LABEL=$1
A=$2
B=$3
ROUNDS=${4:-7}
N=${5:-20000}
E2E_ROUNDS=${6:-5}
command -v h2load >/dev/null || apt-get install -y nghttp2-client >/dev/null
CORPUS=bench/out/corpus.txt
GLOSSARY=bench/out/g10k
[ -f "$CORPUS" ] && [ -d "$GLOSSARY" ] || { echo "run python3 bench/gen.py first" >&2; exit 1; }
OUT=bench/out/pair
mkdir -p "$OUT"
python3 bench/grpc_body.py bench/out/grpc >/dev/null
BODY=bench/out/grpc/translate.bin
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return
        sleep 0.2
    done
}
load1() { cut -d' ' -f1 /proc/loadavg; }
# user+system CPU of a process in clock ticks (fields 14 and 15 of /proc/PID/stat)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
APORT=$(free_port)
BPORT=$(free_port)
timeout 3600 "$A" serve --addr "127.0.0.1:$APORT" >"$OUT/$LABEL-serve-before.log" 2>&1 &
APID=$!
timeout 3600 "$B" serve --addr "127.0.0.1:$BPORT" >"$OUT/$LABEL-serve-after.log" 2>&1 &
BPID=$!
trap 'kill $APID $BPID 2>/dev/null || true' EXIT INT TERM
wait_port "$APORT"
wait_port "$BPORT"
# the servers themselves (children of `timeout`)
ASRV=$(pgrep -P "$APID")
BSRV=$(pgrep -P "$BPID")
HZ=$(getconf CLK_TCK)
url() { echo "http://127.0.0.1:$1/broker.v1.Broker/Translate"; }
# grpc-status 0 and the same response bytes from both (this also warms each server up: the
# glossary profiles are built at the first text that needs them).
for side in "before $APORT" "after $BPORT"; do
    set -- $side
    status=$(curl -s --http2-prior-knowledge -D - -o "$OUT/$LABEL-$1.grpc" -X POST \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$BODY" "$(url "$2")" |
        tr -d '\r' | sed -n 's/^grpc-status: *//p' | tail -1)
    [ "$status" = 0 ] || { echo "$1 answered grpc-status ${status:-missing}" >&2; exit 1; }
done
if cmp -s "$OUT/$LABEL-before.grpc" "$OUT/$LABEL-after.grpc"; then same=identical; else same=DIFFERENT; fi
echo "Translate of the brief: responses $same ($(wc -c <"$OUT/$LABEL-after.grpc") bytes after)"
RES=$OUT/$LABEL.tsv
: >"$RES"
order() { if [ $(($1 % 2)) = 1 ]; then echo "$2" "$3"; else echo "$3" "$2"; fi; }
for round in $(seq "$ROUNDS"); do
    for side in $(order "$round" "before:$APORT:$ASRV" "after:$BPORT:$BSRV"); do
        side=$(echo "$side" | tr : ' ')
        set -- $side
        c0=$(ticks "$3")
        log=$OUT/$LABEL-h2load.log; rm -f "$log"  # h2load appends
        l=$(load1)
        res=$(h2load -n "$N" -c 1 -m 16 -d "$BODY" --log-file="$log" \
            -H 'content-type: application/grpc' -H 'te: trailers' "$(url "$2")")
        rps=$(echo "$res" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
        ok=$(echo "$res" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
        [ "$ok" = "$N" ] || echo "warning: $1: only $ok of $N requests answered 2xx" >&2
        c1=$(ticks "$3")
        p99=$(awk '{print $3}' "$log" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.99)]/1000}')
        us=$(python3 -c "print(f'{($c1 - $c0) / $HZ * 1e6 / $N:.1f}')")
        printf 'rps\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$rps" "$p99" "$l" "$(date -u +%T)" "$us" | tee -a "$RES"
    done
done
kill $APID $BPID 2>/dev/null || true
BYTES=$(wc -c <"$CORPUS")
for round in $(seq "$E2E_ROUNDS"); do
    for side in $(order "$round" "before:$A" "after:$B"); do
        side=$(echo "$side" | tr : ' ')
        set -- $side
        l=$(load1)
        t0=$(date +%s%N)
        /usr/bin/time -f '%M %U %S' -o "$OUT/$LABEL-rss" "$2" translate --glossary "$GLOSSARY" --for both \
            --format none --json --max-text-bytes $((BYTES + 1)) <"$CORPUS" >"$OUT/$LABEL-$1.json"
        t1=$(date +%s%N)
        mbs=$(python3 -c "print(f'{$BYTES / 1e6 / (($t1 - $t0) / 1e9):.2f}')")
        set -- "$1" $(tail -1 "$OUT/$LABEL-rss")
        cpu=$(python3 -c "print(f'{$3 + $4:.2f}')")
        printf 'e2e\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$mbs" "$2" "$l" "$(date -u +%T)" "$cpu" | tee -a "$RES"
    done
    if [ "$round" = 1 ]; then
        if cmp -s "$OUT/$LABEL-before.json" "$OUT/$LABEL-after.json"; then same=identical; else same=DIFFERENT; fi
        echo "translate --json on the corpus: outputs $same"
    fi
done
python3 - "$RES" "$LABEL" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
def col(kind, side, i):
    return [float(r[i]) for r in rows if r[0] == kind and r[2] == side]
med = statistics.median
print(f"\n{sys.argv[2]}")
print("| | before | after | after / before |")
print("|---|---|---|---|")
def paired(kind):
    return med(a / b for a, b in zip(col(kind, "after", 3), col(kind, "before", 3)))
rb, ra = col("rps", "before", 3), col("rps", "after", 3)
print(f"| Translate req/s, median ({len(rb)} + {len(ra)} runs) | {med(rb):,.0f} | {med(ra):,.0f} | {med(ra) / med(rb):.3f} (median of the rounds' ratios {paired('rps'):.3f}) |")
print(f"| … per run | {', '.join(f'{x:,.0f}' for x in rb)} | {', '.join(f'{x:,.0f}' for x in ra)} | |")
pb, pa = col("rps", "before", 4), col("rps", "after", 4)
cb, ca = col("rps", "before", 7), col("rps", "after", 7)
print(f"| server CPU µs per request, median | {med(cb):.0f} | {med(ca):.0f} | {med(ca) / med(cb):.3f} |")
print(f"| p99 ms, median of runs | {med(pb):.2f} | {med(pa):.2f} | {med(pa) / med(pb):.3f} |")
eb, ea = col("e2e", "before", 3), col("e2e", "after", 3)
print(f"| end to end MB/s, median ({len(eb)} + {len(ea)} runs) | {med(eb):.2f} | {med(ea):.2f} | {med(ea) / med(eb):.3f} (rounds' ratios {paired('e2e'):.3f}) |")
print(f"| … per run | {', '.join(f'{x:.2f}' for x in eb)} | {', '.join(f'{x:.2f}' for x in ea)} | |")
ub, ua = col("e2e", "before", 7), col("e2e", "after", 7)
print(f"| end to end CPU s (user + system), median | {med(ub):.2f} | {med(ua):.2f} | {med(ua) / med(ub):.3f} |")
sb, sa = col("e2e", "before", 4), col("e2e", "after", 4)
print(f"| peak RSS MB, median | {med(sb) / 1024:.1f} | {med(sa) / 1024:.1f} | |")
loads = [float(r[5]) for r in rows]
print(f"| load average (1 min) at the runs | {min(loads):.2f}–{max(loads):.2f} | | |")
EOF
