//! PDF reports rendered in-process with Typst from the templates in
//! `backend/templates/`. Report data goes in as JSON through `sys.inputs`
//! and is placed as text by the templates, so no value is ever read as
//! Typst markup. Fonts are the ones Typst ships, embedded in the binary.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use typst::foundations::{Bytes, Dict, IntoValue, Smart};
use typst_as_lib::{TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::error::ServiceError;

const COMMON: &str = include_str!("../templates/common.typ");
const TENANT: &str = include_str!("../templates/tenant_report.typ");
const PORTFOLIO: &str = include_str!("../templates/portfolio_report.typ");

/// The report to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Tenant,
    Portfolio,
}

impl Template {
    fn file(self) -> &'static str {
        match self {
            Self::Tenant => "tenant_report.typ",
            Self::Portfolio => "portfolio_report.typ",
        }
    }
}

/// Droid Sans Fallback for Chinese, Japanese and Korean, when the build
/// found it (see `build.rs`).
#[cfg(cjk_font)]
const CJK_FONT: Option<&[u8]> = Some(include_bytes!(concat!(env!("OUT_DIR"), "/cjk_fallback.ttf")));
#[cfg(not(cjk_font))]
const CJK_FONT: Option<&[u8]> = None;

fn engine() -> &'static TypstEngine<TypstTemplateCollection> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateCollection>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .fonts(typst_assets::fonts().chain(CJK_FONT))
            .with_static_source_file_resolver([
                ("common.typ", COMMON),
                ("tenant_report.typ", TENANT),
                ("portfolio_report.typ", PORTFOLIO),
            ])
            .build()
    })
}

/// Renders `template` with `data` (the JSON the template reads) and an
/// optional logo image. `created` fixes the creation date in the PDF's
/// metadata; without it the PDF has none, so the same data gives the same
/// bytes either way. Blocking: call it from a blocking task.
pub fn render(template: Template, data: &Value, logo: Option<Vec<u8>>, created: Option<NaiveDate>) -> Result<Vec<u8>, ServiceError> {
    let mut inputs = Dict::new();
    inputs.insert("data".into(), data.to_string().into_value());
    if let Some(logo) = logo {
        inputs.insert("logo".into(), Bytes::new(logo).into_value());
    }
    let compiled = engine().compile_with_input::<_, _, PagedDocument>(template.file(), inputs);
    let document = compiled.output.map_err(|error| ServiceError::Internal(format!("the {} template failed: {error}", template.file())))?;
    let timestamp = created.and_then(|date| {
        typst::foundations::Datetime::from_ymd(date.year(), u8::try_from(date.month()).ok()?, u8::try_from(date.day()).ok()?)
            .map(typst_pdf::Timestamp::new_utc)
    });
    let options = PdfOptions {
        ident: Smart::Custom(format!("trust-center-{}", template.file())),
        timestamp,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| ServiceError::Internal(format!("writing the PDF failed: {errors:?}")))
}
