//! How responses are written: JSON (pretty on a terminal, compact
//! otherwise), JSON lines, YAML or a table; a listing read page by page is
//! written item by item, so that memory stays flat.

use std::io::{BufWriter, Stdout, Write};

use serde_json::Value;

/// The output format of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The response as JSON: pretty on a terminal, compact otherwise.
    Json,
    /// One compact JSON value per line, an item of a list per line.
    Jsonl,
    /// YAML.
    Yaml,
    /// Columns of plain members, padded (tab-separated with `--all`).
    Table,
}

impl Format {
    /// The format `--output` names (default: JSON).
    pub fn of(name: Option<&str>) -> Self {
        match name {
            Some("jsonl") => Format::Jsonl,
            Some("yaml") => Format::Yaml,
            Some("table") => Format::Table,
            _ => Format::Json,
        }
    }
}

/// Widest a table cell gets before it is cut.
const CELL: usize = 48;
/// Columns a table shows by default (the first item's plain members).
const DEFAULT_COLUMNS: usize = 8;

/// Writes values to stdout in one format.
pub struct Writer {
    format: Format,
    columns: Vec<String>,
    pretty: bool,
    out: BufWriter<Stdout>,
    /// Items written since [`Writer::begin_list`].
    items: usize,
}

impl Writer {
    pub fn new(format: Format, columns: Vec<String>, terminal: bool) -> Self {
        Writer { format, columns, pretty: terminal, out: BufWriter::new(std::io::stdout()), items: 0 }
    }

    /// A whole response.
    pub fn value(&mut self, value: &Value) -> std::io::Result<()> {
        match (self.format, value) {
            (Format::Json, _) => self.json(value, self.pretty),
            (Format::Jsonl, Value::Array(items)) => items.iter().try_for_each(|i| self.json(i, false)),
            (Format::Jsonl, _) => self.json(value, false),
            (Format::Yaml, _) => self.yaml(value),
            (Format::Table, Value::Array(items)) => {
                self.choose_columns(items.first());
                let rows: Vec<Vec<String>> = items.iter().map(|i| self.row(i)).collect();
                self.table(&rows)
            }
            (Format::Table, Value::Object(_)) => {
                self.choose_columns(Some(value));
                let row = self.row(value);
                self.table(&[row])
            }
            (Format::Table, _) => writeln!(self.out, "{}", cell(value)),
        }
    }

    /// Before the items of a listing.
    pub fn begin_list(&mut self) -> std::io::Result<()> {
        self.items = 0;
        match self.format {
            Format::Json => write!(self.out, "["),
            _ => Ok(()),
        }
    }

    /// One item of a listing, written now.
    pub fn item(&mut self, item: &Value) -> std::io::Result<()> {
        let first = self.items == 0;
        self.items += 1;
        match self.format {
            Format::Json => {
                let text = if self.pretty { serde_json::to_string_pretty(item) } else { serde_json::to_string(item) };
                let text = text.map_err(std::io::Error::other)?;
                let separator = if first { "" } else { "," };
                if self.pretty {
                    write!(self.out, "{separator}\n  {}", text.replace('\n', "\n  "))
                } else {
                    write!(self.out, "{separator}{text}")
                }
            }
            Format::Jsonl => self.json(item, false),
            Format::Yaml => {
                let text = serde_yaml::to_string(&[item]).map_err(std::io::Error::other)?;
                self.out.write_all(text.as_bytes())
            }
            Format::Table => {
                if first {
                    self.choose_columns(Some(item));
                    let header = self.columns.clone();
                    writeln!(self.out, "{}", header.join("\t"))?;
                }
                let row = self.row(item);
                writeln!(self.out, "{}", row.join("\t"))
            }
        }
    }

    /// After the items of a listing.
    pub fn end_list(&mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json if self.pretty && self.items > 0 => writeln!(self.out, "\n]"),
            Format::Json => writeln!(self.out, "]"),
            Format::Yaml if self.items == 0 => writeln!(self.out, "[]"),
            _ => Ok(()),
        }?;
        self.out.flush()
    }

    fn json(&mut self, value: &Value, pretty: bool) -> std::io::Result<()> {
        if pretty {
            serde_json::to_writer_pretty(&mut self.out, value)?;
        } else {
            serde_json::to_writer(&mut self.out, value)?;
        }
        writeln!(self.out)
    }

    fn yaml(&mut self, value: &Value) -> std::io::Result<()> {
        let text = serde_yaml::to_string(value).map_err(std::io::Error::other)?;
        self.out.write_all(text.as_bytes())
    }

    /// `--columns`, else the plain (not object, not list) members of `first`.
    fn choose_columns(&mut self, first: Option<&Value>) {
        if !self.columns.is_empty() {
            return;
        }
        if let Some(Value::Object(members)) = first {
            self.columns = members
                .iter()
                .filter(|(_, v)| !v.is_object() && !v.is_array())
                .map(|(k, _)| k.clone())
                .take(DEFAULT_COLUMNS)
                .collect();
        }
    }

    fn row(&self, item: &Value) -> Vec<String> {
        self.columns.iter().map(|c| member(item, c).map(cell).unwrap_or_default()).collect()
    }

    /// Rows under the column names, each column as wide as its widest cell.
    fn table(&mut self, rows: &[Vec<String>]) -> std::io::Result<()> {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in rows {
            for (width, text) in widths.iter_mut().zip(row) {
                *width = (*width).max(text.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            padded.join("  ").trim_end().to_string()
        };
        writeln!(self.out, "{}", line(&self.columns))?;
        for row in rows {
            writeln!(self.out, "{}", line(row))?;
        }
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// Member `name` of `item`, matched case-insensitively; `a.b` reaches into objects.
fn member<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    name.split('.').try_fold(item, |value, key| match value {
        Value::Object(members) => {
            members.get(key).or_else(|| members.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
        }
        _ => None,
    })
}

/// A value as a table cell: text as it is, the rest as compact JSON, cut to [`CELL`].
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() > CELL {
        let cut: String = text.chars().take(CELL - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_cells() {
        let item = serde_json::json!({"Name": "a", "Inner": {"Id": 3}, "Long": "x".repeat(60), "None": null});
        assert_eq!(member(&item, "name").map(cell).as_deref(), Some("a"));
        assert_eq!(member(&item, "Inner.Id").map(cell).as_deref(), Some("3"));
        assert_eq!(member(&item, "None").map(cell).as_deref(), Some(""));
        assert_eq!(member(&item, "Long").map(cell).map(|c| c.chars().count()), Some(CELL));
        assert!(member(&item, "Missing").is_none());
    }
}
