//! Embeds a CJK font into the PDF reports when the build machine has one.
//! Typst's own fonts cover Latin, Greek and Cyrillic; Debian's Droid Sans
//! Fallback (package fonts-droid-fallback, which scripts/setup.sh installs)
//! adds Chinese, Japanese and Korean. Without it the build still succeeds,
//! with a warning, and such names print without glyphs.

use std::path::{Path, PathBuf};

const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cjk_font)");
    println!("cargo::rerun-if-env-changed=TRUST_CENTER_CJK_FONT");
    let source = std::env::var("TRUST_CENTER_CJK_FONT").unwrap_or_else(|_| DEFAULT_FONT.to_owned());
    println!("cargo::rerun-if-changed={source}");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("cjk_fallback.ttf");
    if Path::new(&source).is_file() {
        std::fs::copy(&source, &out).expect("copying the CJK font into OUT_DIR failed");
        println!("cargo::rustc-cfg=cjk_font");
    } else {
        println!("cargo::warning=CJK font {source} not found: PDF reports will print Chinese, Japanese and Korean text without glyphs. Run scripts/setup.sh or set TRUST_CENTER_CJK_FONT.");
    }
}
