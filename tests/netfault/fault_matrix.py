#!/usr/bin/env python3
"""The network-namespace fault matrix: real tandemd daemons, each in a network namespace made by
this script, linked through an impaired network; entries written on every device while the link
misbehaves; the time until every device holds the same entries, nothing lost, no duplicate, and
every log verifies.

The link is tandem-netfault (TUN devices in each namespace, a forwarder that drops, delays,
reorders, duplicates, flaps or partitions real IP packets) or, when the kernel has sch_netem and
--backend asks for it, veth pairs with `tc netem`. Either way the packets are the daemons' own
kernel TCP traffic, so TCP retransmission and tandem's reconnects are what is exercised.

Needs root, `ip` and /dev/net/tun; exits 77 (skipped) without them.

  fault_matrix.py --tandemd B/daemon/tandemd --tandem B/client/tandem \\
      --netfault B/tests/netfault/tandem-netfault --verify B/tests/netfault/tandem-verify-store \\
      [--full] [--cases loss5,partition] [--entries N] [--partition-seconds S] [--backend auto]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
SUBNET = "10.77.0."
PORT = 7470
PREFIX = "tnf%d" % os.getpid()  # namespaces: unique per run, and a stale one names its owner
IF_PREFIX = "tnf%d" % (os.getpid() % 100000)  # interfaces (15 characters at most)

# name: (what the table calls it, impairment while pairing and writing, devices)
CASES = {
    "loss5": ("loss 5%", "loss=0.05", 2),
    "loss20": ("loss 20%", "loss=0.2", 2),
    "delay": ("delay 100 ms ± 50 ms", "delay=100 jitter=50", 2),
    "reorder": ("reordering: 25% sent at once, the rest held 30 ms", "delay=30 reorder=0.25", 2),
    "duplicate": ("duplication 10%", "duplicate=0.1", 2),
    "flap": ("a link that flaps: 4 s up, 3 s down", "flap=4000/3000", 2),
    "partition": ("a partition that heals", "down=1", 2),
    "three": ("three devices, relay through the middle; loss 5%, delay 40 ms ± 20 ms",
              "loss=0.05 delay=40 jitter=20", 3),
}
# What the forwarder's counters must show for the fault to have happened at all.
EVIDENCE = {
    "loss5": "lost", "loss20": "lost", "delay": "queue_max", "reorder": "jumped",
    "duplicate": "duplicated", "flap": "down", "partition": "down", "three": "lost",
}
# What netem's statistics do not show (`tc -s qdisc` counts packets sent and dropped only).
NETEM_NOT_COUNTED = {"duplicated", "jumped", "queue_max"}


def log(msg):
    print(msg, flush=True)


try:
    import ctypes
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def die_with_parent():
    """Children (daemons, the forwarder) get SIGTERM if this script dies, even by SIGKILL.
    Runs between fork and exec, so it only calls what was loaded before."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def sh(*argv, check=True, timeout=30):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.strip()))
    return r


class Failure(Exception):
    pass


