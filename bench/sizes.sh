#!/bin/sh
# Response sizes, full view against compact view (SPEC §5 `view`), over gRPC and HTTP/JSON:
# the 1 KB brief of bench/load.sh and the same brief repeated to a 3 MB document.
#   bench/sizes.sh                               (builds the release binary)
#   BROKER=target/release/broker bench/sizes.sh  (use that binary)
# Starts `broker serve --max-text-bytes 4194304` (embedded glossary) on a free port, stops it at
# exit. Prints a Markdown table: bytes of the gRPC message (frame payload) and of the JSON body.
set -eu
cd "$(dirname "$0")/.."
BROKER=${BROKER:-}
[ -n "$BROKER" ] || { cargo build --release; BROKER=target/release/broker; }
OUT=bench/out/grpc
python3 bench/grpc_body.py "$OUT" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout 600 "$BROKER" serve --addr "127.0.0.1:$PORT" --max-text-bytes 4194304 >"$OUT/sizes-serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
    sleep 0.2
done
# JSON bodies: the texts of the gRPC bodies, read back from them (field 1 of the frame).
python3 - "$OUT" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
def text_of(frame):
    msg = frame[5:]
    assert msg[0] == 0x0a
    n, shift, i = 0, 0, 1
    while True:
        b = msg[i]; i += 1
        n |= (b & 0x7f) << shift; shift += 7
        if not b & 0x80:
            break
    return msg[i:i + n].decode()
for name, src in (("brief", "translate.bin"), ("doc", "doc-full.bin")):
    text = text_of((out / src).read_bytes())
    for view in ("full", "compact"):
        body = {"text": text, "audience": "marketing", "format": "inline", "view": view}
        (out / f"{name}-{view}.json").write_text(json.dumps(body))
EOF
grpc_bytes() {  # body file -> bytes of the response message (frame header excluded)
    curl -s --http2-prior-knowledge -o "$OUT/resp.bin" -X POST -H 'content-type: application/grpc' \
        -H 'te: trailers' --data-binary @"$1" "http://127.0.0.1:$PORT/broker.v1.Broker/Translate"
    echo $(($(stat -c %s "$OUT/resp.bin") - 5))
}
json_bytes() {
    curl -s -o "$OUT/resp.json" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary @"$1" "http://127.0.0.1:$PORT/v1/translate" >"$OUT/code"
    [ "$(cat "$OUT/code")" = 200 ] || { echo "HTTP $(cat "$OUT/code") for $1" >&2; exit 1; }
    stat -c %s "$OUT/resp.json"
}
printf '| text | view | gRPC response bytes | JSON response bytes |\n|---|---|---|---|\n'
for name in brief doc; do
    for view in full compact; do
        case $name-$view in
            brief-full) bin=translate.bin ;; brief-compact) bin=compact.bin ;;
            doc-full) bin=doc-full.bin ;; doc-compact) bin=doc-compact.bin ;;
        esac
        echo "| $name | $view | $(grpc_bytes "$OUT/$bin") | $(json_bytes "$OUT/$name-$view.json") |"
    done
done
