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
  --backup-dir DIR   where the nightly backups go (default /var/backups/onedoor as root,
                     else ~/.local/state/onedoor/backups)
  --keep N           backups kept, the oldest removed first (default 14)
  --no-timer         no nightly backup timer
  --systemd-dir DIR  where the systemd units go (default /etc/systemd/system as root,
                     else ~/.config/systemd/user); they are enabled only in the default place
  --district         install the district server onedoor-district instead (a systemd
                     service; --config-dir default /etc/onedoor-district, --data-dir
                     /var/lib/onedoor-district, --user onedoor-district)
  --district-binary PATH  install this built onedoor-district instead of building one
  --listen ADDR      the district server's address (default 0.0.0.0:8470)
  --uninstall        remove the program (never the config or the data)
  -h, --help         this text

The installed 'onedoor' is a small launcher: it runs the program (in
PREFIX/lib/onedoor) with glibc's malloc set to return freed memory
(GLIBC_TUNABLES) and, with a --config-dir or --data-dir of your own, points
it at them (ONEDOOR_CONFIG, ONEDOOR_DATA).
TXT
}

fail() { echo "install.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
root=false; [ "$(id -u)" -eq 0 ] && root=true

prefix=""; config_dir=""; data_dir=""; kiosk_user=""; binary=""; uninstall=false; group=true
custom_config=false; custom_data=false
backup_dir=""; keep=14; timer=true; systemd_dir=""; district=false; district_binary=""; listen="0.0.0.0:8470"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix|--config-dir|--data-dir|--user|--binary|--backup-dir|--keep|--systemd-dir|--district-binary|--listen)
      [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || fail "$1 needs a value (see --help)"
      case "$1" in
        --prefix) prefix="$2" ;;
        --config-dir) config_dir="$2"; custom_config=true ;;
        --data-dir) data_dir="$2"; custom_data=true ;;
        --user) kiosk_user="$2" ;;
        --binary) binary="$2" ;;
        --backup-dir) backup_dir="$2" ;;
        --keep) keep="$2" ;;
        --systemd-dir) systemd_dir="$2" ;;
        --district-binary) district_binary="$2" ;;
        --listen) listen="$2" ;;
      esac
      shift 2 ;;
    --no-group) group=false; shift ;;
    --no-timer) timer=false; shift ;;
    --district) district=true; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done
