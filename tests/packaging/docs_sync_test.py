#!/usr/bin/env python3
"""The man pages and shell completions say what the binaries do.

Runs `tandem --help`, `tandem CMD --help` and `tandem add KIND --help` for every command and kind,
and `tandemd --help`; every command, kind and flag must appear in tandem.1 and in each
completion file (bash, zsh, fish), every tandemd flag in tandemd.8, every config key (from
daemon/config/settings.hpp) in tandemd.toml.5 and the example config, and every exit code of the
CLI's epilog in tandem.1. Completions must also offer the values of enum flags, and each file
must be valid for its shell when that shell is installed.

Stale entries fail too: the completions are regenerated into a temporary directory and must equal
the committed files byte for byte; every flag the completions and tandem.1 name, and every command
tandem.1 gives a section, must exist in the CLI's --help. tandemd.8's EXIT STATUS must list exactly
the exit codes of tandemd --help, and every code tandemd's main and app return. The README's local
API section must name every request, response, event and error code of proto/api.capnp.

Usage: docs_sync_test.py --tandem BIN --tandemd BIN --source DIR
When it fails: fix the man page or README by hand; regenerate completions with
packaging/completions/generate.py BIN (the man pages have no generator).
"""
import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
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


FLAG_WORD = r"(?<![\w-])--[a-z][\w-]*"
COMPLETION_FILES = ["tandem.bash", "_tandem", "tandem.fish"]


def check_generated(tandem, pkg):
    """The committed completions are exactly what the generator writes now."""
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([sys.executable, str(pkg / "completions/generate.py"), tandem, tmp],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"generate.py exited {r.returncode}: {r.stderr.strip()}")
            return
        for name in COMPLETION_FILES:
            fresh = (Path(tmp) / name).read_text()
            committed = (pkg / "completions" / name).read_text()
            if fresh != committed:
                diff = list(difflib.unified_diff(committed.splitlines(), fresh.splitlines(),
                                                 f"committed/{name}", f"generated/{name}",
                                                 lineterm="", n=0))
                fail(f"packaging/completions/{name} is out of date: run "
                     f"packaging/completions/generate.py {tandem} and commit the result\n  " +
                     "\n  ".join(diff[:12]))


def check_no_stale(man1, completions, commands, subcommands, all_flags):
    """Nothing the docs name is gone from the CLI: flags, commands, subcommands."""
    known = set(all_flags) | {"--help"}
    for flag in sorted(set(re.findall(FLAG_WORD, man1)) - known):
        fail(f"tandem.1 names {flag}, which no tandem --help lists (a stale entry?)")
    named = {
        "bash": set(re.findall(FLAG_WORD, completions["bash"])),
        "zsh": set(re.findall(r"'(--[a-z][\w-]*)=?\[", completions["zsh"])),
        "fish": {"--" + f for f in re.findall(r"-l ([a-z][\w-]*)", completions["fish"])},
    }
    for shell, flags in named.items():
        if not flags:
            fail(f"no flags found in the {shell} completion")
        for flag in sorted(flags - known):
            fail(f"the {shell} completion offers {flag}, which no tandem --help lists")
    fish_cmds = re.search(r"not __fish_seen_subcommand_from ([\w -]+)'", completions["fish"])
    for word in (fish_cmds.group(1).split() if fish_cmds else []):
        if word not in commands:
            fail(f"the fish completion offers the command '{word}', which tandem --help lacks")
    headings = re.findall(r'^\.SS "(tandem .*)"$', man1, re.M)
    if len(headings) < 10:
        fail(f"found only {len(headings)} command sections in tandem.1")
    for heading in headings:
        for m in re.finditer(r"tandem ([a-z][\w-]*)(?: ([a-z][\w|-]*))?", heading):
            cmd, sub = m.group(1), m.group(2)
            if cmd not in commands:
                fail(f"tandem.1 has a section for 'tandem {cmd}', which tandem --help lacks")
            elif sub and subcommands.get(cmd):
                for s in sub.split("|"):
                    if s not in subcommands[cmd]:
                        fail(f"tandem.1 has a section for 'tandem {cmd} {s}', which "
                             f"tandem {cmd} --help lacks")


def exit_codes_of(text):
    """{code: meaning} of an "Exit codes: 0 ...; 1 ...; 2 ..." sentence."""
    m = re.search(r"Exit codes:(.*?)(?:\.\s*$|\.\n|$)", text.replace("\n", " "), re.S)
    if not m:
        return {}
    return {int(c): w.strip() for c, w in re.findall(r"(\d+) ([^;]+)", m.group(1))}


