#!/usr/bin/env bash
# Installs onedoor on a counter kiosk. Safe to run again: it never overwrites a
# config file and never touches case data. It says what it did.
#
#   ./install.sh                     build, install, write the default config, make the data directory
#   ./install.sh --prefix /opt/onedoor
#   ./install.sh --user clerk        the kiosk's login (added to the serial-port group 'dialout')
#   ./install.sh --uninstall         remove the binary (never the config or the data)
#
# Other options: --config-dir DIR, --data-dir DIR, --binary PATH (install a built
# binary instead of building), --no-group (do not touch group membership).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=false; [ "$(id -u)" -eq 0 ] && root=true

prefix=""; config_dir=""; data_dir=""; kiosk_user=""; binary=""; uninstall=false; group=true
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --config-dir) config_dir="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --user) kiosk_user="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --no-group) group=false; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "onedoor install: $*"; }

if $root; then
  bin_dir="${prefix:-/usr/local}/bin"
  config_dir="${config_dir:-/etc/onedoor}"
  kiosk_user="${kiosk_user:-${SUDO_USER:-}}"
else
  bin_dir="${prefix:+$prefix/bin}"; bin_dir="${bin_dir:-$HOME/.local/bin}"
  config_dir="${config_dir:-${XDG_CONFIG_HOME:-$HOME/.config}/onedoor}"
  kiosk_user="${kiosk_user:-$(id -un)}"
fi

if $uninstall; then
  if [ -e "$bin_dir/onedoor" ]; then
    rm -f "$bin_dir/onedoor"; say "removed $bin_dir/onedoor"
  else
    say "$bin_dir/onedoor was not installed"
  fi
  say "kept the config in $config_dir and all case data"
  exit 0
fi

# The kiosk user's data directory (their XDG data home), unless given.
if [ -z "$data_dir" ]; then
  if [ -n "$kiosk_user" ] && [ "$kiosk_user" != "$(id -un)" ]; then
    user_home="$(getent passwd "$kiosk_user" | cut -d: -f6)"
    [ -n "$user_home" ] || { echo "install.sh: no user '$kiosk_user'" >&2; exit 2; }
    data_dir="$user_home/.local/share/onedoor"
  else
    data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/onedoor"
  fi
fi

if [ -z "$binary" ]; then
  command -v cargo >/dev/null || { echo "install.sh: cargo is needed to build onedoor (https://rustup.rs)" >&2; exit 1; }
  say "building the release binary (cargo build --release --locked)"
  (cd "$here" && cargo build --release --locked --quiet)
  binary="$here/target/release/onedoor"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

mkdir -p "$bin_dir"
if [ -e "$bin_dir/onedoor" ] && cmp -s "$binary" "$bin_dir/onedoor"; then
  say "$bin_dir/onedoor is already this version"
else
  install -m 0755 "$binary" "$bin_dir/onedoor.new" && mv -f "$bin_dir/onedoor.new" "$bin_dir/onedoor"
  say "installed $bin_dir/onedoor"
fi

mkdir -p "$config_dir"
if [ -e "$config_dir/onedoor.toml" ]; then
  say "kept the existing $config_dir/onedoor.toml"
else
  install -m 0644 "$here/onedoor.toml.example" "$config_dir/onedoor.toml"
  say "wrote the default $config_dir/onedoor.toml (set town_code, town_name, window and devices there)"
fi

if [ -d "$data_dir" ]; then
  chmod 0700 "$data_dir"; say "kept the data directory $data_dir (mode 0700)"
else
  mkdir -p "$data_dir"; chmod 0700 "$data_dir"; say "created the data directory $data_dir (mode 0700)"
fi
if $root && [ -n "$kiosk_user" ] && [ "$kiosk_user" != root ]; then
  chown -R "$kiosk_user": "$data_dir"; say "$data_dir belongs to $kiosk_user"
fi

if $group && [ -n "$kiosk_user" ]; then
  if id -nG "$kiosk_user" 2>/dev/null | tr ' ' '\n' | grep -qx dialout; then
    say "$kiosk_user is already in the serial-port group dialout"
  elif ! getent group dialout >/dev/null; then
    say "there is no group dialout on this system; give $kiosk_user access to the serial ports by hand"
  elif $root; then
    usermod -aG dialout "$kiosk_user"; say "added $kiosk_user to dialout (log in again to use the card reader)"
  else
    say "run as root to add $kiosk_user to dialout (needed for the card reader and a serial printer)"
  fi
fi

case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) say "note: $bin_dir is not on PATH" ;;
esac
say "done: run 'onedoor' to open the counter"
