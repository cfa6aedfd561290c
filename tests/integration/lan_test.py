#!/usr/bin/env python3
"""Two devices on a LAN of their own: two network namespaces joined by a veth pair (10.231.0.1 and
10.231.0.2, IPv4 only), one real tandemd in each with LAN discovery on, driven by the real CLI.

  lan_test.py BUILD_DIR

1. `tandem pair join CODE --name Sam` without --address finds the inviter by its pairing beacon
   (UDP broadcast on port 7471) and joins; the two daemons then connect. It runs on a terminal,
   which shows the search for the code's channel and where the inviter was found.
2. Both daemons stop; each starts again on a new port. The addresses they remembered are stale,
   so only the space beacons (which carry the new port) can bring them together: they do, with
   nobody typing anything.
3. What a stranger on the LAN sees: a third namespace on the same LAN captures the beacons of
   both kinds for a while; no beacon holds the space id, a device id, a key or a name, and the
   space beacons' tags are not the pairing beacons' tags.

Needs root (to create namespaces); exits 77 (skipped) without it. Standard library only.
"""
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

PID = os.getpid() % 100000
NS = ["tlan%da" % PID, "tlan%db" % PID, "tlan%dc" % PID]
ADDR = ["10.231.0.1", "10.231.0.2", "10.231.0.3"]
BRIDGE = "tlbr%d" % PID


def fail(message):
    raise SystemExit("FAIL: " + message)


def sh(*argv, check=True):
    return subprocess.run(list(argv), capture_output=True, text=True, check=check)


def setup():
    """A bridge in the root namespace (the LAN's switch) and three namespaces plugged into it."""
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "link", "set", BRIDGE, "up")
    for i, ns in enumerate(NS):
        sh("ip", "netns", "add", ns)
        outer, inner = "tl%d%s" % (PID, "abc"[i]), "eth0"
        sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns)
        sh("ip", "link", "set", outer, "master", BRIDGE)
        sh("ip", "link", "set", outer, "up")
        run_in = ["ip", "netns", "exec", ns]
        sh(*run_in, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
        sh(*run_in, "ip", "addr", "add", ADDR[i] + "/24", "dev", inner)
        sh(*run_in, "ip", "link", "set", inner, "up")
        sh(*run_in, "ip", "link", "set", "lo", "up")
        # A LAN has a way out: 255.255.255.255 needs a route to leave by.
        sh(*run_in, "ip", "route", "add", "default", "dev", inner)


def teardown():
    for ns in NS:
        sh("ip", "netns", "del", ns, check=False)
    sh("ip", "link", "del", BRIDGE, check=False)


class Daemon:
    def __init__(self, build, ns, work, name):
        self.tandemd = os.path.join(build, "daemon", "tandemd")
        self.tandem = os.path.join(build, "client", "tandem")
        self.ns = ns
        self.data = os.path.join(work, name)
        self.sock = os.path.join(work, name + ".sock")
        self.log = os.path.join(work, name + ".log")
        self.proc = None

    def start(self):
        argv = ["ip", "netns", "exec", self.ns, self.tandemd, "--data-dir", self.data, "--socket",
                self.sock, "--listen", "0.0.0.0:0", "--config", "/dev/null", "--log-level",
                "debug"]
        self.proc = subprocess.Popen(argv, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        fail("tandemd did not start: " + open(self.log).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def cli(self, *args, timeout=30):
        return subprocess.run([self.tandem, "--socket", self.sock] + list(args), capture_output=True,
                              text=True, timeout=timeout)

    def peers(self):
        r = self.cli("peers", "--json")
        return json.loads(r.stdout) if r.returncode == 0 else {}

    def listen_port(self):
        return int(self.peers().get("listen", ":0").rsplit(":", 1)[1])

    def connected(self):
        devices = self.peers().get("devices", [])
        return len(devices) == 1 and devices[0].get("connected", False)


def run_on_pty(argv, timeout):
    """Runs argv with a pseudo-terminal as stdin, stdout and stderr; returns (exit code, output)."""
    master, slave = os.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                         env=dict(os.environ, TERM="xterm"))
    os.close(slave)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.time()))
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child has gone
            break
        if not chunk:
            break
        out += chunk
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    os.close(master)
    return p.returncode, out.decode(errors="replace")


