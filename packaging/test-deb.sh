#!/usr/bin/env bash
# Tests the Debian package the way a user gets it: builds tandem_VERSION_ARCH.deb with CPack,
# makes a fresh Debian 12 root with debootstrap (minbase), installs the .deb there with apt (so
# its dependencies resolve from Debian alone), and runs the tour's steps against the installed
# /usr/bin/tandemd and /usr/bin/tandem inside the chroot: start the daemon on a temporary data
# directory, init, add, list, show, a refused config file, stop.
#
# Usage: sudo packaging/test-deb.sh [BUILD_DIR]        (default BUILD_DIR: ./build-deb)
#   TANDEM_DEB=FILE      test this already built .deb instead of building one.
#   TANDEM_DEB_ROOT=DIR  build the Debian root in DIR and keep it; a later run reuses it and
#                        skips debootstrap (the slow part). Default: a temporary root, removed.
#
# Needs root (debootstrap, chroot, mounts) and the network: the Debian mirror is the one this
# machine's apt uses (/etc/apt/sources.list or sources.list.d). Installs debootstrap if missing.
# Not part of ctest: it takes minutes (see the timings it prints).
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
if [[ -z $mirror ]]; then echo "test-deb.sh: no $suite mirror in this machine's apt sources" >&2; exit 1; fi

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

root=${TANDEM_DEB_ROOT:-}
keep_root=1
if [[ -z $root ]]; then root=$(mktemp -d /var/tmp/tandem-deb-root-XXXXXX); keep_root=0; fi
mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  # Never delete through a mount that is still there.
  if ((keep_root == 0)) && ! findmnt -rno TARGET | grep -q "^$root/"; then
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT

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
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
cp /etc/resolv.conf "$root/etc/resolv.conf"

stamp "apt-get install ./tandem.deb inside the root"
cp "$deb" "$root/tmp/tandem.deb"
t0=$SECONDS
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/tandem.deb >/dev/null
echo "  install took $((SECONDS - t0))s"

stamp "the tour, against /usr/bin/tandemd and /usr/bin/tandem in the root"
cat >"$root/tmp/tour.sh" <<'TOUR'
set -euo pipefail
run() { printf '$ %s\n' "$*"; "$@"; }
for f in /usr/lib/systemd/user/tandemd.service /usr/share/man/man1/tandem.1.gz \
         /usr/share/man/man5/tandemd.toml.5.gz /usr/share/man/man8/tandemd.8.gz \
         /usr/share/bash-completion/completions/tandem /usr/share/zsh/vendor-completions/_tandem \
         /usr/share/fish/vendor_completions.d/tandem.fish /usr/share/doc/tandem/tandemd.toml.example; do
  [[ -f $f ]] || { echo "missing: $f"; exit 1; }
done
tmp=$(mktemp -d)
export HOME=$tmp/home TANDEM_SOCKET=$tmp/run/tandemd.sock
# A home as a user's usually is: ~/.config and ~/.local/share exist. (tandemd creates only the
# last level of its data directory; the systemd unit runs mkdir -p first.)
mkdir -p "$HOME/.config/tandem" "$HOME/.local/share" && chmod 700 "$tmp"
# The shipped example is a valid config; a bad key is refused with FILE:LINE.
cp /usr/share/doc/tandem/tandemd.toml.example "$HOME/.config/tandem/tandemd.toml"
echo 'listen_port = 1' >>"$HOME/.config/tandem/tandemd.toml"
if tandemd 2>"$tmp/err"; then echo "tandemd accepted an unknown key"; exit 1; fi
grep -q 'tandemd.toml:[0-9]*: unknown key "listen_port"' "$tmp/err" || { cat "$tmp/err"; exit 1; }
cat "$tmp/err"
sed -i '$d' "$HOME/.config/tandem/tandemd.toml"
tandemd --listen 127.0.0.1:0 --no-discovery 2>"$tmp/tandemd.log" &
pid=$!
for _ in $(seq 100); do [[ -S $TANDEM_SOCKET ]] && break; sleep 0.05; done
run tandem status
run tandem init --name Alex --partner-name Sam
run tandem add contribution --dimension household --by me --effort 2 --phase execute --on yesterday "cooked dinner"
run tandem add bid --bidder partner --response toward --heard 4 "asked about my day, phone away"
run tandem list
id=$(tandem list --json | grep -o '"id": *"[0-9a-f]*-[0-9]*"' | head -1 | sed 's/.*"\([0-9a-f]*-[0-9]*\)"/\1/')
run tandem show "$id"
[[ -d $HOME/.local/share/tandem/store ]] || { echo "not in the XDG data dir"; exit 1; }
kill -TERM "$pid"; wait "$pid"
echo "tandemd exited with status 0"
TOUR
chroot "$root" /bin/bash /tmp/tour.sh
stamp "ok: the package installs on a fresh Debian $suite and works"