def check_daemon_exit_codes(daemon_help, man8, source):
    documented = exit_codes_of(daemon_help)
    if len(documented) < 3:
        fail(f"tandemd --help documents too few exit codes: {documented}")
    section = man8.split(".SH EXIT STATUS", 1)
    if len(section) < 2:
        fail("tandemd.8 has no EXIT STATUS section")
        return
    in_man = {int(c) for c in re.findall(r"^\.B (\d+)$", section[1].split(".SH", 1)[0], re.M)}
    for code in sorted(set(documented) - in_man):
        fail(f"tandemd.8's EXIT STATUS lacks exit code {code} ({documented[code]})")
    for code in sorted(in_man - set(documented)):
        fail(f"tandemd.8's EXIT STATUS lists exit code {code}, which tandemd --help does not")
    returned = set()
    for path in [source / "daemon/main.cpp", source / "daemon/app/daemon.cpp"]:
        returned |= {int(c) for c in re.findall(r"\breturn (\d+);", path.read_text())}
    if not returned:
        fail("no exit codes found in daemon/main.cpp and daemon/app/daemon.cpp")
    for code in sorted(returned - set(documented)):
        fail(f"tandemd can exit {code} (daemon/main.cpp or app/daemon.cpp), but --help does not "
             f"document it")


def capnp_block(text, head):
    """The body of the first `head {` ... matching `}` in a capnp file."""
    start = text.find(head + " {")
    if start < 0:
        return ""
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1:j]
    return ""


def union_members(text, struct):
    body = capnp_block(text, "struct " + struct)
    union = capnp_block(body, "union") if "union {" in body else ""
    return re.findall(r"^\s*(\w+) @\d+", re.sub(r"#.*", "", union), re.M)


def check_readme_api(source):
    api = (source / "proto/api.capnp").read_text()
    readme = (source / "README.md").read_text()
    section = readme.split("\n## The local API", 1)
    if len(section) < 2:
        fail("README.md has no '## The local API' section")
        return 0
    section = section[1].split("\n## ", 1)[0]
    # Names count where the README shows them as code: inline `...` spans and ``` blocks.
    code = " ".join(re.findall(r"```.*?```", section, re.S) + re.findall(r"`[^`\n]+`", section))
    words = set(re.findall(r"\w+", code))
    groups = {
        "request": union_members(api, "Request"),
        "response": union_members(api, "Response"),
        "event": union_members(api, "Event"),
        "error code": re.findall(r"^\s*(\w+) @\d+", re.sub(r"#.*", "", capnp_block(api, "enum ErrorCode")), re.M),
    }
    for what, names in groups.items():
        if len(names) < 2:
            fail(f"found too few {what}s in proto/api.capnp: {names}")
        for name in names:
            if name not in words:
                fail(f"README.md's local API section does not name the {what} {name}")
    return sum(len(n) for n in groups.values())


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
    subcommands = {}
    if len(commands) < 5:
        fail(f"found only {commands} in tandem --help")
    words = list(commands)
    checked = 1
    for cmd in commands:
        text = run_help(a.tandem, cmd)
        all_flags.update(flags_of(text))
        checked += 1
        subcommands[cmd] = names_of(text)
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

    check_generated(a.tandem, pkg)
    check_no_stale(man1, completions, commands, subcommands, all_flags)

    # Exit codes: each one of the epilog is in tandem.1's EXIT STATUS.
    codes = re.findall(r"(\d) (?:ok|the daemon|usage|protocol)", top.replace("\n", " "))
    exit_section = man1.split(".SH EXIT STATUS", 1)[-1].split(".SH", 1)[0]
    if len(codes) < 5:
        fail(f"exit codes not found in tandem --help: {codes}")
    for code in codes:
        if f".B {code}\n" not in exit_section:
            fail(f"tandem.1's EXIT STATUS lacks exit code {code}")

    # The daemon.
    daemon_help = run_help(a.tandemd)
    daemon_flags = flags_of(daemon_help)
    check_daemon_exit_codes(daemon_help, man8, a.source)
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

    api_names = check_readme_api(a.source)

    print(f"checked {checked} help texts, {len(words)} commands and kinds, {len(all_flags)} "
          f"CLI flags, {len(daemon_flags)} daemon flags, {len(keys)} config keys, "
          f"{api_names} API names")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
