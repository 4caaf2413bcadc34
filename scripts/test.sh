#!/usr/bin/env bash
# Run every test of the project:
#   1. scripts/setup.sh --e2e (tools, Debian's chromium, end2end npm packages)
#   2. cargo leptos build (debug)
#   3. cargo test --workspace --exclude frontend, reusing the build of step 2
#   4. the end-to-end browser tests in end2end/ against `trust-center serve
#      --demo` on a free loopback port with a fresh SQLite database
# Steps 3 and 4 both run even if one of them fails. The script exits non-zero
# if any step fails.
#
# Environment:
#   TEST_DATABASE_URL    PostgreSQL server for the PostgreSQL half of the Rust
#                        tests (without it they run against SQLite only)
#   CARGO_TARGET_DIR     honoured; the binary is taken from there
#   E2E_PORT             port for the end-to-end server (default: a free one)
#   E2E_READY_TIMEOUT    seconds to wait for the demo sync (default 180)
#   E2E_KEEP_TMP=1       keep the temporary database and server log
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$REPO_ROOT/scripts/setup.sh" --e2e

log "building the server and the wasm front end: cargo leptos build"
cargo leptos build

binary="$(server_binary)"
site="$(site_root)"
[[ -x "$binary" ]] || die "server binary $binary not found after cargo leptos build"
[[ -d "$site" ]] || die "site directory $site not found after cargo leptos build"

tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/trust-center-e2e.XXXXXX")"
# cargo test below may replace the binary in the target directory with a build
# that has the test-only features of the workspace (for example backend's
# `testing`), so the end-to-end tests run a link to the cargo-leptos build.
e2e_binary="$tmp_dir/$(basename "$binary")"
ln "$binary" "$e2e_binary" 2>/dev/null || cp "$binary" "$e2e_binary"
server_log="$tmp_dir/server.log"
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      log "server $server_pid did not stop within 10 s of SIGTERM; sending SIGKILL"
      kill -9 "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

cleanup() {
  stop_server
  if [[ "${E2E_KEEP_TMP:-}" == 1 ]]; then
    log "kept $tmp_dir (database and server.log)"
  else
    rm -rf "$tmp_dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=()

# --- Rust tests -------------------------------------------------------------

# cargo-leptos 0.3.10 builds the debug server with RUSTFLAGS="--cfg
# erase_components" (appended to any RUSTFLAGS already set) and with the
# LEPTOS_* variables below. Leptos reads LEPTOS_OUTPUT_NAME with
# option_env!, so cargo records it in the fingerprint. Running cargo test with
# other values would recompile leptos and every crate above it, and the
# resulting trust-center binary would expect a differently named wasm file.
# Test-only dependency features (tokio's test-util, backend's testing) still
# make the first cargo test compile tokio and the crates above it once more.
# Cargo keeps both variants, so later runs compile only changed crates.
# NOTE: if server-fn-prefix or similar options are added to
# [[workspace.metadata.leptos]], cargo-leptos passes more variables
# (SERVER_FN_PREFIX, DISABLE_SERVER_FN_HASH); add them here too.
leptos_env=(
  "RUSTFLAGS=${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"
  "LEPTOS_OUTPUT_NAME=${LEPTOS_OUTPUT_NAME:-$(leptos_metadata output-name)}"
  "LEPTOS_SITE_ROOT=$(site_root)"
  "LEPTOS_SITE_PKG_DIR=${LEPTOS_SITE_PKG_DIR:-$(leptos_metadata site-pkg-dir)}"
  "LEPTOS_SITE_ADDR=${LEPTOS_SITE_ADDR:-$(leptos_metadata site-addr)}"
  "LEPTOS_RELOAD_PORT=${LEPTOS_RELOAD_PORT:-$(leptos_metadata reload-port)}"
  "LEPTOS_LIB_DIR=$(leptos_metadata lib-package)"
  "LEPTOS_BIN_DIR=$(leptos_metadata bin-package)"
  "LEPTOS_JS_MINIFY=false"
  "LEPTOS_HASH_FILES=${LEPTOS_HASH_FILES:-$(leptos_metadata hash-files)}"
)
# Unset metadata keys fall back to the cargo-leptos defaults.
for i in "${!leptos_env[@]}"; do
  case "${leptos_env[$i]}" in
    LEPTOS_SITE_PKG_DIR=) leptos_env[i]="LEPTOS_SITE_PKG_DIR=pkg" ;;
    LEPTOS_SITE_ADDR=) leptos_env[i]="LEPTOS_SITE_ADDR=127.0.0.1:3000" ;;
    LEPTOS_RELOAD_PORT=) leptos_env[i]="LEPTOS_RELOAD_PORT=3001" ;;
    LEPTOS_HASH_FILES=) leptos_env[i]="LEPTOS_HASH_FILES=false" ;;
  esac
done

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  log "TEST_DATABASE_URL is not set: the store tests run against SQLite only"
fi
log "running cargo test --workspace --exclude frontend (${leptos_env[0]})"
if ! env "${leptos_env[@]}" cargo test --workspace --exclude frontend; then
  failures+=("cargo test")
fi

# --- End-to-end tests -------------------------------------------------------

show_server_log() {
  log "last 60 lines of the server log ($server_log):"
  tail -n 60 "$server_log" || true
}

port="${E2E_PORT:-$(node -e '
  const server = require("net").createServer();
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });
')}"
base_url="http://127.0.0.1:$port"

e2e_database="sqlite://$tmp_dir/e2e.db?mode=rwc"
# An admin account and a read token for the browser and API checks.
export E2E_EMAIL="e2e-admin@example.test"
E2E_PASSWORD="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
export E2E_PASSWORD
printf '%s\n' "$E2E_PASSWORD" | env DATABASE_URL="$e2e_database" \
  "$e2e_binary" user add --email "$E2E_EMAIL" --role admin >/dev/null
E2E_API_TOKEN="$(env DATABASE_URL="$e2e_database" "$e2e_binary" token create --name e2e --scope read | grep -o 'tc_[0-9a-f]\{64\}')"
export E2E_API_TOKEN

log "starting $binary serve --demo on $base_url (database in $tmp_dir)"
env \
  TRUST_CENTER_ADDR="127.0.0.1:$port" \
  TRUST_CENTER_SITE_ROOT="$site" \
  DATABASE_URL="$e2e_database" \
  TRUST_CENTER_DEMO_OUTBOX="$tmp_dir/outbox" \
  RUST_LOG="${RUST_LOG:-info}" \
  "$e2e_binary" serve --demo >"$server_log" 2>&1 &
server_pid=$!

if node "$REPO_ROOT/end2end/wait-for-demo.mjs" "$base_url" "${E2E_READY_TIMEOUT:-180}" "$server_pid"; then
  log "running the end-to-end tests: node --test in end2end/"
  if ! (cd "$REPO_ROOT/end2end" && E2E_BASE_URL="$base_url" E2E_OUTBOX="$tmp_dir/outbox" node --test --test-reporter=tap tests/*.test.mjs); then
    failures+=("end-to-end tests")
    show_server_log
  fi
else
  failures+=("end-to-end tests (the demo server never became ready)")
  show_server_log
fi
stop_server

if ((${#failures[@]} > 0)); then
  summary="$(printf '%s; ' "${failures[@]}")"
  log "FAILED: ${summary%; }"
  exit 1
fi
log "all tests passed"