def eventually(f, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if f():
            return True
        time.sleep(0.2)
    return False


def start_capture(seconds):
    """A stranger in the third namespace listening on the beacon port for `seconds`."""
    code = ("import socket,time\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
            "s.bind(('0.0.0.0',7471)); s.settimeout(0.2); end=time.time()+%f\n"
            "print('ready',flush=True)\n"
            "while time.time()<end:\n"
            "  try: d,a=s.recvfrom(512); print(a[0], d.hex(), flush=True)\n"
            "  except socket.timeout: pass\n" % seconds)
    p = subprocess.Popen(["ip", "netns", "exec", NS[2], sys.executable, "-c", code],
                         stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        fail("the stranger could not listen")
    return p


def heard(capture):
    out, _ = capture.communicate(timeout=60)
    return [line.split() for line in out.splitlines() if line.strip()]


def main():
    build = sys.argv[1]
    if os.geteuid() != 0:
        print("skipped: creating network namespaces needs root")
        return 77
    try:
        setup()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        teardown()
        print("skipped: cannot create namespaces and a veth LAN here: %s" % e)
        return 77
    work = tempfile.mkdtemp(prefix="tandem-lan-")
    alex = Daemon(build, NS[0], work, "alex")
    sam = Daemon(build, NS[1], work, "sam")
    try:
        alex.start()
        sam.start()
        if alex.cli("init", "--name", "Alex").returncode != 0:
            fail("init failed")

        # 1. Pairing found by the LAN beacon: no --address anywhere. A stranger listens meanwhile.
        stranger = start_capture(6)
        invite = subprocess.Popen([alex.tandem, "--socket", alex.sock, "pair", "invite", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = json.loads(invite.stdout.readline())
        code = first["code"]
        rc, shown = run_on_pty([sam.tandem, "--socket", sam.sock, "pair", "join", code, "--name",
                                "Sam"], 90)
        if rc != 0:
            fail("join without --address failed: %s\nalex: %s\nsam: %s" %
                 (shown, open(alex.log).read(), open(sam.log).read()))
        channel = code.split("-")[0]
        for step in ("searching the LAN for channel %s…" % channel,
                     "found the inviting device at 10.231.0.1:",
                     "connected, checking the code…", "paired: "):
            if step not in shown:
                fail("the joiner's terminal did not show %r:\n%r" % (step, shown))
        heard_pairing = heard(stranger)
        out, err = invite.communicate(timeout=30)
        if invite.returncode != 0:
            fail("invite did not finish: " + out + err)
        if not eventually(lambda: alex.connected() and sam.connected(), 30):
            fail("the paired daemons did not connect:\n" + open(sam.log).read())
        print("joined by the pairing beacon and connected")

        # 2. Both restart on new ports; only space beacons can bring them together.
        ports = (alex.listen_port(), sam.listen_port())
        alex.stop()
        sam.stop()
        stranger = start_capture(6)
        sam.start()
        alex.start()  # Alex's first beacon goes out at once, and Sam is already listening
        if (alex.listen_port(), sam.listen_port()) == ports:
            fail("the daemons came back on the same ports; the test proves nothing")
        if not eventually(lambda: alex.connected() and sam.connected(), 45):
            fail("after both restarted on new ports, beacons did not reconnect them:\n" +
                 open(sam.log).read() + open(alex.log).read())
        address = sam.peers()["devices"][0]["address"]
        if address != "%s:%d" % (ADDR[0], alex.listen_port()):
            fail("Sam dials Alex at %s, not at Alex's new port" % address)
        heard_space = heard(stranger)
        print("both restarted on new ports and found each other by their beacons")

        # 3. The stranger's capture.
        status = json.loads(alex.cli("status", "--json").stdout)
        secrets = [status["spaceId"], status.get("deviceId", "")]
        for dev in sam.peers()["devices"] + alex.peers()["devices"]:
            secrets.append(dev["deviceId"])
        names = [n.encode().hex() for n in ("Alex", "Sam")]
        pairing = [d for a, d in heard_pairing if d.startswith(b"TNDP".hex())]
        space = [d for a, d in heard_space if d.startswith(b"TNDB".hex())]
        if not pairing or not space:
            fail("the stranger heard no beacons (pairing %d, space %d)" % (len(pairing),
                                                                          len(space)))
        for d in pairing + space:
            if len(d) != 46:
                fail("a beacon of %d bytes" % (len(d) // 2))
            for s in secrets + names:
                if s and s.lower() in d:
                    fail("a beacon carries %s" % s)
        tags_p = {d[10:42] for d in pairing}
        tags_s = {d[10:42] for d in space}
        if tags_p & tags_s:
            fail("a space beacon's tag equals a pairing beacon's")
        print("a stranger heard %d pairing and %d space beacons: 23 bytes each, no id, key or "
              "name" % (len(pairing), len(space)))
        return 0
    finally:
        for d in (alex, sam):
            if d.proc and d.proc.poll() is None:
                d.proc.kill()
        teardown()


if __name__ == "__main__":
    sys.exit(main())
