#!/usr/bin/env python3
"""The HTML report in a real browser: a real tandemd in a temporary directory, a sample year of
entries, `tandem report --html`, then headless Chromium renders the page. Checks that

  - the page is self-contained on its face: no script, no link, no url(), no http or // URL;
  - the page renders: the screenshot exists and is not blank (pixel variance over its top part);
  - the page asked for nothing over the network: Chromium's net log names no URL other than
    file:, data: and about: ones.

Exits 77 (ctest SKIP_RETURN_CODE) when /usr/bin/chromium is absent.

  report_html_test.py BUILD_DIR SOURCE_DIR [--keep DIR]

Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHROMIUM = "/usr/bin/chromium"
SKIP = 77


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


def wait_for_socket(path, daemon, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            fail("tandemd exited with %s" % daemon.returncode)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                return
        except OSError:
            time.sleep(0.05)
    fail("tandemd's socket did not come up in %.0f s" % timeout)


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)
    if r.returncode != 0:
        fail("%s exited %d\nstdout: %s\nstderr: %s" % (argv, r.returncode, r.stdout, r.stderr))
    return r


# ---- static checks on the page

FORBIDDEN = [
    (re.compile(r"<\s*script", re.I), "a <script> element"),
    (re.compile(r"<\s*link", re.I), "a <link> element"),
    (re.compile(r"<\s*(iframe|object|embed|img|video|audio|source)\b", re.I), "an embedded resource"),
    (re.compile(r"url\s*\(", re.I), "a CSS url()"),
    (re.compile(r"@import", re.I), "a CSS @import"),
    (re.compile(r"https?:", re.I), "an http URL"),
    (re.compile(r"""(src|href|action|poster|srcset|xlink:href)\s*=""", re.I), "a resource attribute"),
    (re.compile(r"""["'(=\s]//[^\s"'<>]"""), "a scheme-relative // URL"),
]


def check_static(html):
    # The SVG namespace is a name, not a fetch; it is the one URL-shaped text a page may carry.
    scrubbed = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for pattern, what in FORBIDDEN:
        m = pattern.search(scrubbed)
        if m:
            start = max(0, m.start() - 60)
            fail("the page holds %s: ...%s..." % (what, scrubbed[start:m.end() + 60]))
    if not re.search(r"<svg\b", html):
        fail("the page has no SVG chart")


# ---- the screenshot

def png_rows(data, max_rows):
    """Decodes the first max_rows rows of an 8-bit RGB/RGBA PNG: (width, height, channels, rows)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("the screenshot is not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if ihdr is None:
        fail("the PNG has no IHDR")
    width, height, depth, colour, _, _, interlace = ihdr
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        fail("unexpected PNG format: depth %d colour type %d interlace %d" % (depth, colour, interlace))
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            fail("bad PNG filter type %d" % ftype)
        rows.append(line)
        prev = line
    return width, height, channels, rows


def check_screenshot(path, width, height):
    if not os.path.exists(path):
        fail("chromium wrote no screenshot")
    data = open(path, "rb").read()
    if len(data) < 20000:
        fail("the screenshot is only %d bytes: a blank page?" % len(data))
    w, h, channels, rows = png_rows(data, 600)
    if (w, h) != (width, height):
        fail("the screenshot is %dx%d, not %dx%d" % (w, h, width, height))
    lum = []
    for line in rows:
        for x in range(0, w * channels, channels * 2):
            lum.append((299 * line[x] + 587 * line[x + 1] + 114 * line[x + 2]) // 1000)
    mean = sum(lum) / len(lum)
    variance = sum((v - mean) ** 2 for v in lum) / len(lum)
    dark = sum(1 for v in lum if v < 128) / len(lum)
    print("screenshot: %d bytes, %dx%d, top 600 rows: mean luminance %.1f, variance %.1f, "
          "dark pixels %.2f%%" % (len(data), w, h, mean, variance, 100 * dark))
    if variance < 100 or dark < 0.005:
        fail("the screenshot looks blank (variance %.1f, dark %.4f)" % (variance, dark))


# ---- the network
#
# Chromium's net log (--log-net-log) records every URL request of the network service. File URLs
# do not pass through it; a page's subresource fetches do, carrying the page's file:// network
# isolation key and Blink's resource-loader traffic annotation. The browser's own background
# requests (component updater, account lookups) carry neither: they are reported but not the
# page's doing, and --host-resolver-rules keeps them (and anything else) off the network anyway.

ALLOWED_SCHEMES = ("file:", "data:", "about:", "blob:")
BLINK_RESOURCE_LOADER = 101845102  # traffic annotation hash of "blink_resource_loader"


def load_net_log(path):
    try:
        return json.load(open(path))
    except ValueError:
        # Chromium may exit before it closes the array; the events so far still count.
        text = open(path).read().rstrip().rstrip(",")
        return json.loads(text + "]}")


def page_requests(path):
    """(requests the page made, the browser's own background requests) as lists of URLs."""
    log = load_net_log(path)
    names = {v: k for k, v in log.get("constants", {}).get("logEventTypes", {}).items()}
    events = log.get("events", [])
    if not events or not names:
        fail("the net log holds no events: was it written?")
    page, background = [], []
    for e in events:
        kind = names.get(e.get("type"), "")
        params = e.get("params") or {}
        url = params.get("url")
        if not isinstance(url, str) or url.startswith(ALLOWED_SCHEMES):
            continue
        if kind == "URL_REQUEST_START_JOB":
            ctx = " ".join(str(params.get(k, "")) for k in
                           ("initiator", "network_isolation_key", "site_for_cookies"))
            from_page = "file:" in ctx or params.get("initiator") == "null"
        elif kind == "REQUEST_ALIVE":
            from_page = params.get("traffic_annotation") == BLINK_RESOURCE_LOADER
        else:
            continue
        (page if from_page else background).append(url)
    return sorted(set(page)), sorted(set(background))


def render(html_path, work, name):
    """Screenshots file://html_path with headless Chromium; returns (png, net log) paths."""
    shot, net = os.path.join(work, name + ".png"), os.path.join(work, name + "-net.json")
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-default-apps", "--no-pings", "--disable-domain-reliability",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=" + os.path.join(work, name + "-profile"), "--hide-scrollbars",
            "--log-net-log=" + net, "--net-log-capture-mode=Everything",
            "--screenshot=" + shot, "--window-size=1000,2000", "file://" + html_path]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=work)
    if r.returncode != 0:
        fail("chromium exited %d:\n%s" % (r.returncode, r.stderr[-4000:]))
    return shot, net