def can_run():
    """None when this machine can run the matrix, else why not."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if shutil.which("ip") is None:
        return "needs iproute2 (`ip`)"
    if not os.path.exists("/dev/net/tun"):
        return "needs /dev/net/tun"
    probe = PREFIX + "-probe"
    if sh("ip", "netns", "add", probe, check=False).returncode != 0:
        return "cannot create a network namespace"
    try:
        if sh("ip", "netns", "exec", probe, "true", check=False).returncode != 0:
            return "cannot run a program in a network namespace (`ip netns exec`)"
    finally:
        sh("ip", "netns", "del", probe, check=False)
    try:  # a TUN device (IFF_TUN | IFF_NO_PI), gone again when closed
        import fcntl
        import struct
        with open("/dev/net/tun", "rb") as tun:
            fcntl.ioctl(tun, 0x400454CA, struct.pack("16sH", (IF_PREFIX + "p").encode(), 0x1001))
    except OSError as e:
        return "cannot create a TUN device: %s" % e
    return None


def netem_available():
    """Whether `tc netem` works here: tried on a throwaway veth pair in a throwaway namespace."""
    if shutil.which("tc") is None:
        return False
    ns = PREFIX + "-nprobe"
    if sh("ip", "netns", "add", ns, check=False).returncode != 0:
        return False
    try:
        ok = sh("ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1",
                check=False).returncode == 0
        ok = ok and sh("tc", "-n", ns, "qdisc", "add", "dev", "p0", "root", "netem", "delay",
                       "1ms", check=False).returncode == 0
        return ok
    finally:
        sh("ip", "netns", "del", ns, check=False)


def sweep_stale():
    """Namespaces left by an earlier run that was killed (its pid is gone) are deleted."""
    out = sh("ip", "netns", "list", check=False).stdout
    for line in out.splitlines():
        m = re.match(r"(tnf(\d+)-\S+)", line)
        if m and not os.path.exists("/proc/" + m.group(2)):
            sh("ip", "netns", "del", m.group(1), check=False)


# ---- links between namespaces

class TunLink:
    """tandem-netfault: one TUN device per namespace; impairment by rewriting its control file."""
    name = "tandem-netfault (TUN forwarder)"

    def __init__(self, tool, namespaces, workdir, impairment, if_prefix, blocked=()):
        self.control = os.path.join(workdir, "link.control")
        self.stats_path = os.path.join(workdir, "link.stats")
        self.err_path = os.path.join(workdir, "link.log")
        self.set(impairment)
        args = [tool, "--control", self.control, "--stats", self.stats_path,
                "--prefix", if_prefix,
                "--seed", str(int(time.time()))]
        for a, b in blocked:
            args += ["--block", "%d-%d" % (a, b)]
        args += ["%s=%s%d/24" % (ns, SUBNET, i + 1) for i, ns in enumerate(namespaces)]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     preexec_fn=die_with_parent)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise Failure("tandem-netfault did not start: " + open(self.err_path).read())

    def set(self, impairment):
        tmp = self.control + ".tmp"
        with open(tmp, "w") as f:
            f.write(impairment + "\n")
        os.rename(tmp, self.control)
        time.sleep(0.25)  # the forwarder looks every 100 ms

    def stats(self):
        try:
            text = open(self.stats_path).read().split("|")[0]
        except OSError:
            return {}
        return {k: int(v) for k, v in (w.split("=") for w in text.split())}

    def close(self):
        """Stops the forwarder (its TUN devices vanish with it); returns its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.err.closed:
            self.err.close()
        return self.proc.returncode


