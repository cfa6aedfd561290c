#!/usr/bin/env python3
"""Writes a realistic year of two partners' tandem entries with a chosen pattern.

Output: JSON-lines requests of the local API, {"id": N, "add": {"entry": {...}}}, in Cap'n
Proto's JSON mapping of proto/entry.capnp (enums as camelCase names, the kind union as a field).
Parties are relative to the *author* of each entry ("me" = who logs it). Every entry is written
from one device, so the daemon sees them as one partner's log unless --as-partner is given; run
it twice (once per partner's daemon, with --member 1 and --member 2) for a two-sided journal.

  make_journal.py --pattern apologises-first --seed 7 --weeks 52 > journal.jsonl
  make_journal.py --pattern balanced --socket $XDG_RUNTIME_DIR/tandem/api.sock --member 1

Standard library only.
"""
import argparse
import datetime as dt
import json
import random
import socket
import sys

PATTERNS = ["balanced", "apologises-first", "initiates-talks", "mental-load", "earns-care",
            "needs-first", "support", "complementary", "sparse"]

NOTES = {
    "household": ["cooked", "groceries", "planned the week's meals", "laundry", "school forms"],
    "support": ["took over the evenings", "listened after the hard call"],
    "affection": ["date night", "a long walk together"],
}


class Journal:
    """Entries as the two members lived them; `emit` turns them into one member's requests."""

    def __init__(self, seed, weeks, today):
        self.rng = random.Random(seed)
        self.weeks = weeks
        self.today = today
        self.entries = []  # (logger member, entry dict with parties as member ids)

    def day(self, week_index):
        start = self.today - dt.timedelta(days=self.today.weekday() + 7 * week_index)
        return start + dt.timedelta(days=self.rng.randint(0, 6))

    def logger(self):
        return self.rng.choice((1, 2))

    def who(self, p_first=0.5):
        return 1 if self.rng.random() < p_first else 2

    def add(self, logger, date, kind, body, dimension=None, **extra):
        e = {kind: body, "date": date.isoformat()}
        if dimension:
            e["dimension"] = dimension
        e.update(extra)
        self.entries.append((logger, e))

    def contribution(self, w, actor, dimension="household", phase="execute"):
        self.add(self.logger(), self.day(w), "contribution",
                 {"actor": actor, "effort": self.rng.randint(1, 3), "phase": phase}, dimension,
                 note=self.rng.choice(NOTES.get(dimension, ["did it"])))

    def background(self, w, p=0.5):
        for _ in range(3):
            self.contribution(w, self.who(p), phase=self.rng.choice(
                ["anticipate", "identify", "decide", "execute", "execute", "monitor"]))
        self.conflict(w, self.who(), self.who(), self.who())
        self.add(self.logger(), self.day(w), "initiation",
                 {"initiator": self.who(), "what": self.rng.choice(["affection", "date"]),
                  "received": "welcomed"})
        self.add(self.logger(), self.day(w), "bid",
                 {"bidder": self.who(), "response": "toward" if self.rng.random() < 0.75 else "away",
                  "heard": self.rng.randint(3, 5)})

    def conflict(self, w, raised, apologised, repair_by):
        self.add(self.logger(), self.day(w), "conflict",
                 {"raisedBy": raised, "apologisedFirst": apologised,
                  "repairs": [{"by": repair_by, "kind": "apology", "accepted": True}],
                  "outcome": self.rng.choice(["compromise", "agreedToDiffer", "compromise"])})

    def build(self, pattern):
        for w in range(self.weeks):
            if pattern == "sparse":
                if w < 3:
                    self.conflict(w, self.who(0.8), self.who(), self.who())
                continue
            if pattern == "complementary":
                for _ in range(3):
                    self.contribution(w, 1, "household")
                    self.contribution(w, 2, "finances", "decide")
                continue
            self.background(w)
            if pattern == "apologises-first":
                for _ in range(3):
                    self.conflict(w, self.who(), 2 if self.rng.random() < 0.9 else 1, self.who())
            elif pattern == "initiates-talks":
                for _ in range(3):
                    self.add(self.logger(), self.day(w), "initiation",
                             {"initiator": self.who(0.9), "what": "talk", "received": "welcomed"})
            elif pattern == "mental-load":
                for _ in range(3):
                    self.contribution(w, 1, phase=self.rng.choice(["anticipate", "decide", "monitor"]))
                    self.contribution(w, 2, phase="execute")
            elif pattern == "earns-care":
                for _ in range(4):
                    self.add(self.logger(), self.day(w), "bid",
                             {"bidder": 2, "response": "toward", "heard": 5})
                    self.add(self.logger(), self.day(w), "bid",
                             {"bidder": 1, "response": "toward" if self.rng.random() < 0.1 else "away",
                              "heard": 2})
            elif pattern == "needs-first":
                for _ in range(3):
                    self.add(self.logger(), self.day(w), "decision",
                             {"prevailed": 2 if self.rng.random() < 0.9 else 1})
            elif pattern == "support":
                for _ in range(4):
                    g = 2 if self.rng.random() < 0.9 else 1
                    self.add(self.logger(), self.day(w), "support",
                             {"needed": 3 - g, "gave": g, "form": "practical", "helpful": 4})
        # A check-in from each partner, two weeks ago, fair everywhere when complementary.
        period = (self.today - dt.timedelta(days=14)).isocalendar()
        for m in (1, 2):
            fair = "fair" if pattern in ("balanced", "complementary") else "unfairToMe"
            self.add(m, self.today - dt.timedelta(days=14), "checkin",
                     {"period": "%d-W%02d" % (period[0], period[1]),
                      "fairness": [{"dimension": d, "fairness": fair}
                                   for d in ("household", "finances", "conflict")],
                      "appreciated": 4, "loaded": 3, "satisfaction": 4})

    def requests(self, member, both):
        """The add requests one member's daemon should receive (parties relative to the logger)."""
        out = []
        for logger, e in sorted(self.entries, key=lambda x: x[1]["date"]):
            if not both and logger != member:
                continue
            out.append(relative(e, logger))
        return out


