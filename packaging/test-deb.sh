#!/usr/bin/env bash
# Tests the Debian package the way a user gets it, following the README's steps: builds
# tandem_VERSION_ARCH.deb with CPack, makes a fresh Debian 12 root with debootstrap (minbase),
# and inside it, against the installed /usr/bin/tandemd and /usr/bin/tandem:
#   install   apt-get install ./tandem.deb (dependencies resolve from Debian alone)
#   configure the shipped example config is valid; a bad key is refused with FILE:LINE
#   install   apt-get install ./tandem.deb (dependencies resolve from Debian alone); the
#             programs, unit, man pages, completions, example config and examples are in place
#   configure the shipped example config is valid; a bad key is refused with FILE:LINE
#   service   tandemd started exactly as the installed user unit's ExecStartPre/ExecStart lines
#             say, reloaded as its ExecReload says (read from the unit file itself; no systemd
#             runs in the root; `systemd-analyze verify` checks the unit in ctest), data in
#             ~/.local/share/tandem, socket in $XDG_RUNTIME_DIR/tandem
#   use       init, add, list, show
#   upgrade   a newer build installed under the running daemon, which still answers; restart:
#             the same journal (its entry count and every entry)
#   pair      Sam, a second user with the unit's daemon of their own, joins with the code from
#             `tandem pair invite`; `tandem sync --wait`: Sam holds as many entries as Alex
#   tour      packaging/tour.sh against /usr/bin (TANDEM_BIN_DIR): entries of every kind,
#             thanks, list, show, no plaintext on disk, the report, two daemons pair and connect
#   remove    apt-get remove deletes every file of the package and keeps the journal and
#             config; a reinstall finds them
#   purge     apt-get purge likewise, and leaves the journal for the user to delete
#
# Usage: sudo packaging/test-deb.sh [BUILD_DIR]        (default BUILD_DIR: ./build-deb)
#   TANDEM_DEB=FILE      test this already built .deb instead of building one.
#   TANDEM_DEB_OLD=FILE  upgrade from this older .deb (default: TANDEM_DEB repacked as V~pre1).
#   TANDEM_DEB_ROOT=DIR  build the Debian root in DIR and keep it; a later run reuses it and
#                        skips debootstrap (the slow part). Default: a temporary root, removed.
#
# Needs root (debootstrap, chroot, mounts) and the network: the Debian mirror is the one this
# machine's apt uses (/etc/apt/sources.list or sources.list.d). Installs debootstrap if missing.
# Exit status: 0 ok; 1 a step failed (its output says which); 2 not run as root; 77 this machine
# cannot run the test (no reachable mirror, no permission to mount): packaging/test.sh reports it
# as skipped. Two to three minutes, most of them debootstrap (see the timings it prints; under
# 40 s with a kept root); CI runs it from packaging/test.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-deb}
suite=bookworm
start=$SECONDS
stamp() { printf '\n\033[1m== %s (%ss)\033[0m\n' "$*" "$((SECONDS - start))"; }

if [[ $(id -u) -ne 0 ]]; then echo "test-deb.sh: run as root (debootstrap and chroot)" >&2; exit 2; fi

