#!/usr/bin/env bash
# Installs onedoor on a counter kiosk. Safe to run again: it never overwrites a
# config file and never touches case data. It says what it did.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: ./install.sh [OPTIONS]

Builds and installs onedoor, writes the default config if there is none, makes
the data directory (mode 0700) and adds the kiosk user to the serial-port group.
Safe to run again: never overwrites a config, never touches case data.

  --prefix DIR       install under DIR/bin (default /usr/local as root, else ~/.local)
  --user NAME        the kiosk's login (default: the user who ran sudo, or you)
  --config-dir DIR   where onedoor.toml is (default /etc/onedoor as root, else ~/.config/onedoor)
  --data-dir DIR     where the case store is (default: the kiosk user's ~/.local/share/onedoor)
  --binary PATH      install this built binary instead of building one
  --no-group         do not touch group membership
  --uninstall        remove the program (never the config or the data)
  -h, --help         this text

With a --config-dir or --data-dir of your own, the installed 'onedoor' is a
small launcher that points the program at them (ONEDOOR_CONFIG, ONEDOOR_DATA).
TXT
}

fail() { echo "install.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
root=false; [ "$(id -u)" -eq 0 ] && root=true

prefix=""; config_dir=""; data_dir=""; kiosk_user=""; binary=""; uninstall=false; group=true
custom_config=false; custom_data=false
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix|--config-dir|--data-dir|--user|--binary)
      [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || fail "$1 needs a value (see --help)"
      case "$1" in
        --prefix) prefix="$2" ;;
        --config-dir) config_dir="$2"; custom_config=true ;;
        --data-dir) data_dir="$2"; custom_data=true ;;
        --user) kiosk_user="$2" ;;
        --binary) binary="$2" ;;
      esac
      shift 2 ;;
    --no-group) group=false; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done
for d in "$prefix" "$config_dir" "$data_dir"; do
  case "$d" in *[\"\$\`\\]*) fail "'$d': a directory name with quotes, \$, \` or \\ is not supported" ;; esac
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

lib_dir="$(dirname "$bin_dir")/lib/onedoor"

if $uninstall; then
  removed=false
  for f in "$bin_dir/onedoor" "$lib_dir/onedoor"; do
    if [ -e "$f" ]; then rm -f "$f"; say "removed $f"; removed=true; fi
  done
  rmdir "$lib_dir" 2>/dev/null || true
  $removed || say "$bin_dir/onedoor was not installed"
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

# Puts a file in place only when it differs, through a temporary name, so a
# running counter keeps its binary until it restarts.
put() {
  local from="$1" to="$2" mode="$3"
  mkdir -p "$(dirname "$to")"
  if [ -e "$to" ] && cmp -s "$from" "$to"; then
    say "$to is already this version"
  else
    install -m "$mode" "$from" "$to.new" && mv -f "$to.new" "$to"
    say "installed $to"
  fi
}

if $custom_config || $custom_data; then
  # The program itself goes beside, and 'onedoor' on PATH is a launcher that
  # points it at this kiosk's config and data (the caller's own ONEDOOR_* win).
  put "$binary" "$lib_dir/onedoor" 0755
  launcher="$(mktemp)"
  {
    echo '#!/bin/sh'
    echo '# Written by onedoor'"'"'s install.sh: where this kiosk'"'"'s config and data are.'
    if $custom_config; then
      printf ': "${ONEDOOR_CONFIG:=%s}"; export ONEDOOR_CONFIG\n' "$config_dir/onedoor.toml"
    fi
    if $custom_data; then
      printf ': "${ONEDOOR_DATA:=%s}"; export ONEDOOR_DATA\n' "$data_dir"
    fi
    printf 'exec "%s" "$@"\n' "$lib_dir/onedoor"
  } >"$launcher"
  put "$launcher" "$bin_dir/onedoor" 0755
  rm -f "$launcher"
else
  put "$binary" "$bin_dir/onedoor" 0755
  [ -e "$lib_dir/onedoor" ] && { rm -f "$lib_dir/onedoor"; rmdir "$lib_dir" 2>/dev/null || true; }
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
