//! Names for integer codes, from the documents' texts.
//!
//! Keyfactor's documents declare enums as bare integers, but some texts name
//! the values. Two shapes are read, and nothing else:
//!
//! 1. **Inline lists** in the description of a parameter or field whose type
//!    is one code type: `Field sort direction [0=ascending, 1=descending]`.
//!    At least two `number=name` pairs; every number must be one the type
//!    lists.
//! 2. **Value tables** in an operation's description: a Markdown table whose
//!    first column is a number on every row and whose second column is the
//!    name (`| 1 | Key compromised |`). The table belongs to the code type,
//!    among those the operation reaches (parameters, body, response, through
//!    fields), that lists every number of the table; if none does, to the
//!    operation's only code type when it lists more than half of them (then
//!    only those rows count). Tables with text in the first column (flags,
//!    permissions) are not code tables.
//!
//! A list or table whose numbers or names repeat is ignored. The names one
//! type gets from several texts are merged; where two texts disagree (a
//! number with two names, or a name with two numbers) the type gets no names
//! at all: no guessing where the documents are ambiguous.

use std::collections::{BTreeMap, BTreeSet};

use super::{CodeName, Endpoint, TypeDef, TypeKind, TypeRef};
use crate::naming;

/// Pairs of (number, name) read from one text.
type Pairs = Vec<(i64, String)>;

/// Gives each code type of `types` the names the texts tie to it.
pub(super) fn attach(types: &mut [TypeDef], endpoints: &[Endpoint]) {
    let mut found: BTreeMap<usize, Vec<Pairs>> = BTreeMap::new();
    let mut note = |i: usize, pairs: Pairs| found.entry(i).or_default().push(pairs);
    for op in endpoints.iter().flat_map(|e| &e.operations) {
        for p in &op.params {
            inline_for(types, &p.ty, p.description.as_deref(), &mut note);
        }
        let reached = reached_codes(types, op.named());
        for table in op.description.as_deref().map(tables).unwrap_or_default() {
            if let Some((i, pairs)) = table_owner(types, &reached, table) {
                note(i, pairs);
            }
        }
    }
    for t in types.iter() {
        if let TypeKind::Struct { fields } = &t.kind {
            for f in fields {
                inline_for(types, &f.ty, f.description.as_deref(), &mut note);
            }
        }
    }
    for (i, lists) in found {
        let Some(pairs) = merge(lists) else { continue };
        let Some(idents) = naming::code_constants(&pairs.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>()) else {
            continue;
        };
        if let TypeKind::IntEnum { names, .. } = &mut types[i].kind {
            *names =
                pairs.into_iter().zip(idents).map(|((value, text), ident)| CodeName { value, text, ident }).collect();
        }
    }
}

/// The code type `ty` is (through aliases, arrays and boxes), if any.
fn code_type(types: &[TypeDef], ty: &TypeRef) -> Option<usize> {
    match ty {
        TypeRef::Named(i) => match &types[*i].kind {
            TypeKind::IntEnum { .. } => Some(*i),
            TypeKind::Alias { ty } => code_type(types, ty),
            _ => None,
        },
        TypeRef::Array(inner) | TypeRef::Boxed(inner) => code_type(types, inner),
        _ => None,
    }
}

fn known(types: &[TypeDef], i: usize) -> &[i64] {
    match &types[i].kind {
        TypeKind::IntEnum { known, .. } => known,
        _ => &[],
    }
}

fn inline_for(types: &[TypeDef], ty: &TypeRef, text: Option<&str>, note: &mut impl FnMut(usize, Pairs)) {
    let (Some(i), Some(text)) = (code_type(types, ty), text) else { return };
    if let Some(pairs) = inline_pairs(text).filter(|p| p.iter().all(|(v, _)| known(types, i).contains(v))) {
        note(i, pairs);
    }
}

/// `number=name` pairs of a text, when there are at least two and none repeats.
pub(crate) fn inline_pairs(text: &str) -> Option<Pairs> {
    let mut pairs = Vec::new();
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let before = rest[..eq].trim_end();
        // The number is the run of digits (and minus sign) right before `=`.
        let number = before.rsplit(|c: char| !(c.is_ascii_digit() || c == '-')).next().unwrap_or("");
        let after = &rest[eq + 1..];
        let name_len = after.find([',', ']', ';', ')', '\n', '|']).unwrap_or(after.len());
        let name = after[..name_len].trim();
        if let (Ok(value), true) = (number.parse::<i64>(), is_name(name)) {
            pairs.push((value, name.to_string()));
        }
        rest = after;
    }
    (pairs.len() >= 2 && distinct(&pairs)).then_some(pairs)
}

/// A name as the texts write one: starts with a letter, then letters,
/// digits, spaces, dashes and underscores.
fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        && text.len() <= 64
}

fn distinct(pairs: &Pairs) -> bool {
    let values: BTreeSet<i64> = pairs.iter().map(|(v, _)| *v).collect();
    let names: BTreeSet<String> = pairs.iter().map(|(_, n)| fold(n)).collect();
    values.len() == pairs.len() && names.len() == pairs.len()
}

/// How names compare: case and separators ignored (as the client's `Code` does).
fn fold(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The Markdown tables of a text whose first column is a number on every
/// row, as (number, name) pairs.
pub(crate) fn tables(text: &str) -> Vec<Pairs> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut i = 0;
    while i < lines.len() {
        let is_row = |l: &str| l.starts_with('|');
        if !(is_row(lines[i]) && lines.get(i + 1).is_some_and(|l| is_separator(l))) {
            i += 1;
            continue;
        }
        let body: Vec<&str> = lines[i + 2..].iter().copied().take_while(|l| is_row(l)).collect();
        i += 2 + body.len();
        let rows: Option<Pairs> = body.iter().map(|row| code_row(row)).collect();
        if let Some(rows) = rows.filter(|r| r.len() >= 2 && distinct(r)) {
            out.push(rows);
        }
    }
    out
}