case "$keep" in ''|*[!0-9]*|0) fail "--keep needs a number of backups, at least 1" ;; esac
for d in "$prefix" "$config_dir" "$data_dir" "$backup_dir" "$systemd_dir" "$listen"; do
  case "$d" in *[\"\$\`\\]*) fail "'$d': a directory name with quotes, \$, \` or \\ is not supported" ;; esac
done

say() { echo "onedoor install: $*"; }

# Puts a file in place only when it differs, through a temporary name, so a
# running program keeps its binary until it restarts.
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

# systemd units go to the system's (or the user's) own place, where they are
# enabled; into another --systemd-dir they are only written.
if $root; then default_systemd=/etc/systemd/system; else default_systemd="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"; fi
systemd_dir="${systemd_dir:-$default_systemd}"
systemd_live=false
if [ "$systemd_dir" = "$default_systemd" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemd_live=true
fi
unitctl() { if $root; then systemctl "$@"; else systemctl --user "$@"; fi; }
if $root; then wanted_by=multi-user.target; else wanted_by=default.target; fi

if $root; then bin_dir="${prefix:-/usr/local}/bin"; else bin_dir="${prefix:+$prefix/bin}"; bin_dir="${bin_dir:-$HOME/.local/bin}"; fi

if $district; then
  # ---- the district server ------------------------------------------------
  if $root; then
    config_dir="${config_dir:-/etc/onedoor-district}"; data_dir="${data_dir:-/var/lib/onedoor-district}"
    service_user="${kiosk_user:-onedoor-district}"
  else
    config_dir="${config_dir:-${XDG_CONFIG_HOME:-$HOME/.config}/onedoor-district}"
    data_dir="${data_dir:-${XDG_DATA_HOME:-$HOME/.local/share}/onedoor-district}"
    service_user="${kiosk_user:-$(id -un)}"
  fi
  unit="$systemd_dir/onedoor-district.service"
  if $uninstall; then
    if $systemd_live && [ -e "$unit" ]; then unitctl disable --now onedoor-district.service || true; fi
    for f in "$bin_dir/onedoor-district" "$unit"; do
      if [ -e "$f" ]; then rm -f "$f"; say "removed $f"; fi
    done
    $systemd_live && unitctl daemon-reload || true
    say "kept the tokens in $config_dir and every case in $data_dir"
    exit 0
  fi
  if [ -z "$district_binary" ]; then
    command -v cargo >/dev/null || { echo "install.sh: cargo is needed to build onedoor-district (https://rustup.rs)" >&2; exit 1; }
    say "building the release binary (cargo build --release --locked --bin onedoor-district)"
    (cd "$here" && cargo build --release --locked --quiet --bin onedoor-district)
    district_binary="$here/target/release/onedoor-district"
  fi
  [ -x "$district_binary" ] || { echo "install.sh: $district_binary is not an executable" >&2; exit 1; }
  put "$district_binary" "$bin_dir/onedoor-district" 0755

  if ! id "$service_user" >/dev/null 2>&1; then
    $root || fail "there is no user '$service_user'"
    useradd --system --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin "$service_user"
    say "created the system user $service_user"
  fi
  mkdir -p "$config_dir"
  tokens="$config_dir/tokens.toml"
  if [ -e "$tokens" ]; then
    say "kept the existing $tokens"
  else
    admin="$("$bin_dir/onedoor-district" token)"
    umask_was="$(umask)"; umask 077
    {
      echo "# onedoor-district tokens (chmod 600). Add each town under [towns]:"
      echo "#   320106001 = \"$("$bin_dir/onedoor-district" token)\"   # onedoor-district token makes one"
      echo "# and put the same token in that town's [district] token_file. kill -HUP reloads."
      echo "admin = \"$admin\""
      echo "[towns]"
    } >"$tokens"
    umask "$umask_was"
    say "wrote $tokens with a new admin token (add the towns' tokens there)"
  fi
  chmod 0600 "$tokens"
  if [ -d "$data_dir" ]; then say "kept the data directory $data_dir"; else mkdir -p "$data_dir"; say "created the data directory $data_dir"; fi
  chmod 0700 "$data_dir"
  if $root; then chown "$service_user": "$tokens"; chown -R "$service_user": "$data_dir"; fi

  unit_text="$(mktemp)"
  {
    echo "[Unit]"
    echo "Description=onedoor district server (receives the towns' finished cases, answers duplicate searches)"
    echo "After=network-online.target"
    echo "Wants=network-online.target"
    echo
    echo "[Service]"
    $root && echo "User=$service_user"
    echo "ExecStart=$bin_dir/onedoor-district serve --listen $listen --tokens $tokens --data $data_dir"
    echo "# For PostgreSQL: drop --data above and put ONEDOOR_DISTRICT_DATABASE=postgres://... in this file (mode 0600):"
    echo "# For HTTPS: ONEDOOR_DISTRICT_TLS_CERT=/etc/onedoor-district/server.pem and ONEDOOR_DISTRICT_TLS_KEY=... there too."
    echo "EnvironmentFile=-$config_dir/env"
    echo "ExecReload=/bin/kill -HUP \$MAINPID"
    echo "KillSignal=SIGTERM"
    echo "TimeoutStopSec=30"
    echo "Restart=on-failure"
    echo "UMask=0077"
    echo
    echo "[Install]"
    echo "WantedBy=$wanted_by"
  } >"$unit_text"
  put "$unit_text" "$unit" 0644
  rm -f "$unit_text"
  if $systemd_live; then
    unitctl daemon-reload
    unitctl enable onedoor-district.service >/dev/null 2>&1 || true
    unitctl restart onedoor-district.service && say "onedoor-district.service is running (systemctl status onedoor-district)"
  else
    say "wrote $unit; not enabled here (systemd is not managing $systemd_dir)"
  fi
  say "done: the district server listens on $listen; 'onedoor-district towns --url http://$listen --token-file FILE' shows the towns"
  exit 0
fi


if $root; then
  config_dir="${config_dir:-/etc/onedoor}"
  kiosk_user="${kiosk_user:-${SUDO_USER:-}}"
else
  config_dir="${config_dir:-${XDG_CONFIG_HOME:-$HOME/.config}/onedoor}"
  kiosk_user="${kiosk_user:-$(id -un)}"
fi

lib_dir="$(dirname "$bin_dir")/lib/onedoor"

if $uninstall; then
  removed=false
  if $systemd_live && [ -e "$systemd_dir/onedoor-backup.timer" ]; then unitctl disable --now onedoor-backup.timer || true; fi
  for f in "$bin_dir/onedoor" "$lib_dir/onedoor" "$systemd_dir/onedoor-backup.service" "$systemd_dir/onedoor-backup.timer"; do
    if [ -e "$f" ]; then rm -f "$f"; say "removed $f"; removed=true; fi
  done
  rmdir "$lib_dir" 2>/dev/null || true
  $removed || say "$bin_dir/onedoor was not installed"
  say "kept the config in $config_dir, all case data and every backup"
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

# The program itself goes beside, and 'onedoor' on PATH is a launcher that
# sets glibc's malloc to give freed memory back to the system (measured at
# 1,000,000 cases: a counter's day 92 MB resident instead of 102, 25 MB after
# the open instead of 36; the same in onedoor's bench::KIOSK_MALLOC_TUNABLES)
# and points the program at this kiosk's config and data. What the caller
# sets in GLIBC_TUNABLES or ONEDOOR_* wins.
put "$binary" "$lib_dir/onedoor" 0755
launcher="$(mktemp)"
{
  echo '#!/bin/sh'
  echo '# Written by onedoor'"'"'s install.sh: how this kiosk runs onedoor.'
  echo ': "${GLIBC_TUNABLES:=glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072}"; export GLIBC_TUNABLES'
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

# The nightly backup: a consistent copy of the store, the newest $keep kept.
if $timer; then
  if $root; then backup_dir="${backup_dir:-/var/backups/onedoor}"; else backup_dir="${backup_dir:-${XDG_STATE_HOME:-$HOME/.local/state}/onedoor/backups}"; fi
  mkdir -p "$backup_dir"; chmod 0700 "$backup_dir"
  if $root && [ -n "$kiosk_user" ] && [ "$kiosk_user" != root ]; then chown "$kiosk_user": "$backup_dir"; fi
  service_text="$(mktemp)"; timer_text="$(mktemp)"
  {
    echo "[Unit]"
    echo "Description=onedoor: back up the case store (the newest $keep backups are kept)"
    echo
    echo "[Service]"
    echo "Type=oneshot"
    if $root && [ -n "$kiosk_user" ]; then echo "User=$kiosk_user"; fi
    echo "ExecStart=$bin_dir/onedoor backup $backup_dir --keep $keep"
    echo "Nice=10"
    echo "UMask=0077"
  } >"$service_text"
  {
    echo "[Unit]"
    echo "Description=onedoor: nightly backup of the case store"
    echo
    echo "[Timer]"
    echo "OnCalendar=*-*-* 02:30:00"
    echo "RandomizedDelaySec=15min"
    echo "Persistent=true"
    echo
    echo "[Install]"
    echo "WantedBy=timers.target"
  } >"$timer_text"
  put "$service_text" "$systemd_dir/onedoor-backup.service" 0644
  put "$timer_text" "$systemd_dir/onedoor-backup.timer" 0644
  rm -f "$service_text" "$timer_text"
  if $systemd_live; then
    unitctl daemon-reload && unitctl enable --now onedoor-backup.timer >/dev/null 2>&1 \
      && say "the nightly backup runs at 02:30 into $backup_dir (systemctl list-timers onedoor-backup)"
  else
    say "wrote the nightly backup timer into $systemd_dir (not enabled here: systemd is not managing it)"
  fi
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
