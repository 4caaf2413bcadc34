#!/usr/bin/env bash
# Build the dashboard and start it in demo mode on http://127.0.0.1:3000.
#
# Usage: scripts/demo.sh [extra `trust-center serve` arguments]
#   for example: scripts/demo.sh --fixtures DIR
#
# Demo mode runs the Microsoft Graph simulator inside the server, syncs its
# generated tenants at start and keeps them in data/demo.db unless
# DATABASE_URL is set. No request leaves the machine. TRUST_CENTER_ADDR and
# the other variables in .env.example apply as usual.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$REPO_ROOT/scripts/setup.sh"

log "building the server and the wasm front end: cargo leptos build"
cargo leptos build

binary="$(server_binary)"
[[ -x "$binary" ]] || die "server binary $binary not found after cargo leptos build"

# The site is not under CARGO_TARGET_DIR (see site_root in scripts/common.sh),
# so point the server at the directory cargo-leptos really wrote.
export TRUST_CENTER_SITE_ROOT="${TRUST_CENTER_SITE_ROOT:-$(site_root)}"
mkdir -p "$REPO_ROOT/data"

log "starting the demo on http://${TRUST_CENTER_ADDR:-127.0.0.1:3000} (Ctrl-C stops it)"
exec "$binary" serve --demo "$@"
