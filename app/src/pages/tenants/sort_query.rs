//! The comparison table's sort as it appears in the URL query:
//! `/tenants?sort=percentage&order=desc&q=contoso`.

use domain::sort::{SortOrder, TenantSort};

/// Query parameter names.
pub const SORT_PARAM: &str = "sort";
pub const ORDER_PARAM: &str = "order";
pub const SEARCH_PARAM: &str = "q";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSort {
    pub key: TenantSort,
    pub order: SortOrder,
}

impl Default for TableSort {
    fn default() -> Self {
        Self { key: TenantSort::Percentage, order: SortOrder::Desc }
    }
}

impl TableSort {
    /// Reads the query values. An unknown or missing key falls back to the
    /// default sort, and a missing order to the key's first order.
    pub fn from_query(sort: Option<&str>, order: Option<&str>) -> Self {
        let Some(key) = sort.and_then(TenantSort::parse) else {
            return Self::default();
        };
        let order = order.and_then(SortOrder::parse).unwrap_or_else(|| first_order(key));
        Self { key, order }
    }

    /// Returns the sort that a click on `key`'s header selects: the other
    /// direction for the active column, the column's first order for any other.
    pub fn next_for(self, key: TenantSort) -> Self {
        if self.key == key {
            Self { key, order: self.order.flip() }
        } else {
            Self { key, order: first_order(key) }
        }
    }

    /// Returns the value of the header cell's `aria-sort` attribute for `key`.
    pub fn aria_sort(self, key: TenantSort) -> Option<&'static str> {
        (self.key == key).then_some(match self.order {
            SortOrder::Asc => "ascending",
            SortOrder::Desc => "descending",
        })
    }

    /// Builds the comparison page URL with this sort and the name search
    /// `search`.
    pub fn href(self, search: &str) -> String {
        let mut href = format!("/tenants?{SORT_PARAM}={}&{ORDER_PARAM}={}", self.key.as_str(), self.order.as_str());
        let search = search.trim();
        if !search.is_empty() {
            href.push_str(&format!("&{SEARCH_PARAM}={}", encode_query_value(search)));
        }
        href
    }
}

/// Names and industries sort A to Z first; numbers and dates highest or
/// newest first.
pub fn first_order(key: TenantSort) -> SortOrder {
    match key {
        TenantSort::DisplayName | TenantSort::Industry => SortOrder::Asc,
        TenantSort::CurrentScore
        | TenantSort::MaxScore
        | TenantSort::Percentage
        | TenantSort::Trend30d
        | TenantSort::LastSnapshotDate => SortOrder::Desc,
    }
}

/// Percent-encodes a query value, keeping only RFC 3986 unreserved
/// characters as they are.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_query_sorts_by_percentage_desc() {
        assert_eq!(TableSort::from_query(None, None), TableSort::default());
        assert_eq!(TableSort::from_query(Some("bogus"), Some("asc")), TableSort::default());
    }

    #[test]
    fn missing_order_uses_key_first_order() {
        let sort = TableSort::from_query(Some("displayName"), None);
        assert_eq!(sort, TableSort { key: TenantSort::DisplayName, order: SortOrder::Asc });
        let sort = TableSort::from_query(Some("trend30d"), Some("nonsense"));
        assert_eq!(sort, TableSort { key: TenantSort::Trend30d, order: SortOrder::Desc });
    }

    #[test]
    fn next_for_flips_only_active_column() {
        let sort = TableSort::default();
        assert_eq!(sort.next_for(TenantSort::Percentage).order, SortOrder::Asc);
        assert_eq!(
            sort.next_for(TenantSort::DisplayName),
            TableSort { key: TenantSort::DisplayName, order: SortOrder::Asc }
        );
    }

    #[test]
    fn aria_sort_marks_active_column() {
        let sort = TableSort::default();
        assert_eq!(sort.aria_sort(TenantSort::Percentage), Some("descending"));
        assert_eq!(sort.aria_sort(TenantSort::Industry), None);
    }

    #[test]
    fn href_encodes_search() {
        let sort = TableSort { key: TenantSort::DisplayName, order: SortOrder::Asc };
        assert_eq!(sort.href(""), "/tenants?sort=displayName&order=asc");
        assert_eq!(sort.href("  "), "/tenants?sort=displayName&order=asc");
        assert_eq!(sort.href("A&B Café"), "/tenants?sort=displayName&order=asc&q=A%26B%20Caf%C3%A9");
    }
}
