#!/usr/bin/env python3
"""A chat-bot-style client of broker: streams messages over TranslateStream, prints annotations.

One TranslateStream call carries the whole conversation; each message gets exactly one
answer, in order, with its request_id echoed. Python stubs are generated at run time from
../../proto into a temporary directory (grpc_tools.protoc), so nothing generated is committed.

    pip install -r examples/python/requirements.txt
    cargo run -- serve &                      # gRPC + HTTP on 127.0.0.1:50051
    python examples/python/chatbot.py         # a few sample messages
    python examples/python/chatbot.py --for it "Lift CTR on the retargeting cohort"
    printf 'latency is up\\nour pipeline is full\\n' | python examples/python/chatbot.py -
"""

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

import grpc
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"
PROTO_FILE = "broker/v1/broker.proto"

SAMPLE_MESSAGES = [
    "Our latency is up since the last deployment.",
    "Can we lift CTR before the end of the quarter?",
    "The pipeline is full: three deals close this week.",
]


def generate_stubs(out_dir):
    """Compiles the proto into out_dir and returns the (messages, services) modules."""
    # grpc_tools ships the well-known types (google/protobuf/timestamp.proto).
    well_known = Path(protoc.__file__).parent / "_proto"
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{well_known}",
            f"--python_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            PROTO_FILE,
        ]
    )
    if code != 0:
        sys.exit(f"protoc failed on {PROTO_ROOT / PROTO_FILE}")
    sys.path.insert(0, str(out_dir))
    return (
        importlib.import_module("broker.v1.broker_pb2"),
        importlib.import_module("broker.v1.broker_pb2_grpc"),
    )


def read_messages(args):
    if args.messages == ["-"]:
        # One chat message per line, sent as soon as it is read.
        return (line.rstrip("\n") for line in sys.stdin if line.strip())
    return iter(args.messages or SAMPLE_MESSAGES)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("messages", nargs="*", help="messages to explain ('-' reads stdin)")
    parser.add_argument("--addr", default="127.0.0.1:50051", help="broker's address")
    parser.add_argument(
        "--for", dest="reader", choices=["it", "marketing", "both"], default="marketing"
    )
    parser.add_argument("--token", help="read token, when the server requires one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as out_dir:
        pb, pb_grpc = generate_stubs(out_dir)
        audience = {
            "it": pb.SIDE_IT,
            "marketing": pb.SIDE_MARKETING,
            "both": pb.SIDE_UNSPECIFIED,
        }[args.reader]
        metadata = [("authorization", f"Bearer {args.token}")] if args.token else None

        def requests():
            for i, text in enumerate(read_messages(args)):
                yield pb.TranslateRequest(
                    text=text,
                    audience=audience,
                    format=pb.FORMAT_INLINE,
                    request_id=f"msg-{i}",
                )

        with grpc.insecure_channel(args.addr) as channel:
            stub = pb_grpc.BrokerStub(channel)
            try:
                for resp in stub.TranslateStream(requests(), metadata=metadata):
                    print(f"[{resp.request_id}] glossary {resp.glossary_version}")
                    for r in resp.renderings:
                        print(f"  for {pb.Side.Name(r.audience)}: {r.text}")
                    if not resp.annotations:
                        print("  (no jargon found)")
                    for a in resp.annotations:
                        equivalent = a.equivalents[0] if a.equivalents else a.definition
                        flag = "  FALSE FRIEND" if a.false_friend else ""
                        print(
                            f"  {a.text!r} [{a.start}:{a.end}] -> {a.concept_id} "
                            f"({pb.Side.Name(a.side)}, {pb.Match.Name(a.match)}, "
                            f"score {a.score:.2f}): {equivalent}{flag}"
                        )
            except grpc.RpcError as e:
                sys.exit(f"broker: {e.code().name}: {e.details()}")


if __name__ == "__main__":
    main()
