//! The members of a JSON object that its type does not declare.
//!
//! Keyfactor's documents under-declare what the server sends and accepts.
//! Every generated struct therefore keeps, in one `unknown_fields` map, each
//! member it does not declare, as it was received, and writes them back
//! after the declared ones: a newer server's additions survive a
//! read-modify-write, and a request can carry what the documents leave out
//! (protobuf's unknown fields, for JSON).
//!
//! A member named exactly like a declared field replaces that field when the
//! value is sent. That is how a
//! value the documents mistype goes out, and how it comes back: a member
//! whose value does not fit its declared type (a time of day in a
//! `date-time` field) is kept here as received, and the field is left empty.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Members a type does not declare, in the order they came; see the module
/// docs. Empty (and without an allocation) for most values.
#[derive(Clone, Default)]
pub struct UnknownFields {
    // A member set aside under a declared field's name borrows the name.
    members: Vec<(Cow<'static, str>, Value)>,
}

impl UnknownFields {
    /// No members.
    pub const fn new() -> Self {
        UnknownFields { members: Vec::new() }
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// The member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.members[i].1)
    }

    /// The value of member `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.position(name).map(|i| &mut self.members[i].1)
    }

    /// Whether a member is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets the member `name` (replacing one of that name in its place);
    /// returns the value it had.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let name: String = name.into();
        match self.position(&name) {
            Some(i) => Some(std::mem::replace(&mut self.members[i], (Cow::Owned(name), value.into())).1),
            None => {
                self.members.push((Cow::Owned(name), value.into()));
                None
            }
        }
    }

    /// Removes member `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.position(name).map(|i| self.members.remove(i).1)
    }

    /// The members, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), v))
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|(k, _)| k.as_ref() == name)
    }

    /// Keeps a member as received (decoding: a later duplicate wins, as in
    /// serde_json's maps).
    pub(crate) fn keep(&mut self, name: Cow<'static, str>, value: Value) {
        match self.position(&name) {
            Some(i) => self.members[i].1 = value,
            None => {
                // Most objects keep one member, if any: room for one, not four
                // (a long listing keeps one per item).
                if self.members.is_empty() {
                    self.members.reserve_exact(1);
                }
                self.members.push((name, value))
            }
        }
    }

    /// Whether the declared field `wire` is sent: not when a member here
    /// replaces it.
    pub fn sends(&self, wire: &str) -> bool {
        self.members.is_empty() || !self.contains(wire)
    }
}

/// Equal when they hold the same members with equal values, in any order.
impl PartialEq for UnknownFields {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.iter().any(|(ok, ov)| ok == k && ov == v))
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for UnknownFields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = UnknownFields::new();
        out.extend(iter);
        out
    }
}

impl<K: Into<String>, V: Into<Value>> Extend<(K, V)> for UnknownFields {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for UnknownFields {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        let members: Vec<(String, Value)> = self.members.into_iter().map(|(k, v)| (k.into_owned(), v)).collect();
        members.into_iter()
    }
}

/// As a JSON object of its own.
impl Serialize for UnknownFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UnknownFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = UnknownFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnknownFields, A::Error> {
                let mut out = UnknownFields::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.keep(Cow::Owned(k), v);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_holds_no_allocation() {
        let unknown = UnknownFields::new();
        assert_eq!(unknown.members.capacity(), 0);
        assert_eq!(UnknownFields::default().members.capacity(), 0);
    }

    #[test]
    fn members_keep_their_order_and_names_match_exactly() {
        let mut unknown: UnknownFields = [("b", json!(1)), ("A", json!("x"))].into_iter().collect();
        assert_eq!(unknown.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "A"]);
        assert_eq!((unknown.get("A"), unknown.get("a")), (Some(&json!("x")), None));
        assert_eq!(unknown.insert("b", json!(2)), Some(json!(1)));
        assert_eq!(unknown.insert("B", json!(3)), None);
        assert_eq!(unknown.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "A", "B"]);
        assert!(!unknown.sends("A") && unknown.sends("a"));
        assert_eq!(unknown.remove("b"), Some(json!(2)));
        assert_eq!(serde_json::to_string(&unknown).unwrap(), r#"{"A":"x","B":3}"#);
    }

    #[test]
    fn equality_ignores_order() {
        let a: UnknownFields = [("x", 1), ("y", 2)].into_iter().collect();
        let b: UnknownFields = [("y", 2), ("x", 1)].into_iter().collect();
        let c: UnknownFields = [("y", 2), ("x", 3)].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(format!("{a:?}"), r#"{"x": Number(1), "y": Number(2)}"#);
    }
}
