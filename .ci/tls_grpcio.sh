#!/usr/bin/env bash
# A Python grpcio client against `broker serve --tls-cert/--tls-key` (SPEC §12), beside the
# Rust clients of tests/tls.rs: a certificate made with the README's openssl commands, a
# channel that trusts its CA gets GetGlossaryInfo, one that does not and a plaintext one fail.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'grpcio>=1.60'
cargo build --quiet --manifest-path "$root/Cargo.toml"   # the binary the tests used: a no-op after cargo test
work="$(mktemp -d)"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=broker-ci-ca -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout key.pem -out req.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > ext
openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext \
  -out cert.pem 2>/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$root/target/debug/broker" serve --addr "127.0.0.1:$port" \
  --tls-cert cert.pem --tls-key key.pem &
pid=$!
python3 - "$port" <<'PY'
import sys, time, grpc

port = sys.argv[1]
method = "/broker.v1.Broker/GetGlossaryInfo"

def call(channel):
    info = channel.unary_unary(method, request_serializer=lambda _: b"",
                               response_deserializer=lambda b: b)
    return info(None, timeout=5)

ca = open("ca.pem", "rb").read()
results = []
deadline = time.time() + 20
while True:
    try:
        answer = call(grpc.secure_channel(f"localhost:{port}", grpc.ssl_channel_credentials(ca)))
        break
    except grpc.RpcError:
        if time.time() > deadline:
            raise
        time.sleep(0.3)
results.append(("trusting the CA gets GetGlossaryInfo", len(answer) > 0))
for name, channel in [
    ("a client without the CA is refused",
     grpc.secure_channel(f"localhost:{port}", grpc.ssl_channel_credentials())),
    ("plaintext to the TLS port is refused", grpc.insecure_channel(f"localhost:{port}")),
]:
    try:
        call(channel)
        results.append((name, False))
    except grpc.RpcError as e:
        results.append((name, e.code() == grpc.StatusCode.UNAVAILABLE))
failed = [n for n, ok in results if not ok]
for n, ok in results:
    print(("ok   " if ok else "FAIL ") + n)
print(f"grpcio TLS: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
