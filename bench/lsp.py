#!/usr/bin/env python3
"""Time to diagnostics of `broker lsp` after a one-character change (SPEC §13, issue 32).

Spawns the real server (target/release/broker lsp by default) over pipes, as an editor does,
with marketing as the reader and the embedded glossary. For each document size (5, 50 and
500 KB of Markdown brief prose with IT jargon, gaps, code spans and non-ASCII lines), it opens
the document, then sends --changes incremental didChange notifications of one character each
(alternately typing and deleting an 'x' in the middle of the text) and measures, on the
client, the time from sending the change to receiving the publishDiagnostics of that version.
That time includes the server's debounce (broker::lsp::DEBOUNCE, 40 ms), the whole check of
the document and the JSON of every diagnostic. Python 3 standard library only.

  python3 bench/lsp.py [--binary target/release/broker] [--changes 30] [--sizes 5,50,500]
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
import time

SENTENCES = [
    "The latency of the checkout API doubled after the last deploy.",
    "We track OKRs weekly, and the OKRs drive the roadmap for Q3.",
    "The pipeline passed every build and every deploy on Friday.",
    "Our SLO leaves an error budget of 0.1% for the payment service.",
    "Marketing wants the CTR of the newsletter in the weekly report.",
    "The 🚀 café team moved the CDN cache in front of the API gateway.",
    "Ask the SDR team about the MQL count before the campaign starts.",
    "A rollback is cheaper than a hotfix when the canary fails.",
    "Run `broker check briefs/` before you send the brief; see https://example.com/guide.",
    "Customers noticed that the page felt slow on mobile, naïvely blaming the Wi-Fi.",
    "The webhook retries three times, then the incident goes to the on-call engineer.",
    "Phishing attempts rose, so the security team rotated every token.",
]


def document(size, seed=7):
    rng = random.Random(seed)
    parts = ["# Brief\n\n"]
    n = len(parts[0].encode())
    while n < size:
        para = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 6))) + "\n\n"
        if rng.random() < 0.1:
            para = "```\nlatency_ms = api.get(pipeline)\n```\n\n"
        parts.append(para)
        n += len(para.encode())
    return "".join(parts)


class Server:
    def __init__(self, binary):
        self.p = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("broker lsp closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.next_id and "method" not in m:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri, version):
        while True:
            m = self.read()
            if (m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri and m["params"].get("version") == version):
                return m["params"]["diagnostics"]


def position(text, at):
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return {"line": line, "character": len(text[start:at].encode("utf-16-le")) // 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/broker")
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--sizes", default="5,50,500", help="KB, comma-separated")
    args = ap.parse_args()

    s = Server(args.binary)
    s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {},
                             "initializationOptions": {"broker": {"reader": "marketing"}}})
    s.notify("initialized", {})
    print(f"{'size':>7} {'findings':>8} {'open ms':>8} {'median ms':>9} {'p90 ms':>7} {'max ms':>7}")
    for kb in (int(k) for k in args.sizes.split(",")):
        text = document(kb * 1000)
        uri = f"file:///bench/brief-{kb}kb.md"
        t0 = time.perf_counter()
        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": text}})
        diags = s.diagnostics(uri, 1)
        opened = (time.perf_counter() - t0) * 1000
        # A change in the middle of a prose line (not in a code block).
        at = text.index("The pipeline", len(text) // 2) + 4
        times = []
        for i in range(args.changes):
            version = i + 2
            pos = position(text, at)
            if i % 2 == 0:
                change = {"range": {"start": pos, "end": pos}, "text": "x"}
                text = text[:at] + "x" + text[at:]
            else:
                end = position(text, at + 1)
                change = {"range": {"start": pos, "end": end}, "text": ""}
                text = text[:at] + text[at + 1:]
            t0 = time.perf_counter()
            s.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            diags = s.diagnostics(uri, version)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{len(text.encode()) / 1000:>5.0f}KB {len(diags):>8} {opened:>8.1f} "
              f"{statistics.median(times):>9.1f} {p90:>7.1f} {times[-1]:>7.1f}")
        s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    s.request("shutdown", None)
    s.notify("exit", None)
    return s.p.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
