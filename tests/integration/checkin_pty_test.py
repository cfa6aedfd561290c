#!/usr/bin/env python3
"""`tandem checkin` at a terminal: a real tandemd in a temporary directory, the CLI on a
pseudo-terminal, each prompt answered as a person would (a skip, a bad answer asked again, a
note, sealing), then the stored check-in is read back with `tandem list --json`.

  checkin_pty_test.py BUILD_DIR

Standard library only.
"""
import json
import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def fail(message):
    sys.exit("FAIL: " + message)


def daemon_argv(tandemd, data_dir, sock):
    """tandemd for a test: loopback only, no LAN discovery, no user config file (each flag only
    when this tandemd knows it)."""
    argv = [tandemd, "--data-dir", data_dir, "--socket", sock]
    help_text = subprocess.run([tandemd, "--help"], capture_output=True, text=True).stdout
    for flag, extra in (("--listen", ["127.0.0.1:0"]), ("--no-discovery", []),
                        ("--config", ["/dev/null"])):
        if flag in help_text:
            argv += [flag] + extra
    return argv


class Terminal:
    """A child process on a pseudo-terminal, read up to each expected prompt."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(argv[0], argv)
        self.seen = b""

    def expect(self, text, timeout=10.0):
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while needle not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("no %r in the output:\n%s" % (text, self.seen.decode(errors="replace")))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    fail("the CLI ended before %r:\n%s" % (text, self.seen.decode(errors="replace")))
                self.seen += chunk
        self.seen = self.seen[self.seen.index(needle) + len(needle):]

    def answer(self, prompt, reply):
        self.expect(prompt)
        os.write(self.fd, reply.encode() + b"\n")

    def finish(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                self.seen += chunk
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status), self.seen.decode(errors="replace")
        os.kill(self.pid, 9)
        fail("the CLI did not exit")


def start_daemon(tandemd, data_dir, sock):
    """Starts tandemd and returns its Popen once the socket accepts connections."""
    daemon = subprocess.Popen(daemon_argv(tandemd, data_dir, sock), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(sock)
            return daemon
        except OSError:
            if time.monotonic() > deadline or daemon.poll() is not None:
                fail("tandemd did not start")
            time.sleep(0.05)


def main():
    build = sys.argv[1]
    tandemd, tandem = os.path.join(build, "daemon", "tandemd"), os.path.join(build, "client", "tandem")
    work = tempfile.mkdtemp(prefix="tandem-pty-")
    sock = os.path.join(work, "run", "tandemd.sock")
    daemon = start_daemon(tandemd, os.path.join(work, "data"), sock)
    try:
        subprocess.run([tandem, "--socket", sock, "init", "--name", "Alex"], check=True,
                       capture_output=True)

        t = Terminal([tandem, "--socket", sock, "checkin"])
        t.answer("How fair does support in hard times feel?", "3")
        t.answer("How fair does listening to each other feel?", "")  # skipped
        t.answer("How fair does the household, mental load included feel?", "7")
        t.answer("Please answer 1 to 5", "2")  # asked again
        for words in ("support for each other's goals", "starting affection and intimacy",
                      "working through conflict", "respect for boundaries", "money",
                      "looking after the relationship"):
            t.answer("How fair does %s feel?" % words, "5" if words == "money" else "")
        t.answer("How appreciated do you feel?", "2")
        t.answer("How loaded do you feel?", "4")
        t.answer("how satisfied", "")
        t.answer("What would help?", "taking turns with the school forms")
        t.answer("Seal it until", "y")
        code, rest = t.finish()
        if code != 0:
            fail("tandem checkin exited %d:\n%s" % (code, rest))
        if "added" not in rest:
            fail("no confirmation after the questions:\n" + rest)

        out = subprocess.run([tandem, "--socket", sock, "list", "--kind", "checkin", "--json"],
                             check=True, capture_output=True, text=True).stdout
        entries = json.loads(out)["entries"]
        if len(entries) != 1:
            fail("expected one check-in, got %d" % len(entries))
        entry = entries[0]["entry"]
        c = entry["checkin"]
        fairness = {f["dimension"]: f["fairness"] for f in c.get("fairness", [])}
        expected = {"support": "fair", "household": "unfairToMe", "finances": "veryUnfairToPartner"}
        if fairness != expected:
            fail("fairness %r, expected %r" % (fairness, expected))
        if c.get("appreciated") != 2 or c.get("loaded") != 4 or c.get("satisfaction", 0) != 0:
            fail("scales wrong: %r" % c)
        if c.get("sealed") is not True:
            fail("not sealed: %r" % c)
        if entry.get("note") != "taking turns with the school forms":
            fail("note wrong: %r" % entry.get("note"))

        # Input that ends halfway records nothing.
        t = Terminal([tandem, "--socket", sock, "checkin"])
        t.answer("How fair does support in hard times feel?", "3")
        os.write(t.fd, b"\x04")  # ^D: end of input
        code, rest = t.finish()
        if code != 2:
            fail("an abandoned check-in exited %d, not 2:\n%s" % (code, rest))
        out = subprocess.run([tandem, "--socket", sock, "list", "--kind", "checkin", "--json"],
                             check=True, capture_output=True, text=True).stdout
        if len(json.loads(out)["entries"]) != 1:
            fail("the abandoned check-in was recorded")
        print("ok")
        return 0
    finally:
        daemon.terminate()
        daemon.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
