//! Non-fatal oddities, grouped by kind and counted, so that a document with
//! thousands of them still yields a handful of lines.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings {
    counts: BTreeMap<String, usize>,
}

impl Warnings {
    /// Counts one occurrence of `kind`.
    pub fn add(&mut self, kind: &str) {
        *self.counts.entry(kind.to_string()).or_default() += 1;
    }

    pub fn count(&self, kind: &str) -> usize {
        self.counts.get(kind).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.counts.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, count) in self.iter() {
            writeln!(f, "warning: {count} {kind}")?;
        }
        Ok(())
    }
}