def check_detector(work):
    """The net-log reading must see a page's fetch, or a silent format change would pass all."""
    canary = os.path.join(work, "canary.html")
    with open(canary, "w") as f:
        f.write('<!DOCTYPE html><html><body><img src="http://canary.invalid/x.png">'
                "<p>canary</p></body></html>")
    _, net = render(canary, work, "canary")
    page, _ = page_requests(net)
    if "http://canary.invalid/x.png" not in page:
        fail("the net-log check did not see the canary page's image request: %r" % page)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_dir")
    ap.add_argument("source_dir")
    ap.add_argument("--keep", help="copy page.html, shot.png and net.json here")
    a = ap.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        print("SKIP: %s is not installed" % CHROMIUM)
        return SKIP
    tandemd = os.path.join(a.build_dir, "daemon", "tandemd")
    tandem = os.path.join(a.build_dir, "client", "tandem")
    make_journal = os.path.join(a.source_dir, "tests", "sample", "make_journal.py")

    work = tempfile.mkdtemp(prefix="tandem-html-")
    daemon = None
    try:
        sock = os.path.join(work, "run", "tandemd.sock")
        daemon = subprocess.Popen(daemon_argv(tandemd, os.path.join(work, "data"), sock),
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "tandemd.log"), "w"))
        wait_for_socket(sock, daemon)
        run([tandem, "--socket", sock, "init", "--name", "Alex", "--partner-name", "Sam"])
        run([sys.executable, make_journal, "--pattern", "mental-load", "--seed", "3", "--weeks", "30",
             "--both", "--socket", sock])
        page = os.path.join(work, "page.html")
        run([tandem, "--socket", sock, "report", "--window", "6m", "--html", page])
        if os.stat(page).st_mode & 0o077:
            fail("the page is readable by others: mode %o" % (os.stat(page).st_mode & 0o777))
        html = open(page, encoding="utf-8").read()
        check_static(html)

        shot, net = render(page, work, "page")
        check_screenshot(shot, 1000, 2000)
        page_urls, background = page_requests(net)
        hosts = sorted({re.sub(r"^(\w+://[^/?#]*).*$", r"\1", u) for u in background})
        print("net log: page requests %r; the browser's own background requests to %r "
              "(not the page's; DNS mapped to nothing)" % (page_urls, hosts))
        if page_urls:
            fail("the page asked for URLs over the network: %r" % page_urls)
        check_detector(work)
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in (page, shot, net):
                shutil.copy(f, a.keep)
        print("ok")
        return 0
    finally:
        if daemon is not None:
            daemon.terminate()
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