class NetemLink:
    """Two namespaces joined by a veth pair, `tc netem` on both ends. A flap is netem's
    `loss 100%` switched on and off by a thread; a partition is `loss 100%`."""
    name = "veth + tc netem"

    def __init__(self, namespaces, workdir, impairment):
        assert len(namespaces) == 2
        self.ns = namespaces
        self.devs = ["nf0", "nf1"]
        ends = [IF_PREFIX + "a", IF_PREFIX + "b"]
        sh("ip", "link", "add", ends[0], "type", "veth", "peer", "name", ends[1])
        for i, (ns, tmpname) in enumerate(zip(namespaces, ends)):
            sh("ip", "link", "set", tmpname, "netns", ns)
            sh("ip", "-n", ns, "link", "set", tmpname, "name", self.devs[i])
            sh("ip", "-n", ns, "addr", "add", "%s%d/24" % (SUBNET, i + 1), "dev", self.devs[i])
            sh("ip", "-n", ns, "link", "set", self.devs[i], "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.counters = {"down": 0}
        self.flapper = None
        self.stop_flap = threading.Event()
        self.set(impairment)

    def _apply(self, args):
        for ns, dev in zip(self.ns, self.devs):
            sh("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "netem", *args)

    def set(self, impairment):
        if self.flapper:
            self.stop_flap.set()
            self.flapper.join()
            self.flapper = None
        kv = dict(w.split("=") for w in impairment.split())
        args = []
        if "delay" in kv:
            args += ["delay", kv["delay"] + "ms"]
            if "jitter" in kv:
                args += [kv["jitter"] + "ms"]
        if "loss" in kv:
            args += ["loss", "%g%%" % (float(kv["loss"]) * 100)]
        if "duplicate" in kv:
            args += ["duplicate", "%g%%" % (float(kv["duplicate"]) * 100)]
        if "reorder" in kv:
            args += ["reorder", "%g%%" % (float(kv["reorder"]) * 100)]
        if kv.get("down") == "1":
            args = ["loss", "100%"]
            self.counters["down"] += 1
        self._apply(args or ["delay", "0ms"])
        if "flap" in kv:
            up, down = (int(x) / 1000 for x in kv["flap"].split("/"))
            self.stop_flap.clear()

            def flap():
                while not self.stop_flap.wait(up):
                    self._apply(["loss", "100%"])
                    self.counters["down"] += 1
                    if self.stop_flap.wait(down):
                        break
                    self._apply(args or ["delay", "0ms"])
            self.flapper = threading.Thread(target=flap, daemon=True)
            self.flapper.start()
        time.sleep(0.1)

    def stats(self):
        out = dict(self.counters)
        for ns, dev in zip(self.ns, self.devs):
            text = sh("tc", "-n", ns, "-s", "qdisc", "show", "dev", dev, check=False).stdout
            m = re.search(r"Sent \d+ bytes (\d+) pkt \(dropped (\d+)", text)
            if m:
                out["sent"] = out.get("sent", 0) + int(m.group(1))
                out["lost"] = out.get("lost", 0) + int(m.group(2))
        # netem counts neither duplicates, reorderings nor held packets: those cases name it
        # (NOT_COUNTED) rather than pass on made-up counters.
        return out

    def close(self):
        if self.flapper:
            self.stop_flap.set()
            self.flapper.join()


# ---- devices

class Device:
    def __init__(self, args, ns, index, workdir, name):
        self.args, self.ns, self.name = args, ns, name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, mode=0o700)
        self.data = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "s.sock")
        self.address = "%s%d:%d" % (SUBNET, index + 1, PORT)
        self.log_path = os.path.join(self.dir, "tandemd.log")
        self.proc = None
        self.start()

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, self.args.tandemd, "--data-dir", self.data,
             "--socket", self.socket, "--listen", self.address, "--no-discovery",
             "--config", "/dev/null", "--log-level", "debug"],
            stdout=self.log, stderr=self.log, preexec_fn=die_with_parent)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failure("%s: tandemd exited: %s" % (self.name, self.tail()))
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.socket)
                return
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        raise Failure("%s: tandemd did not open its socket" % self.name)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def cli(self, *argv, timeout=60):
        r = subprocess.run([self.args.tandem, "--socket", self.socket, "--json", *argv],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise Failure("%s: tandem %s: exit %d: %s %s" % (self.name, " ".join(argv),
                                                             r.returncode, r.stdout, r.stderr))
        return r.stdout

    def status(self):
        return json.loads(self.cli("status"))

    def entries(self):
        """id -> what every device must agree on; and how many lines (duplicates show here)."""
        lines = [json.loads(l) for l in self.cli("export").splitlines() if l.strip()]
        view = {}
        for e in lines:
            view[e["id"]] = (e["kind"], e["entry"].get("note", ""), e["entry"].get("date"),
                             e.get("retracted", False))
        return view, len(lines)

    def tail(self, n=25):
        try:
            return "".join(open(self.log_path).readlines()[-n:])
        except OSError:
            return ""


def pair(inviter, joiner, name, as_device=False, timeout=90):
    argv = [inviter.args.tandem, "--socket", inviter.socket, "--json", "pair", "invite"]
    if as_device:
        argv.append("--device")
    inv = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(inv.stdout.readline())
        host = inviter.address.split(":")[0]
        joiner.cli("pair", "join", first["code"], "--name", name, "--device-name", joiner.name,
                   "--address", "%s:%d" % (host, first["port"]), timeout=timeout)
        inv.wait(timeout)
        if inv.returncode != 0:
            raise Failure("pair invite on %s: exit %d: %s" % (inviter.name, inv.returncode,
                                                              inv.stderr.read()))
    finally:
        if inv.poll() is None:
            inv.kill()
            inv.wait()


def wait_connected(devices, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(any(p.get("connected") for p in json.loads(d.cli("peers")).get("devices", []))
               for d in devices):
            return True
        time.sleep(0.2)
    return False


def write_entries(device, count, seconds, tag, acked, errors):
    """`count` adds, spread over `seconds` (a couple writes over time, not in one burst), so the
    writes meet every phase of a flapping link."""
    kinds = ["contribution", "bid", "support"]
    start = time.time()
    try:
        for i in range(count):
            time.sleep(max(0.0, start + i * seconds / count - time.time()))
            out = device.cli("add", kinds[i % len(kinds)], "%s %s %d" % (tag, device.name, i))
            acked.append((json.loads(out)["id"], time.time(), device.name))
    except Exception as e:  # noqa: BLE001 (reported by the caller)
        errors.append(str(e))


class Watcher:
    """`tandem watch` on one device: when each entry arrived there (monotonic seconds)."""

    def __init__(self, device):
        self.arrived = {}
        self.proc = subprocess.Popen(
            [device.args.tandem, "--socket", device.socket, "--json", "watch"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            preexec_fn=die_with_parent)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            now = time.time()
            try:
                event = json.loads(line)
            except ValueError:
                continue
            added = event.get("entryAdded")
            if added:
                self.arrived.setdefault(added["id"], now)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def sessions(device):
    """How many peer sessions this device's daemon opened (each reconnect is one more)."""
    try:
        return sum(" connected from " in line for line in open(device.log_path))
    except OSError:
        return 0


def converged(devices, acked):
    """None when every device holds the same entries, each once, every acknowledged one among
    them; else what differs."""
    counts = [d.status()["entries"] for d in devices]
    if len(set(counts)) != 1:
        return "records per device: %s" % counts
    views = []
    for d in devices:
        view, lines = d.entries()
        if lines != len(view):
            return "%s lists %d lines for %d ids (a duplicate)" % (d.name, lines, len(view))
        views.append(view)
    missing = set(acked) - set(views[0])
    if missing:
        return "%d acknowledged entries missing, e.g. %s" % (len(missing), sorted(missing)[0])
    for d, v in zip(devices[1:], views[1:]):
        if v != views[0]:
            return "%s differs from %s" % (d.name, devices[0].name)
    return None


def run_case(args, key, backend):
    label, impairment, ndev = CASES[key]
    entries = args.entries
    workdir = tempfile.mkdtemp(prefix="tandem-netfault-%s-" % key)
    os.chmod(workdir, 0o700)
    namespaces = ["%s-%s-%d" % (PREFIX, key[:3], i) for i in range(ndev)]
    devices, link, watchers = [], None, None
    result = {"key": key, "fault": label, "devices": ndev}
    try:
        for ns in namespaces:
            sh("ip", "netns", "add", ns)
        blocked = [(1, 2)] if ndev == 3 else []
        paired_clean = key == "partition"
        first = "" if paired_clean else impairment
        use_netem = backend == "netem" and ndev == 2
        link = (NetemLink(namespaces, workdir, first) if use_netem else
                TunLink(args.netfault, namespaces, workdir, first, IF_PREFIX + key[:3], blocked))
        result["backend"] = link.name
        names = ["alex-laptop", "jordan-laptop", "alex-desktop"][:ndev]
        devices = [Device(args, ns, i, workdir, n) for i, (ns, n) in
                   enumerate(zip(namespaces, names))]
        devices[0].cli("init", "--name", "Alex", "--device-name", names[0])
        t = time.time()
        pair(devices[0], devices[1], "Jordan")
        if ndev == 3:
            pair(devices[0], devices[2], "Alex", as_device=True)
        result["pairing_s"] = time.time() - t
        if not wait_connected(devices, 60):
            raise Failure("the devices did not connect after pairing")

        writers = devices[1:] if ndev == 3 else devices  # three: the middle only relays
        if key == "partition":
            link.set(impairment)
            apart_since = time.time()
        watchers = {d.name: Watcher(d) for d in devices}
        acked, errors, threads = [], [], []
        t_write = time.time()
        for d in writers:
            th = threading.Thread(target=write_entries, args=(d, entries, args.write_seconds, key,
                                                              acked, errors))
            th.start()
            threads.append(th)
        for th in threads:
            th.join()
        if errors:
            raise Failure("a write failed: " + errors[0])
        acked_at = acked
        acked = [a[0] for a in acked_at]
        result["writes_s"] = time.time() - t_write
        result["entries"] = "%d × %d" % (len(writers), entries)
        if key == "partition":
            time.sleep(max(0.0, args.partition_seconds - (time.time() - apart_since)))
            if converged(devices, acked) is None:
                raise Failure("the devices converged through a partition: the link leaks")
            t0 = time.time()  # the heal (the forwarder reads its control file within 0.1 s)
            link.set("")
            result["fault"] = "%s after %d s" % (label, args.partition_seconds)
        else:
            t0 = max(t for _, t, _ in acked_at)  # the last write's answer
        deadline = min(t0 + args.converge_timeout, args.deadline)
        why = "not checked"
        while time.time() < deadline:
            why = converged(devices, acked)
            if why is None:
                break
            time.sleep(0.2)
        if why is not None:
            raise Failure("not converged after %.0f s: %s" % (time.time() - t0, why))
        result["checked_s"] = time.time() - t0
        # The moment of convergence is the last arrival of an entry on a device that did not
        # write it, as each device's watch saw it (the export check above takes a while with
        # thousands of entries, so its own time is only an upper bound). Every expected arrival
        # must have been seen, or the check's time stands.
        expected = [(i, name) for i, _, author in acked_at for name in watchers if name != author]
        if all(i in watchers[name].arrived for i, name in expected):
            last = max(watchers[name].arrived[i] for i, name in expected)
            result["converge_s"] = max(0.0, last - t0)
            result["total_s"] = last - t_write
        else:
            result["converge_s"] = result["checked_s"]
            result["total_s"] = time.time() - t_write
        result["records"] = devices[0].status()["entries"]
        result["sessions"] = sessions(devices[0])
        # Propagation: from the add's answer on its device to the event on each other device.
        lat = [max(0.0, w.arrived[i] - t) for i, t, author in acked_at
               for name, w in watchers.items() if name != author and i in w.arrived]
        for w in watchers.values():
            w.close()
        result["latency"] = (percentile(lat, 0.5), percentile(lat, 0.99), max(lat or [0]), len(lat))
        # Under a delay, the keepalives' round trip as `tandem peers` shows it must see it.
        kv = dict(w.split("=") for w in impairment.split())
        if "delay" in kv and "reorder" not in kv:  # (reordering sends a quarter at once)
            floor = int(kv["delay"]) - int(kv.get("jitter", 0))
            rtts = [p.get("rttMs", 0) for p in json.loads(devices[0].cli("peers")).get(
                "devices", []) if p.get("connected")]
            result["rtt_ms"] = rtts
            if not rtts or min(rtts) < floor:
                raise Failure("round trips %s ms under a delay of at least %d ms each way" %
                              (rtts, floor))
        for d in devices:
            forks = d.status().get("forks", [])
            if forks:
                raise Failure("%s reports forks: %s" % (d.name, forks))
        stats = link.stats()  # before the heal below: a new netem qdisc starts its counters anew
        link.set("")
        result["stats"] = stats
        if isinstance(link, NetemLink) and EVIDENCE[key] in NETEM_NOT_COUNTED:
            result["unverified"] = "netem does not count %s" % EVIDENCE[key]
        elif stats.get(EVIDENCE[key], 0) <= 0:
            raise Failure("the link shows no %s: the fault did not happen (%s)" %
                          (EVIDENCE[key], stats))
        for d in devices:
            d.stop()
        if isinstance(link, TunLink) and link.close() != 0:
            raise Failure("tandem-netfault failed: " + open(link.err_path).read()[-2000:])
        records = set()
        for d in devices:
            r = sh(args.verify, d.data, check=False)
            if r.returncode != 0:
                raise Failure("%s: the log does not verify: %s %s" % (d.name, r.stdout, r.stderr))
            records.add(r.stdout.split()[0])
        if len(records) != 1:
            raise Failure("the logs hold different record counts: %s" % sorted(records))
        result["ok"] = True
    except (Failure, RuntimeError, subprocess.TimeoutExpired, OSError, ValueError,
            KeyError) as e:
        result["ok"] = False
        result["error"] = str(e)
        for d in devices:
            log("---- %s (%s), last lines of tandemd's log:\n%s" % (d.name, d.ns, d.tail()))
        if link is not None and isinstance(link, TunLink):
            log("---- forwarder: " + open(link.err_path).read()[-2000:])
    finally:
        for w in (watchers.values() if watchers else []):
            w.close()
        for d in devices:
            try:
                d.stop()
            except Exception:  # noqa: BLE001 (clean-up goes on)
                pass
        if link is not None:
            link.close()
        for ns in namespaces:
            sh("ip", "netns", "del", ns, check=False)
        if result.get("ok") and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            result["workdir"] = workdir
    return result


def describe(r):
    if not r["ok"]:
        return "FAIL %-9s %s (files in %s)" % (r["key"], r.get("error"), r.get("workdir"))
    s = r["stats"]
    return ("ok   %-9s converged %6.2f s after %s (%.1f s after the first write); %s entries, "
            "%d records each; %d peer sessions at %s; propagation p50 %.0f ms, p99 %.0f ms, max "
            "%.0f ms over %d arrivals; checked by export %.2f s after %s; pairing %.1f s, "
            "writes %.1f s; link: %s" % (
                r["key"], r["converge_s"],
                "the heal" if r["key"] == "partition" else "the last write", r["total_s"],
                r["entries"], int(r["records"]), r["sessions"], "alex-laptop",
                *(x * 1000 for x in r["latency"][:3]), r["latency"][3], r["checked_s"],
                "the heal" if r["key"] == "partition" else "the last write", r["pairing_s"],
                r["writes_s"],
                " ".join("%s=%s" % kv for kv in sorted(s.items()))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tandemd", required=True)
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--netfault", required=True)
    ap.add_argument("--verify", required=True)
    ap.add_argument("--full", action="store_true",
                    help="the long matrix: 1,000 entries per writer over 60 s, a 5-minute "
                    "partition")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--entries", type=int)
    ap.add_argument("--write-seconds", type=float, help="spread each writer's adds over this")
    ap.add_argument("--partition-seconds", type=int)
    ap.add_argument("--converge-timeout", type=int,
                    help="seconds each case may take to converge (150; 400 with --full)")
    ap.add_argument("--budget", type=int, default=0,
                    help="seconds for the whole run; a case still converging then fails (0: none)")
    ap.add_argument("--backend", choices=["auto", "tun", "netem"], default="auto",
                    help="auto: the TUN forwarder, whose counters prove every fault happened; "
                    "netem: veth + tc netem where the kernel has it (loss is counted, "
                    "duplication, reordering and delay are not)")
    ap.add_argument("--keep", action="store_true", help="keep every case's files")
    args = ap.parse_args()
    if args.entries is None:
        args.entries = 1000 if args.full else 250
    if args.write_seconds is None:
        args.write_seconds = 60.0 if args.full else 15.0
    if args.converge_timeout is None:
        args.converge_timeout = 400 if args.full else 150
    args.deadline = time.time() + args.budget if args.budget else float("inf")
    if args.partition_seconds is None:
        args.partition_seconds = 300 if args.full else 60

    why = can_run()
    if why:
        log("skipped: " + why)
        return SKIP
    sweep_stale()
    backend = args.backend
    has_netem = netem_available()
    if backend == "auto":
        backend = "tun"
    if backend == "netem" and not has_netem:
        log("this kernel has no sch_netem; use --backend tun")
        return 1
    log("fault matrix: backend %s (sch_netem %s); %d entries per writer over %g s; partition %d s" % (
        "veth + tc netem" if backend == "netem" else "tandem-netfault (TUN forwarder)",
        "present" if has_netem else "absent", args.entries, args.write_seconds,
        args.partition_seconds))

    stop = {"signal": None}

    def on_signal(sig, _):
        stop["signal"] = sig
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    results = []
    try:
        for key in [k for k in args.cases.split(",") if k]:
            if key not in CASES:
                log("unknown case %s; cases: %s" % (key, ", ".join(CASES)))
                return 2
            if time.time() > args.deadline:
                log("FAIL %-9s not started: the run's budget of %d s is spent" % (key, args.budget))
                results.append({"key": key, "ok": False})
                continue
            r = run_case(args, key, backend)
            log(describe(r))
            results.append(r)
    except KeyboardInterrupt:
        log("interrupted; namespaces cleaned up")
        return 1
    log("\n| fault | entries | converged after the last write (the heal) | propagation p50 / p99"
        " / max | peer sessions | link |\n|---|---|---|---|---|---|")
    for r in results:
        if r["ok"]:
            p50, p99, worst, _ = r["latency"]
            log("| %s | %s | %.2f s | %.0f / %.0f / %.0f ms | %d | %s |" % (
                r["fault"], r["entries"], r["converge_s"], p50 * 1000, p99 * 1000, worst * 1000,
                r["sessions"], r["backend"]))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
