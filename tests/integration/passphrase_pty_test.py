#!/usr/bin/env python3
"""`tandem passphrase set` and `tandem unlock` at a terminal: the passphrase is asked for without
echo (it never appears in what the terminal shows), twice when it is new, and two entries that
differ change nothing. A real tandemd in a temporary directory, the CLI on a pseudo-terminal.

  passphrase_pty_test.py BUILD_DIR

Standard library only; the terminal helper is checkin_pty_test.py's.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkin_pty_test import Terminal, fail, start_daemon  # noqa: E402

SECRET = "correct horse battery"


def main():
    build = sys.argv[1]
    tandemd, tandem = os.path.join(build, "daemon", "tandemd"), os.path.join(build, "client", "tandem")
    work = tempfile.mkdtemp(prefix="tandem-pty-")
    data, sock = os.path.join(work, "data"), os.path.join(work, "run", "tandemd.sock")
    daemon = start_daemon(tandemd, data, sock)
    try:
        subprocess.run([tandem, "--socket", sock, "init", "--name", "Alex"], check=True,
                       capture_output=True)
        # Two entries that differ: nothing changes.
        t = Terminal([tandem, "--socket", sock, "passphrase", "set"])
        t.answer("New passphrase:", SECRET)
        t.answer("Again:", SECRET + "!")
        code, rest = t.finish()
        if code != 2 or "differ" not in rest:
            fail("differing entries exited %d:\n%s" % (code, rest))
        # Set, typed twice, never echoed.
        t = Terminal([tandem, "--socket", sock, "passphrase", "set"])
        t.answer("New passphrase:", SECRET)
        t.answer("Again:", SECRET)
        code, rest = t.finish()
        shown = t.seen.decode(errors="replace") + rest
        if code != 0 or "tandem unlock" not in rest:
            fail("passphrase set exited %d:\n%s" % (code, rest))
        if SECRET in shown:
            fail("the passphrase was echoed:\n" + shown)
        # Restarted: locked until unlock, which asks without echo.
        daemon.terminate()
        daemon.wait(10)
        daemon = start_daemon(tandemd, data, sock)
        t = Terminal([tandem, "--socket", sock, "unlock"])
        t.answer("Passphrase:", SECRET)
        code, rest = t.finish()
        if code != 0 or "unlocked" not in rest or SECRET in t.seen.decode(errors="replace") + rest:
            fail("unlock exited %d or echoed:\n%s" % (code, rest))
        status = subprocess.run([tandem, "--socket", sock, "status"], capture_output=True,
                                text=True).stdout
        if "passphrase:      on" not in status:
            fail("status after unlock:\n" + status)
        print("ok")
        return 0
    finally:
        daemon.terminate()
        daemon.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
