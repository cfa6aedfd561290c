#!/usr/bin/env python3
"""The man pages and shell completions say what the binaries do.

Runs `tandem --help`, `tandem CMD --help` and `tandem add KIND --help` for every command and kind,
and `tandemd --help`; every command, kind and flag must appear in tandem.1 and in each
completion file (bash, zsh, fish), every tandemd flag in tandemd.8, every config key (from
daemon/config/settings.hpp) in tandemd.toml.5 and the example config, and every exit code of the
CLI's epilog in tandem.1. Completions must also offer the values of enum flags, and each file
must be valid for its shell when that shell is installed.

Usage: docs_sync_test.py --tandem BIN --tandemd BIN --source DIR
When it fails: fix the man page by hand; regenerate completions with
packaging/completions/generate.py BIN.
"""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

failures = []


def fail(msg):
    failures.append(msg)


def run_help(binary, *args):
    r = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        fail(f"{' '.join([binary, *args])} --help exited {r.returncode}")
    return r.stdout


def section(text, title):
    out, inside = [], False
    for line in text.splitlines():
        if line.rstrip() == title:
            inside = True
        elif inside:
            if not line.strip():
                break
            out.append(line)
    return out


def flags_of(text):
    flags = {}
    for line in section(text, "Options:"):
        m = re.match(r"^\s+(?:-\w,)?(--[\w-]+)\s*(.*)$", line)
        if m:
            flags[m.group(1)] = m.group(2)
    return flags


def names_of(text):
    return [l.split()[0] for l in section(text, "Subcommands:")]


def enum_values(desc):
    tail = re.search(r":\s*([\w-]+(?:\|[\w-]+)+)\s*$", desc)
    if not tail or re.search(r"[A-Z]{3,}:\s*[\w-]+\|", desc):
        return []
    return tail.group(1).split("|")


def roff_text(path):
    text = path.read_text()
    text = re.sub(r"\\f[BIRP]", "", text)
    return text.replace("\\-", "-").replace("\\e", "\\")


def has_word(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def has_flag(text, flag, fish=False):
    if has_word(text, flag):
        return True
    return fish and re.search(r"-l " + re.escape(flag[2:]) + r"(?![\w-])", text) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--tandemd", required=True)
    ap.add_argument("--source", required=True, type=Path)
    a = ap.parse_args()
    pkg = a.source / "packaging"
    man1 = roff_text(pkg / "man/tandem.1")
    man8 = roff_text(pkg / "man/tandemd.8")
    man5 = roff_text(pkg / "man/tandemd.toml.5")
    completions = {
        "bash": (pkg / "completions/tandem.bash").read_text(),
        "zsh": (pkg / "completions/_tandem").read_text(),
        "fish": (pkg / "completions/tandem.fish").read_text(),
    }

    # The CLI: commands, kinds, flags, enum values.
    top = run_help(a.tandem)
    all_flags = dict(flags_of(top))
    commands = names_of(top)
    if len(commands) < 5:
        fail(f"found only {commands} in tandem --help")
    words = list(commands)
    checked = 1
    for cmd in commands:
        text = run_help(a.tandem, cmd)
        all_flags.update(flags_of(text))
        checked += 1
        for kind in names_of(text):
            words.append(kind)
            all_flags.update(flags_of(run_help(a.tandem, cmd, kind)))
            checked += 1
    for word in words:
        if not has_word(man1, word):
            fail(f"tandem.1 does not mention '{word}'")
        for shell, text in completions.items():
            if not has_word(text, word):
                fail(f"the {shell} completion does not offer '{word}'")
    for flag, desc in sorted(all_flags.items()):
        if not has_flag(man1, flag):
            fail(f"tandem.1 does not document {flag}")
        for shell, text in completions.items():
            if flag != "--help" and not has_flag(text, flag, fish=(shell == "fish")):
                fail(f"the {shell} completion lacks {flag}")
            for value in enum_values(desc):
                if not has_word(text, value):
                    fail(f"the {shell} completion does not offer {flag} {value}")

    # Exit codes: each one of the epilog is in tandem.1's EXIT STATUS.
    codes = re.findall(r"(\d) (?:ok|the daemon|usage|protocol)", top.replace("\n", " "))
    exit_section = man1.split(".SH EXIT STATUS", 1)[-1].split(".SH", 1)[0]
    if len(codes) < 5:
        fail(f"exit codes not found in tandem --help: {codes}")
    for code in codes:
        if f".B {code}\n" not in exit_section:
            fail(f"tandem.1's EXIT STATUS lacks exit code {code}")

    # The daemon.
    daemon_flags = flags_of(run_help(a.tandemd))
    for flag in ["--config", "--data-dir", "--socket", "--listen", "--discovery",
                 "--no-discovery", "--peer", "--log-level"]:
        if flag not in daemon_flags:
            fail(f"tandemd --help lacks {flag}")
    for flag in daemon_flags:
        if not has_flag(man8, flag):
            fail(f"tandemd.8 does not document {flag}")
        if flag not in ("--help", "--version", "--config") and not has_flag(man5, flag):
            fail(f"tandemd.toml.5 does not name the flag {flag} beside its key")

    # Config keys, from the parser's own table.
    header = (a.source / "daemon/config/settings.hpp").read_text()
    table = re.search(r"kConfigKeys\[\]\s*=\s*\{([^}]*)\}", header)
    keys = re.findall(r'"(\w+)"', table.group(1)) if table else []
    if len(keys) < 6:
        fail(f"config keys not found in settings.hpp: {keys}")
    example = (pkg / "tandemd.toml.example").read_text()
    keys_section = man5.split(".SH KEYS", 1)[-1].split(".SH", 1)[0]
    for key in keys:
        if not re.search(r"^\.BR? " + key + r"\b", keys_section, re.M):
            fail(f"tandemd.toml.5's KEYS section lacks {key}")
        if not re.search(r"^# " + key + " = ", example, re.M):
            fail(f"tandemd.toml.example lacks '# {key} = ...'")

    # Syntax, where the shell is here.
    for shell, path, args in [("bash", "tandem.bash", ["-n"]), ("zsh", "_tandem", ["-n"]),
                              ("fish", "tandem.fish", ["--no-execute"])]:
        if shutil.which(shell):
            r = subprocess.run([shell, *args, str(pkg / "completions" / path)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"{shell} rejects {path}: {r.stderr.strip()}")

    print(f"checked {checked} help texts, {len(words)} commands and kinds, {len(all_flags)} "
          f"CLI flags, {len(daemon_flags)} daemon flags, {len(keys)} config keys")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