PARTY_FIELDS = {"actor", "bidder", "initiator", "raisedBy", "apologisedFirst", "by", "needed",
                "gave", "holder", "supportedBy", "paidBy", "rememberedBy", "plannedBy", "owner"}


def relative(value, logger):
    """Member ids (1, 2) become parties relative to the entry's logger; prevailed too."""
    if isinstance(value, list):
        return [relative(v, logger) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if (k in PARTY_FIELDS or k == "prevailed") and isinstance(v, int):
            out[k] = "me" if v == logger else "partner"
        else:
            out[k] = relative(v, logger)
    return out


def send(path, lines):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        f = s.makefile("rwb")
        failures = 0
        for line in lines:
            f.write(line.encode() + b"\n")
            f.flush()
            reply = f.readline()
            if not reply:
                sys.exit("daemon closed the connection")
            if b'"error"' in reply:
                failures += 1
                sys.stderr.write(reply.decode())
        return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pattern", choices=PATTERNS, default="balanced")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--today", default=dt.date.today().isoformat(), help="ISO date")
    ap.add_argument("--member", type=int, choices=(1, 2), default=1,
                    help="whose daemon the requests are for (entries that member logged)")
    ap.add_argument("--both", action="store_true",
                    help="emit every entry, as if one member logged all (a one-sided log)")
    ap.add_argument("--socket", help="send to this AF_UNIX socket instead of printing")
    a = ap.parse_args()
    j = Journal(a.seed, a.weeks, dt.date.fromisoformat(a.today))
    j.build(a.pattern)
    lines = [json.dumps({"id": i + 1, "add": {"entry": e}}, separators=(",", ":"))
             for i, e in enumerate(j.requests(a.member, a.both))]
    if a.socket:
        sys.exit(1 if send(a.socket, lines) else 0)
    sys.stdout.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
