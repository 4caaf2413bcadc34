#!/usr/bin/env bash
# Install the tools that building and testing this project need, skipping
# every step that is already satisfied, so a second run takes seconds.
#
# Usage: scripts/setup.sh [--e2e]
#   --e2e   also install Debian's chromium and poppler-utils and the npm
#           packages of end2end/ (needed by scripts/test.sh, not by
#           scripts/demo.sh)
#
# Expects a Debian machine with rustup (Rust 1.95), node 20 and npm, run as
# root for apt-get. Everything comes from crates.io, Debian or npm; nothing
# downloads a prebuilt binary or a browser build of its own.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# cargo-leptos 0.3.11 depends on a crate that needs rustc 1.96, so the Rust
# 1.95 toolchain of this project stays on 0.3.10.
CARGO_LEPTOS_VERSION="0.3.10"

with_e2e=false
for arg in "$@"; do
  case "$arg" in
    --e2e) with_e2e=true ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option '$arg' (expected --e2e or --help)" ;;
  esac
done

# Serialise concurrent runs (for example demo.sh and test.sh started at the
# same time), so two runs do not build the same tool at once.
lock_file="${TMPDIR:-/tmp}/trust-center-setup.lock"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock_file"
  if ! flock -n 9; then
    log "waiting for another setup run to finish (lock $lock_file)"
    flock 9
  fi
fi

check_rust_toolchain() {
  command -v rustup >/dev/null 2>&1 || die "rustup is missing; install Rust 1.95 with rustup (see rust-toolchain.toml)"
  command -v cargo >/dev/null 2>&1 || die "cargo is missing; install Rust 1.95 with rustup (see rust-toolchain.toml)"
}

install_wasm_target() {
  if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    log "rust target wasm32-unknown-unknown: present"
    return
  fi
  log "rust target wasm32-unknown-unknown: installing with rustup"
  rustup target add wasm32-unknown-unknown
}

install_cargo_leptos() {
  local installed
  installed="$(cargo leptos --version 2>/dev/null | awk '{print $2}' || true)"
  if [[ "$installed" == "$CARGO_LEPTOS_VERSION" ]]; then
    log "cargo-leptos $CARGO_LEPTOS_VERSION: present"
    return
  fi
  log "cargo-leptos: found '${installed:-none}', installing $CARGO_LEPTOS_VERSION from crates.io (about 10 minutes)"
  # `no_downloads` makes cargo-leptos use wasm-bindgen (and wasm-opt for
  # release builds) from PATH instead of downloading binaries. Without LTO
  # the tool itself builds faster.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
    --features no_downloads --force
}

# Print the version of the `wasm-bindgen` crate recorded in Cargo.lock.
locked_wasm_bindgen_version() {
  awk '
    /^\[\[package\]\]/ { in_package = 0 }
    /^name = "wasm-bindgen"$/ { in_package = 1; next }
    in_package && /^version = / { gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

install_wasm_bindgen_cli() {
  [[ -f Cargo.lock ]] || die "Cargo.lock is missing; run 'cargo generate-lockfile' first"
  local wanted installed
  wanted="$(locked_wasm_bindgen_version)"
  [[ -n "$wanted" ]] || die "no wasm-bindgen package found in Cargo.lock"
  installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [[ "$installed" == "$wanted" ]]; then
    log "wasm-bindgen-cli $wanted (matches Cargo.lock): present"
    return
  fi
  log "wasm-bindgen-cli: found '${installed:-none}', installing $wanted to match Cargo.lock (about 2 minutes)"
  # No --locked: the lockfile published with wasm-bindgen-cli pins a
  # webpki-roots version that crates.io does not serve.
  cargo install wasm-bindgen-cli --version "$wanted" --force
}

# Install Debian package $1 unless command $2 exists.
install_debian_package() {
  local package="$1" command_name="$2"
  if command -v "$command_name" >/dev/null 2>&1; then
    log "$package: present"
    return
  fi
  [[ "$(id -u)" == 0 ]] || die "$package is missing and apt-get needs root; run 'apt-get install -y $package' as root"
  log "$package: installing Debian's package with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$package"
}

check_node() {
  command -v node >/dev/null 2>&1 || die "node is missing; install Node.js 20 or newer"
  command -v npm >/dev/null 2>&1 || die "npm is missing; install npm"
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  ((node_major >= 20)) || die "node $(node --version) is too old; Node.js 20 or newer is needed"
}

# Run `npm ci` in directory $1 unless its package-lock.json is unchanged
# since the last successful run.
npm_ci_once() {
  local dir="$1"
  [[ -f "$dir/package-lock.json" ]] || die "$dir/package-lock.json is missing"
  local stamp="$dir/node_modules/.setup-lock-hash"
  local lock_hash
  lock_hash="$(sha256sum "$dir/package-lock.json" | awk '{print $1}')"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
    log "$dir npm packages (package-lock.json unchanged): present"
    return
  fi
  log "$dir npm packages: running npm ci"
  (cd "$dir" && npm ci --no-audit --no-fund)
  printf '%s\n' "$lock_hash" >"$stamp"
}

# Debian's Droid Sans Fallback: backend/build.rs embeds it so PDF reports
# print Chinese, Japanese and Korean names. Without root it is skipped with a
# warning, and reports lack those glyphs.
install_cjk_font() {
  local font=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
  if [[ -f "$font" ]]; then
    log "fonts-droid-fallback: present"
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "warning: $font is missing and apt-get needs root; PDF reports will lack CJK glyphs (apt-get install -y fonts-droid-fallback)"
    return
  fi
  log "fonts-droid-fallback: installing Debian's package with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-droid-fallback
}

# The chart library the pages load from /vendor/echarts.min.js; cargo-leptos
# copies public/ into the site, so the file must be there before a build.
install_browser_vendor() {
  check_node
  npm_ci_once vendor
  mkdir -p public/vendor
  local from="vendor/node_modules/echarts/dist/echarts.min.js"
  [[ -f "$from" ]] || die "$from is missing after npm ci"
  if ! cmp -s "$from" public/vendor/echarts.min.js; then
    cp "$from" public/vendor/echarts.min.js
    log "echarts: copied to public/vendor/echarts.min.js"
  else
    log "echarts: present in public/vendor/"
  fi
}

check_rust_toolchain
install_wasm_target
install_cargo_leptos
install_wasm_bindgen_cli
install_browser_vendor
install_cjk_font
if [[ "$with_e2e" == true ]]; then
  install_debian_package chromium chromium
  # pdftotext reads the PDF reports back in the tests.
  install_debian_package poppler-utils pdftotext
  npm_ci_once end2end
fi
log "done"
