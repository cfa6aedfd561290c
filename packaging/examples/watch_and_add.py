#!/usr/bin/env python3
"""An example tandem frontend in Python, standard library only, speaking JSON lines.

Connects to tandemd's socket, subscribes to events, adds one contribution whose note is given on
the command line, and prints each new or changed entry as it arrives (its own addition first).
Everything it uses is the documented local API (proto/api.capnp, JSON lines form): one JSON
object per line, each request with an id, each response echoing it, events carrying the
subscribe request's id.

    watch_and_add.py [--socket PATH] [--by me|partner|both] [--effort 1..3]
                     [--dimension DIM] [--count N] [NOTE]

Without NOTE it only watches. --count N exits after N events (scripts, tests); otherwise it runs
until interrupted. Exit codes follow the tandem CLI's: 0 ok, 1 the daemon answered with an
error, 2 usage error, 3 daemon unreachable, 4 protocol error.
"""
import argparse
import json
import os
import socket
import sys


def default_socket():
    """The tandem CLI's rule: $TANDEM_SOCKET, $XDG_RUNTIME_DIR/tandem, /tmp/tandem-$UID."""
    if os.environ.get("TANDEM_SOCKET"):
        return os.environ["TANDEM_SOCKET"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "tandem", "tandemd.sock")
    return f"/tmp/tandem-{os.getuid()}/tandemd.sock"


class ProtocolError(Exception):
    pass


class DaemonError(Exception):
    pass


class Client:
    """One connection: requests go out as lines; responses come back in order, events between."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.lines = self.sock.makefile("r", encoding="utf-8")
        self.next_id = 1
        self.pending_events = []

    def send(self, **request):
        request_id = self.next_id
        self.next_id += 1
        line = json.dumps({"id": request_id, **request}) + "\n"
        self.sock.sendall(line.encode("utf-8"))
        return request_id

    def read(self):
        line = self.lines.readline()
        if not line:
            raise ProtocolError("tandemd closed the connection")
        try:
            return json.loads(line)
        except json.JSONDecodeError as e:
            raise ProtocolError(f"not JSON: {e}") from None

    def call(self, **request):
        """Sends a request and returns its response; events read meanwhile are kept."""
        request_id = self.send(**request)
        while True:
            response = self.read()
            if "event" in response:
                self.pending_events.append(response["event"])
                continue
            if response.get("id") != request_id:
                raise ProtocolError(f"response id {response.get('id')}, expected {request_id}")
            if "error" in response:
                err = response["error"]
                raise DaemonError(f"{err.get('code')}: {err.get('message')}")
            return response

    def events(self):
        while True:
            while self.pending_events:
                yield self.pending_events.pop(0)
            response = self.read()
            if "event" not in response:
                raise ProtocolError(f"expected an event, got {sorted(response)}")
            self.pending_events.append(response["event"])


def describe(event):
    (what, view), = event.items()  # entryAdded or entryChanged
    entry = view.get("entry", {})
    label = {"entryAdded": "new", "entryChanged": "changed"}.get(what, what)
    note = entry.get("note", "") or ("(note withheld)" if view.get("noteWithheld") else "")
    if view.get("retracted"):
        note = "(retracted)"
    return (f"{label} {view.get('id')} {view.get('kind')} {entry.get('date', '')} "
            f"{entry.get('dimension', '')} by {view.get('authorName', '?')}: {note}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", default=default_socket())
    ap.add_argument("--by", choices=["me", "partner", "both"], default="me")
    ap.add_argument("--effort", type=int, choices=[1, 2, 3], default=1)
    ap.add_argument("--dimension", help="household, support, ... (default: the kind's own)")
    ap.add_argument("--count", type=int, help="exit after this many events")
    ap.add_argument("note", nargs="?", help="add a contribution with this note")
    args = ap.parse_args()

    try:
        client = Client(args.socket)
    except OSError as e:
        print(f"watch_and_add: tandemd is not running ({args.socket}: {e.strerror})",
              file=sys.stderr)
        return 3
    try:
        client.call(subscribe={})
        if args.note is not None:
            entry = {"contribution": {"actor": args.by, "effort": args.effort}, "note": args.note}
            if args.dimension:
                entry["dimension"] = args.dimension
            added = client.call(add={"entry": entry})
            print(f"added {added['entry']['id']}", flush=True)
        seen = 0
        if args.count == 0:
            return 0
        for event in client.events():
            print(describe(event), flush=True)
            seen += 1
            if args.count is not None and seen >= args.count:
                return 0
    except DaemonError as e:
        print(f"watch_and_add: {e}", file=sys.stderr)
        return 1
    except ProtocolError as e:
        print(f"watch_and_add: protocol error: {e}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
