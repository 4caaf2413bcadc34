# Shared helpers for scripts/setup.sh, scripts/demo.sh and scripts/test.sh.
# Source this file; it changes the working directory to the repository root.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1

# rustup installs cargo and the tools from `cargo install` here; a
# non-interactive shell (CI) may not have it on PATH yet.
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
case ":$PATH:" in
  *":$CARGO_HOME/bin:"*) ;;
  *) PATH="$CARGO_HOME/bin:$PATH" ;;
esac
export PATH

# Print a progress line prefixed with the name of the running script.
log() {
  printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"
}

die() {
  printf '[%s] error: %s\n' "$(basename "$0" .sh)" "$*" >&2
  exit 1
}

# Print the value of KEY from the [[workspace.metadata.leptos]] table of
# Cargo.toml (string quotes removed), or nothing when the key is absent.
leptos_metadata() {
  local key="$1"
  awk -v key="$key" '
    /^[[:space:]]*\[/ { in_table = ($0 ~ /^\[\[workspace\.metadata\.leptos\]\]/); next }
    in_table && $1 == key {
      value = $0
      sub(/^[^=]*=[[:space:]]*/, "", value)
      sub(/[[:space:]]*(#.*)?$/, "", value)
      gsub(/^"|"$/, "", value)
      print value
      exit
    }' Cargo.toml
}

# Print cargo's target directory as an absolute path. It honours
# CARGO_TARGET_DIR, CARGO_BUILD_TARGET_DIR and .cargo/config.toml because
# cargo itself resolves it.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p'
}

# Print the absolute directory where `cargo leptos build` writes the site
# (wasm, JavaScript glue, CSS and public/ assets).
#
# cargo-leptos 0.3.10 resolves a relative `site-root` against the workspace
# root, not against the target directory, so with the `site-root =
# "target/site"` of this workspace the site stays in ./target/site even when
# CARGO_TARGET_DIR points elsewhere. Only a site-root starting with the
# literal marker CARGO_TARGET_DIR (the cargo-leptos default) follows the
# target directory. LEPTOS_SITE_ROOT in the environment overrides the
# metadata, as it does for cargo-leptos.
# NOTE: cargo-leptos also reads LEPTOS_SITE_ROOT from a .env file; this
# function does not, so keep that variable out of .env.
site_root() {
  local root="${LEPTOS_SITE_ROOT:-$(leptos_metadata site-root)}"
  root="${root:-CARGO_TARGET_DIR/site}"
  case "$root" in
    CARGO_TARGET_DIR/* | CARGO_BUILD_TARGET_DIR/*)
      root="$(cargo_target_dir)/${root#*/}"
      ;;
    /*) ;;
    *) root="$REPO_ROOT/$root" ;;
  esac
  printf '%s\n' "$root"
}

# Print the path of the debug `trust-center` binary that `cargo leptos build`
# produces.
server_binary() {
  printf '%s/debug/%s\n' "$(cargo_target_dir)" "$(leptos_metadata bin-target)"
}
