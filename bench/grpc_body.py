#!/usr/bin/env python3
"""Writes gRPC-framed request bodies for h2load (Python stdlib only; proto of SPEC §5).

  python3 bench/grpc_body.py OUTDIR
Writes OUTDIR/translate.bin (TranslateRequest{text: a 1 KB brief, audience: SIDE_MARKETING,
format: FORMAT_INLINE}), OUTDIR/compact.bin (the same with view: VIEW_COMPACT),
OUTDIR/doc-full.bin and OUTDIR/doc-compact.bin (the brief repeated to 3 MB, full and compact
view: serve them with --max-text-bytes 4194304), OUTDIR/plain.bin (the same request for 1 KB of plain prose that
mentions no term: what a Translate costs besides its annotations) and OUTDIR/info.bin
(GetGlossaryInfoRequest{}). A gRPC frame is
1 byte 0 (not compressed), a 4-byte big-endian length, then the protobuf bytes.
"""
import pathlib
import struct
import sys

BRIEF = ("Our Q3 brief: cut p99 latency on the checkout API by 40% before the campaign, so page "
         "speed stops hurting conversion rate. The CI/CD pipeline must ship a hotfix for the "
         "SLA breach; marketing wants the sales pipeline dashboard to show MQLs, CTR and churn "
         "per cohort. Keep the downtime under the SLA, add a feature flag for the A/B test, and "
         "make the landing page load time part of the KPI review. The data warehouse team "
         "owns the ETL jobs; retargeting needs a clean customer data platform export. ")

PLAIN = ("the people who live in this old town walk to the river every morning and talk about "
         "the weather ")


def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def frame(msg):
    return b"\x00" + struct.pack(">I", len(msg)) + msg


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/grpc")
    out.mkdir(parents=True, exist_ok=True)
    text = (BRIEF * 3)[:1024].encode()
    # field 1 text (LEN), field 2 audience = SIDE_MARKETING (2), field 3 format = INLINE (1)
    req = b"\x0a" + varint(len(text)) + text + b"\x10\x02" + b"\x18\x01"
    (out / "translate.bin").write_bytes(frame(req))
    # field 8 view = VIEW_COMPACT (2)
    (out / "compact.bin").write_bytes(frame(req + b"\x40\x02"))
    doc = (BRIEF * (3 * 1024 * 1024 // len(BRIEF) + 1))[:3 * 1024 * 1024].encode()
    doc_req = b"\x0a" + varint(len(doc)) + doc + b"\x10\x02" + b"\x18\x01"
    (out / "doc-full.bin").write_bytes(frame(doc_req))
    (out / "doc-compact.bin").write_bytes(frame(doc_req + b"\x40\x02"))
    plain = (PLAIN * 12)[:1024].encode()
    (out / "plain.bin").write_bytes(
        frame(b"\x0a" + varint(len(plain)) + plain + b"\x10\x02" + b"\x18\x01"))
    (out / "info.bin").write_bytes(frame(b""))
    print(f"{out}/translate.bin ({len(req)} bytes of protobuf), {out}/compact.bin, "
          f"{out}/doc-full.bin, {out}/doc-compact.bin, {out}/plain.bin, {out}/info.bin")


if __name__ == "__main__":
    main()
