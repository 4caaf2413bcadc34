//! CSV files for spreadsheets: RFC 4180 quoting, CRLF line ends, UTF-8 and
//! a header row. Text cells that a spreadsheet would run as a formula (they
//! start with `=`, `+`, `-`, `@`, a tab or a carriage return) get a leading
//! apostrophe. Numbers are written as numbers.

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text from people or Graph (names, titles); neutralised.
    Text(String),
    /// A number; empty when `None`.
    Number(Option<f64>),
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Self {
        Self::Text(value.unwrap_or_default())
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Self::Number(Some(value))
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Self {
        Self::Number(value)
    }
}

impl From<u32> for Cell {
    fn from(value: u32) -> Self {
        Self::Number(Some(f64::from(value)))
    }
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Writes a header and rows as one CSV document.
pub fn write(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::new();
    line(&mut out, header.iter().map(|h| quote(h)));
    for row in rows {
        line(&mut out, row.iter().map(render));
    }
    out
}

fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn render(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => {
            if text.starts_with(FORMULA_STARTS) {
                quote(&format!("'{text}"))
            } else {
                quote(text)
            }
        }
        Cell::Number(None) => String::new(),
        Cell::Number(Some(value)) if value.is_finite() => crate::score::points_text(*value),
        Cell::Number(Some(_)) => String::new(),
    }
}

/// Quotes a field when it contains a comma, a quote or a line break.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_rfc_4180() {
        let out = write(&["name", "score"], &[vec!["Smith, \"Jr\" & Co\nLtd".into(), 46.72.into()]]);
        assert_eq!(out, "name,score\r\n\"Smith, \"\"Jr\"\" & Co\nLtd\",46.72\r\n");
    }

    #[test]
    fn formula_text_is_neutralised_but_numbers_are_not() {
        let out = write(&["a", "b", "c", "d"], &[vec!["=HYPERLINK(\"x\")".into(), "@SUM(1)".into(), (-2.5).into(), Cell::Number(None)]]);
        assert_eq!(out, "a,b,c,d\r\n\"'=HYPERLINK(\"\"x\"\")\",'@SUM(1),-2.5,\r\n");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        let out = write(&["n"], &[vec![274.0.into()], vec![0.1.into()]]);
        assert_eq!(out, "n\r\n274\r\n0.1\r\n");
    }
}
