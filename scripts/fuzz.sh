#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 60 s each) on the
# nightly toolchain. Needs `cargo install cargo-fuzz`. A crash leaves its input
# in fuzz/artifacts/TARGET/; keep it as a regression test in the normal suite
# (tests/fuzz_regressions.rs) once fixed.
#   scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(card_frame case_json config keymap policy receipt_template)
for t in "${targets[@]}"; do
  echo "== $t (${seconds}s)"
  cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536
done
