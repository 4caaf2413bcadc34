//! Secure Score control categories.

use serde::{Deserialize, Serialize};

/// The categories Microsoft assigns to controls. Graph may add new ones, so
/// unknown names are kept as they were sent rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    Identity,
    Data,
    Device,
    Apps,
    Infrastructure,
    Other(String),
}

impl Category {
    /// The four categories every page shows, in display order.
    pub const MAIN: [Category; 4] = [Category::Identity, Category::Data, Category::Device, Category::Apps];

    /// Reads Graph's `controlCategory`, ignoring case and surrounding spaces.
    pub fn from_graph(raw: &str) -> Self {
        match raw.trim().to_ascii_lowercase().as_str() {
            "identity" => Self::Identity,
            "data" => Self::Data,
            "device" => Self::Device,
            "apps" => Self::Apps,
            "infrastructure" => Self::Infrastructure,
            "" => Self::Other("Uncategorised".to_owned()),
            _ => Self::Other(raw.trim().to_owned()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Identity => "Identity",
            Self::Data => "Data",
            Self::Device => "Device",
            Self::Apps => "Apps",
            Self::Infrastructure => "Infrastructure",
            Self::Other(name) => name,
        }
    }

    /// Position used to list categories in a stable order.
    pub fn order(&self) -> u8 {
        match self {
            Self::Identity => 0,
            Self::Data => 1,
            Self::Device => 2,
            Self::Apps => 3,
            Self::Infrastructure => 4,
            Self::Other(_) => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_are_read_case_insensitively() {
        assert_eq!(Category::from_graph("identity"), Category::Identity);
        assert_eq!(Category::from_graph(" Apps "), Category::Apps);
        assert_eq!(Category::from_graph("Infrastructure").name(), "Infrastructure");
    }

    #[test]
    fn unknown_categories_are_kept() {
        assert_eq!(Category::from_graph("Endpoint").name(), "Endpoint");
        assert_eq!(Category::from_graph("").name(), "Uncategorised");
    }
}