# The Debian mirror apt already uses for $suite (one-line or deb822 sources).
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                         if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, a, /[ \t]+/); for (j = 2; j <= n; j++) if (a[j] == s) ok = 1 }
          if ($i ~ /^Enabled:[ \t]*no/) ok = 0
        }
        if (deb && ok && uri != "") { print uri; exit } }' "$f"
  done
}
mirror=$(debian_mirror | head -n1)
if [[ -z $mirror ]]; then echo "test-deb.sh: no $suite mirror in this machine's apt sources" >&2; exit 77; fi
# Can this machine reach it? (A TCP connection to the mirror's host, 10 s at most.)
mirror_host=$(sed -E 's#^[a-z+]+://([^/:]+).*#\1#' <<<"$mirror")
mirror_port=80
[[ $mirror == https://* ]] && mirror_port=443
if ! timeout 10 bash -c "exec 3<>/dev/tcp/$mirror_host/$mirror_port" 2>/dev/null; then
  echo "test-deb.sh: the Debian mirror $mirror is unreachable from here" >&2
  exit 77
fi

stamp "debootstrap (installing it if missing)"
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

if [[ -n ${TANDEM_DEB:-} ]]; then
  deb=$TANDEM_DEB
else
  stamp "building the package in $build"
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_TESTS=OFF \
    -DTANDEM_BENCH=OFF >/dev/null
  cmake --build "$build" --parallel "$(nproc)" >/dev/null
  rm -f "$build"/tandem_*.deb
  (cd "$build" && cpack -G DEB >/dev/null)
  deb=$(ls "$build"/tandem_*.deb)
fi
dpkg-deb -I "$deb" | sed -n 's/^ \(Package\|Version\|Depends\|Installed-Size\):/  \1:/p'
echo "  size: $(stat -c %s "$deb") bytes"
# The examples README tells users to `npm ci` in capnp_frontend, which needs the lock file.
contents=$(dpkg-deb -c "$deb")
for f in package.json package-lock.json frontend.mjs; do
  grep -q "/share/doc/tandem/examples/capnp_frontend/$f\$" <<<"$contents" ||
    { echo "test-deb.sh: the package lacks examples/capnp_frontend/$f" >&2; exit 1; }
done

root=${TANDEM_DEB_ROOT:-}
keep_root=1
if [[ -z $root ]]; then root=$(mktemp -d /var/tmp/tandem-deb-root-XXXXXX); keep_root=0; fi
mounted=()
cleanup() {
  local m
  # A daemon a failed step left running in the root.
  local f
  for f in "$root/tmp/tandemd.pid" "$root/tmp/sam-tandemd.pid"; do
    if [[ -f $f ]]; then kill -TERM "$(cat "$f")" 2>/dev/null || true; fi
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  # Never delete through a mount that is still there.
  if ((keep_root == 0)) && ! findmnt -rno TARGET | grep -q "^$root/"; then
    rm -rf --one-file-system "$root"
    rm -f "$root.debootstrap.log"
  fi
  if [[ -n ${work:-} ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
# Stopped (test.sh's timeout, Ctrl-C): still unmount, stop the daemon and remove the root.
trap 'exit 124' TERM INT

if [[ -f $root/etc/debian_version ]]; then
  stamp "reusing the Debian root in $root"
else
  stamp "debootstrap --variant=minbase $suite $root $mirror"
  t0=$SECONDS
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log"; exit 1; }
  rm -f "$root.debootstrap.log"
  echo "  debootstrap took $((SECONDS - t0))s"
fi
if ! mount -t proc proc "$root/proc"; then
  echo "test-deb.sh: cannot mount in this environment (a container without CAP_SYS_ADMIN?)" >&2
  exit 77
fi
mounted+=("$root/proc")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The package to upgrade from: TANDEM_DEB_OLD, else the package under test repacked under a lower
# version (V~pre1). The repack has the same files, so it checks the upgrade path itself (dpkg
# replaces every file, the user's data and config stay, the daemon restarts on the new binaries),
# not a migration between two releases' stores; pass an older release's .deb for that.
version=$(dpkg-deb -f "$deb" Version)
if [[ -n ${TANDEM_DEB_OLD:-} ]]; then
  old=$TANDEM_DEB_OLD
else
  work=$(mktemp -d)
  dpkg-deb -R "$deb" "$work/pkg"
  sed -i "s/^Version: .*/Version: $version~pre1/" "$work/pkg/DEBIAN/control"
  old=$work/tandem-old.deb
  dpkg-deb --root-owner-group -b "$work/pkg" "$old" >/dev/null
  rm -rf "$work/pkg"
fi
old_version=$(dpkg-deb -f "$old" Version)
cp "$deb" "$root/tmp/tandem.deb"
cp "$old" "$root/tmp/tandem-old.deb"
cp "$here/packaging/tour.sh" "$root/tmp/tour.sh"

# Each step runs in the root as a user would, with one home and runtime directory throughout.
user_env=(env -i PATH=/usr/bin:/bin HOME=/tmp/tandem-home XDG_RUNTIME_DIR=/tmp/tandem-run
  TERM=dumb LANG=C.UTF-8)
step() { chroot "$root" "${user_env[@]}" /bin/bash -c "set -euo pipefail; . /tmp/lib.sh; $1"; }
# (apt's download sandbox user cannot read a .deb root copied in; the root is throwaway.)
apt_in_root() {
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root "$@" -y -qq \
    >/dev/null 2> >(grep -v '^debconf: delaying' >&2)
}
installed_version() { chroot "$root" dpkg-query -W -f '${Status} ${Version}' tandem 2>/dev/null || true; }

rm -rf "$root/tmp/tandem-home" "$root/tmp/tandem-run" "$root"/tmp/tandemd.{pid,log} \
  "$root/tmp/sam-home" "$root/tmp/sam-run" "$root"/tmp/sam-tandemd.{pid,log} "$root/tmp/package-files"
cat >"$root/tmp/lib.sh" <<'LIB'
run() { printf '$ %s\n' "$*"; "$@"; }
# The daemon started as the unit: its pid and log (Sam's, a second user, has their own).
pidfile=/tmp/tandemd.pid logfile=/tmp/tandemd.log
# Runs a command (or a function here) as Sam, a second user on the same machine.
as_sam() {
  HOME=/tmp/sam-home XDG_RUNTIME_DIR=/tmp/sam-run pidfile=/tmp/sam-tandemd.pid \
    logfile=/tmp/sam-tandemd.log "$@"
}
# A JSON document's first string or number value for KEY (no python3 or jq in the root).
json_field() { grep -o "\"$1\":\(\"[^\"]*\"\|[0-9]*\)" | head -n1 | cut -d: -f2 | tr -d "\""; }
# What the README says the package installs (install, remove and purge check them by name).
readme_files=(/usr/bin/tandemd /usr/bin/tandem /usr/lib/systemd/user/tandemd.service
  /usr/share/man/man1/tandem.1.gz /usr/share/man/man5/tandemd.toml.5.gz
  /usr/share/man/man8/tandemd.8.gz /usr/share/bash-completion/completions/tandem
  /usr/share/zsh/vendor-completions/_tandem /usr/share/fish/vendor_completions.d/tandem.fish
  /usr/share/doc/tandem/tandemd.toml.example /usr/share/doc/tandem/examples/README.md
  /usr/share/doc/tandem/examples/watch_and_add.py
  /usr/share/doc/tandem/examples/capnp_frontend/frontend.mjs
  /usr/share/doc/tandem/examples/capnp_frontend/package.json
  /usr/share/doc/tandem/examples/capnp_frontend/package-lock.json)
# After remove or purge: nothing of the package is left, neither a file the README names nor any
# file dpkg listed for it while installed (/tmp/package-files); the journal and config are kept.
check_gone_journal_kept() {
  local f left=0
  while read -r f; do if [[ -e $f || -L $f ]]; then echo "left behind: $f"; left=1; fi; done \
    < <(printf '%s\n' "${readme_files[@]}"; cat /tmp/package-files)
  ((left == 0)) || exit 1
  echo "all $(wc -l </tmp/package-files) files of the package are gone"
  for f in store keys/storage.key keys/device.sign keys/space.key; do
    [[ -e $HOME/.local/share/tandem/$f ]] || { echo "lost $f"; exit 1; }
  done
  [[ -f $HOME/.config/tandem/tandemd.toml ]] || { echo "lost the config"; exit 1; }
  echo "journal and config kept"
}
# The user unit as installed (wherever the package puts it) and one of its lines, without
# systemd's prefixes (+ - @ : !), with %h, %t and $MAINPID expanded as systemd would.
unit_file() { dpkg -L tandem | grep '/systemd/user/tandemd\.service$'; }
unit_line() {
  local pid=""
  [[ -f $pidfile ]] && pid=$(cat "$pidfile")
  sed -n "s/^$1=[-+@:!]*//p" "$(unit_file)" |
    sed "s#%h#$HOME#g; s#%t#$XDG_RUNTIME_DIR#g; s#\\\$MAINPID#$pid#g; s#\\\${MAINPID}#$pid#g"
}
# Starts tandemd the way the user unit does: its ExecStartPre and ExecStart lines, read from the
# installed unit, in the runtime directory systemd would make (0700).
start_as_unit() {
  local pre exec line
  pre=$(unit_line ExecStartPre)
  exec=$(unit_line ExecStart)
  [[ -n $exec ]] || { echo "no ExecStart in $(unit_file)"; exit 1; }
  mkdir -p -m 0700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/tandem"
  while read -r line; do if [[ -n $line ]]; then echo "ExecStartPre: $line"; $line; fi; done <<<"$pre"
  echo "ExecStart: $exec"
  $exec 2>>"$logfile" &
  echo $! >"$pidfile"
  for _ in $(seq 200); do [[ -S $XDG_RUNTIME_DIR/tandem/tandemd.sock ]] && return; sleep 0.05; done
  echo "tandemd did not start:"; cat "$logfile"; exit 1
}
# systemctl --user reload: the unit's ExecReload line, $MAINPID being the running daemon.
reload_as_unit() {
  local reload; reload=$(unit_line ExecReload)
  [[ -n $reload ]] || { echo "no ExecReload in $(unit_file)"; exit 1; }
  echo "ExecReload: $reload"
  $reload
}
running() { kill -0 "$(cat "$pidfile")" 2>/dev/null; }
entry_count() { tandem status | sed -n 's/^entries: *//p'; }
stop_daemon() {
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || { echo "tandemd stopped"; return; }; sleep 0.05; done
  echo "tandemd did not stop"; exit 1
}
LIB

stamp "install: apt-get install ./tandem.deb ($old_version) inside the root"
t0=$SECONDS
chroot "$root" apt-get -o APT::Sandbox::User=root update -qq
# A reused root may hold tandem from an earlier run.
if [[ -n $(installed_version) && $(installed_version) != *not-installed* ]]; then apt_in_root purge tandem; fi
apt_in_root install --no-install-recommends /tmp/tandem-old.deb
echo "  install took $((SECONDS - t0))s"
[[ $(installed_version) == "install ok installed $old_version" ]] || { installed_version; exit 1; }
# systemctl --user enable: no user manager runs in the root (nor on a machine not booted with
# systemd), so the unit is enabled offline, as systemctl does it for every user (--global): its
# [Install] section must resolve and the link must land where a user manager looks for it.
systemctl --root="$root" --global enable tandemd.service
wants=$root/etc/systemd/user/default.target.wants/tandemd.service
[[ -L $wants && -f $root$(readlink "$wants") ]] || { echo "enable made no working link: $wants"; exit 1; }
echo "systemctl --global enable: $(readlink "$wants")"
systemctl --root="$root" --global disable tandemd.service
[[ ! -e $wants ]] || { echo "disable left $wants"; exit 1; }

stamp "configure, start as the unit does, use: against /usr/bin/tandemd and /usr/bin/tandem"
step '
for f in "${readme_files[@]}"; do [[ -s $f ]] || { echo "missing or empty: $f"; exit 1; }; done
grep -q "\"lockfileVersion\"" /usr/share/doc/tandem/examples/capnp_frontend/package-lock.json ||
  { echo "examples/capnp_frontend/package-lock.json is not an npm lock file"; exit 1; }
echo "the programs, unit, man pages, completions, example config and examples are installed"
# A home as a user'"'"'s usually is: ~/.config and ~/.local/share exist.
mkdir -p -m 0700 "$HOME" && mkdir -p "$HOME/.config/tandem" "$HOME/.local/share"
# The shipped example is a valid config; a bad key is refused with FILE:LINE.
conf=$HOME/.config/tandem/tandemd.toml
cp /usr/share/doc/tandem/tandemd.toml.example "$conf"
echo "listen_port = 1" >>"$conf"
if tandemd 2>/tmp/err; then echo "tandemd accepted an unknown key"; exit 1; fi
grep -q "tandemd.toml:[0-9]*: unknown key \"listen_port\"" /tmp/err || { cat /tmp/err; exit 1; }
cat /tmp/err
sed -i "\$d" "$conf"
# Configure as the README says: loopback only, no LAN beacons (this test shares the host network).
printf "listen = \"127.0.0.1:0\"\ndiscovery = false\n" >>"$conf"
start_as_unit
run tandem status
run tandem init --name Alex --partner-name Sam
run tandem add contribution --dimension household --by me --effort 2 --phase execute --on yesterday "cooked dinner"
id=$(tandem -q add bid --bidder partner --response toward --heard 4 "asked about my day, phone away")
run tandem list
run tandem show "$id"
# systemctl --user reload (ExecReload: SIGHUP): the daemon re-reads its config and stays up.
reload_as_unit; sleep 0.3
running || { echo "tandemd exited on reload"; cat "$logfile"; exit 1; }
run tandem status | grep -q "^initialized: *yes"
[[ -d $HOME/.local/share/tandem/store ]] || { echo "not in the XDG data dir"; exit 1; }
[[ -S $XDG_RUNTIME_DIR/tandem/tandemd.sock ]] || { echo "socket not in the runtime dir"; exit 1; }
tandem list --json >/tmp/before.json
entry_count >/tmp/before.count
echo "entries before the upgrade: $(cat /tmp/before.count)"
[[ $(cat /tmp/before.count) -ge 2 ]] || { echo "expected at least the 2 entries just added"; exit 1; }
'

stamp "upgrade: apt-get install a newer build ($version) under the running daemon, restart"
step 'running || { echo "tandemd is not running before the upgrade"; exit 1; }'
apt_in_root install --no-install-recommends /tmp/tandem.deb
[[ $(installed_version) == "install ok installed $version" ]] || { installed_version; exit 1; }
step '
# dpkg replaced the files under it: the old daemon still runs and answers the new client.
running || { echo "tandemd died during the upgrade"; cat "$logfile"; exit 1; }
[[ $(entry_count) == $(cat /tmp/before.count) ]] || { echo "the running daemon lost entries"; exit 1; }
echo "the running daemon answered the upgraded tandem"
# systemctl --user restart tandemd
stop_daemon
start_as_unit
[[ $(entry_count) == $(cat /tmp/before.count) ]] ||
  { echo "entries: $(cat /tmp/before.count) before the upgrade, $(entry_count) after"; exit 1; }
tandem list --json >/tmp/after.json
cmp /tmp/before.json /tmp/after.json || { echo "the journal changed across the upgrade"; exit 1; }
echo "after the upgrade and a restart: the same $(cat /tmp/before.count) entries"
run tandem add appreciation --to partner "for the dinner"
run tandem status
stop_daemon
'

stamp "pair as the README says: Sam, with a unit of their own, joins with the code; tandem sync --wait"
step '
start_as_unit
mkdir -p -m 0700 /tmp/sam-home && mkdir -p /tmp/sam-home/.config/tandem /tmp/sam-home/.local/share
printf "listen = \"127.0.0.1:0\"\ndiscovery = false\n" >/tmp/sam-home/.config/tandem/tandemd.toml
as_sam start_as_unit
echo "$ tandem pair invite"
tandem pair invite --json >/tmp/invite.out &
invite=$!
for _ in $(seq 200); do [[ -s /tmp/invite.out ]] && break; sleep 0.05; done
code=$(head -n1 /tmp/invite.out | json_field code)
port=$(head -n1 /tmp/invite.out | json_field port)
[[ -n $code && -n $port ]] || { echo "no code from tandem pair invite"; cat /tmp/invite.out; exit 1; }
run as_sam tandem pair join "$code" --name Sam --address "127.0.0.1:$port"
wait "$invite"
run as_sam tandem sync --wait --timeout 60
for _ in $(seq 50); do [[ $(as_sam entry_count) == $(entry_count) ]] && break; sleep 0.1; done
[[ $(as_sam entry_count) == $(entry_count) ]] ||
  { echo "after sync --wait: Alex has $(entry_count) entries, Sam $(as_sam entry_count)"; exit 1; }
as_sam tandem list | grep -q "for the dinner" || { echo "Sam does not see Alex'"'"'s entry"; exit 1; }
echo "Sam holds the same $(entry_count) entries as Alex, Alex'"'"'s notes readable"
as_sam stop_daemon
tandem list --json >/tmp/kept.json
stop_daemon
'

stamp "tour: packaging/tour.sh against the installed /usr/bin/tandemd and /usr/bin/tandem"
t0=$SECONDS
chroot "$root" "${user_env[@]}" TANDEM_BIN_DIR=/usr/bin /bin/bash /tmp/tour.sh
echo "  the tour took $((SECONDS - t0))s"

stamp "uninstall: apt-get remove deletes the package's files and keeps the journal; a reinstall finds it"
# Every file dpkg installed for the package, to check that remove and purge delete them all.
step 'dpkg -L tandem | while read -r f; do if [[ -f $f || -L $f ]]; then echo "$f"; fi; done >/tmp/package-files'
apt_in_root remove tandem
[[ $(installed_version) == "deinstall ok config-files $version" || -z $(installed_version) ||
   $(installed_version) == "deinstall ok not-installed $version" ]] || { installed_version; exit 1; }
step 'check_gone_journal_kept'
apt_in_root install --no-install-recommends /tmp/tandem.deb
step '
start_as_unit
tandem list --json | cmp - /tmp/kept.json || { echo "the journal changed across remove and reinstall"; exit 1; }
echo "after a reinstall: the same journal"
stop_daemon
'

stamp "purge: apt-get purge removes the package; the journal stays until you delete it"
apt_in_root purge tandem
[[ -z $(installed_version) || $(installed_version) == *not-installed* ]] || { installed_version; exit 1; }
step '
check_gone_journal_kept
[[ ! -e /usr/share/doc/tandem ]] || { echo "docs left after purge"; exit 1; }
run rm -rf "$HOME/.local/share/tandem" "$HOME/.config/tandem" /tmp/sam-home
'
stamp "ok: install, configure, run as the unit, upgrade, pair and sync, the tour, remove, reinstall and purge on a fresh Debian $suite"