fn is_separator(line: &str) -> bool {
    line.starts_with('|') && line.contains('-') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn code_row(row: &str) -> Option<(i64, String)> {
    let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
    let value = cells.first()?.parse().ok()?;
    let name = *cells.get(1)?;
    is_name(name).then(|| (value, name.to_string()))
}

/// The code types reachable from `roots` through fields, aliases, arrays.
fn reached_codes(types: &[TypeDef], roots: Vec<usize>) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(i) = stack.pop() {
        if seen.insert(i) {
            stack.extend(types[i].named());
        }
    }
    seen.into_iter().filter(|&i| matches!(types[i].kind, TypeKind::IntEnum { .. })).collect()
}

/// The code type a table names the values of (see the module docs).
fn table_owner(types: &[TypeDef], reached: &[usize], table: Pairs) -> Option<(usize, Pairs)> {
    let covers: Vec<usize> =
        reached.iter().copied().filter(|&i| table.iter().all(|(v, _)| known(types, i).contains(v))).collect();
    match (covers.as_slice(), reached) {
        ([one], _) => Some((*one, table)),
        ([], [only]) => {
            let listed: Pairs = table.iter().filter(|(v, _)| known(types, *only).contains(v)).cloned().collect();
            (listed.len() * 2 > table.len() && listed.len() >= 2).then_some((*only, listed))
        }
        _ => None,
    }
}

/// The union of the lists one type got, sorted by number; `None` when two
/// lists disagree.
fn merge(lists: Vec<Pairs>) -> Option<Pairs> {
    let mut by_value: BTreeMap<i64, String> = BTreeMap::new();
    let mut by_name: BTreeMap<String, i64> = BTreeMap::new();
    for (value, name) in lists.into_iter().flatten() {
        if by_name.get(&fold(&name)).is_some_and(|v| *v != value) {
            return None;
        }
        match by_value.get(&value) {
            Some(existing) if fold(existing) != fold(&name) => return None,
            Some(_) => {}
            None => {
                by_name.insert(fold(&name), value);
                by_value.insert(value, name);
            }
        }
    }
    Some(by_value.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(i64, &str)]) -> Pairs {
        list.iter().map(|(v, n)| (*v, n.to_string())).collect()
    }

    #[test]
    fn the_sort_direction_list_of_the_v25_parameters() {
        let found = inline_pairs("Field sort direction [0=ascending, 1=descending]");
        assert_eq!(found, Some(pairs(&[(0, "ascending"), (1, "descending")])));
    }

    #[test]
    fn a_single_pair_or_an_equation_is_not_a_list() {
        assert_eq!(inline_pairs("Set to 1=enabled to turn it on"), None);
        assert_eq!(inline_pairs("Query such as CN -eq \"x\" and Id=5"), None);
        assert_eq!(inline_pairs("[0=a, 0=b]"), None);
    }

    /// The shape of `POST /Certificates/Revoke` in v25.
    const REVOCATION: &str = "### Revocation Reason Codes for Microsoft CA ###\n| Value             | Description               |\n|-------------------|---------------------------|\n| -1                | Remove from hold          |\n| 0                 | Unspecified               |\n| 1                 | Key compromised           |\n| 7                 | Remove from CRL           |\n| 999               | Unknown                   |";

    #[test]
    fn a_value_table_with_negative_numbers() {
        let found = tables(REVOCATION);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0][0], (-1, "Remove from hold".to_string()));
        assert_eq!(found[0][2], (1, "Key compromised".to_string()));
        assert_eq!(found[0].len(), 5);
    }

    /// `POST /SSH/Keys/MyKey`: two tables under their own headings.
    #[test]
    fn two_tables_in_one_description() {
        let text = "### SSH Key Algorithms ###\n| Value | Description |\n|---|---|\n| 0 | Unknown |\n| 1 | ECDSA |\n| 2 | Ed25519 |\n\n### Private Key Formats ###\n| Value | Description |\n|---|---|\n| 0 | Unknown |\n| 1 | OpenSSH |";
        let found = tables(text);
        assert_eq!(
            found,
            vec![pairs(&[(0, "Unknown"), (1, "ECDSA"), (2, "Ed25519")]), pairs(&[(0, "Unknown"), (1, "OpenSSH")])]
        );
    }

    /// Subject alternative name flags and permissions have text keys.
    #[test]
    fn tables_keyed_by_text_are_not_code_tables() {
        let flags = "| Value | Description |\n|---|---|\n| other | OtherName |\n| dns | DNSName |";
        let permissions = "| Permission | Requisite Permissions |\n|---|---|\n| Read |  |\n| Modify | Read |";
        assert!(tables(flags).is_empty() && tables(permissions).is_empty());
    }

    #[test]
    fn agreeing_lists_merge_and_disagreeing_ones_give_nothing() {
        let a = pairs(&[(0, "ascending"), (1, "descending")]);
        let b = pairs(&[(1, "Descending"), (2, "none")]);
        assert_eq!(merge(vec![a.clone(), b]).unwrap().len(), 3);
        assert_eq!(merge(vec![a.clone(), pairs(&[(1, "up")])]), None);
        assert_eq!(merge(vec![a, pairs(&[(5, "Ascending")])]), None);
    }
}
