//! serde for the generated structs, as two small macros instead of serde's
//! derives: the derives emit a field enum, its visitor, a map and a sequence
//! visitor per struct, and rustc's front end spends most of the client's
//! compile time on them. These impls read and write JSON objects only, which
//! is all the API has.
//!
//! Decoding starts from the struct's `Default`, so a field the server leaves
//! out keeps its default (`None`, empty list) instead of failing. A member
//! the struct does not declare is kept in its [`UnknownFields`], and so is a
//! `date-time` member that holds no date-time (a time of day, a bare date);
//! with [`decode_tolerant`], so is any member whose value does not fit its
//! declared type. Encoding writes every field except an optional one
//! that is `None` (`skip`; a required but nullable field is sent as `null`)
//! or one that an unknown member of its name replaces, then the unknown
//! members.
//!
//! ```ignore
//! codegen::serialize_object!(AgentResponse, unknown_fields { "AgentId" => agent_id: skip, "Name" => name: always });
//! codegen::deserialize_object!(AgentResponse, unknown_fields { "AgentId" => agent_id: plain, "LastSeen" => last_seen: lenient });
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::datetime::{L, Lenient};
use crate::unknown::UnknownFields;

/// An object key, borrowed from the input where it can be.
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A declared member's value, decoded as its type does.
pub fn plain<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value()
}

/// A declared member holding date-times, decoded leniently (see
/// `datetime`); a value that holds no date-time (a time of day, a bare
/// date) is kept in `unknown` as received, and `None` returned.
pub fn lenient<'de, T: Lenient, A: MapAccess<'de>>(
    map: &mut A,
    wire: &str,
    unknown: &mut UnknownFields,
) -> Result<Option<T>, A::Error> {
    let raw: Box<RawValue> = map.next_value()?;
    match serde_json::from_str::<L<T>>(raw.get()) {
        Ok(decoded) => Ok(Some(decoded.0)),
        Err(_) => {
            unknown.keep(wire.to_string(), serde_json::from_str(raw.get()).unwrap_or(Value::Null));
            Ok(None)
        }
    }
}

/// Keeps a member the struct does not declare (under its own name, also
/// when tolerant decoding set it aside).
pub fn keep<'de, A: MapAccess<'de>>(map: &mut A, key: Key<'de>, unknown: &mut UnknownFields) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    let name = match key.0.strip_prefix(SET_ASIDE) {
        Some(name) => name.to_string(),
        None => key.0.into_owned(),
    };
    unknown.keep(name, value);
    Ok(())
}

/// What tolerant decoding puts before the name of a member it sets aside,
/// so that no declared field takes it; [`keep`] takes it off again.
const SET_ASIDE: &str = "\u{0}set-aside:";

/// Most members one value may have set aside before decoding gives up.
const MAX_SET_ASIDE: usize = 64;

/// Decodes `text` as `T`; where a member's value does not fit its declared
/// type, the member is set aside, to be kept as received in its struct's
/// unknown fields, instead of failing the whole value. Returns the value
/// and the paths of the members set aside; the error is strict decoding's
/// first one when even that does not help (not JSON, not an object where
/// one is declared, more than 64 mismatches).
///
/// It works on the JSON tree and re-decodes with the deserializer the
/// client already uses, so it compiles no decoding code per type.
pub(crate) fn decode_tolerant<T: DeserializeOwned>(
    text: &str,
) -> Result<(T, Vec<String>), serde_path_to_error::Error<serde_json::Error>> {
    let first = match strict::<T>(text) {
        Ok(value) => return Ok((value, Vec::new())),
        Err(e) => e,
    };
    let Ok(mut tree) = serde_json::from_str::<Value>(text) else { return Err(first) };
    let mut set_aside = Vec::new();
    let mut error = first;
    while set_aside.len() < MAX_SET_ASIDE {
        if !set_member_aside(&mut tree, error.path()) {
            break;
        }
        set_aside.push(error.path().to_string());
        match strict::<T>(&tree.to_string()) {
            Ok(value) => return Ok((value, set_aside)),
            Err(e) => error = e,
        }
    }
    Err(strict::<T>(text).err().unwrap_or(error))
}

fn strict<T: DeserializeOwned>(text: &str) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
}

/// Renames the object member that holds the failure at `path` so that it
/// is set aside: the innermost one not set aside already (a member of a
/// map field that does not fit sets the whole field aside).
fn set_member_aside(tree: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some(at) = segments.iter().rposition(|s| matches!(s, Segment::Map { key } if !key.starts_with(SET_ASIDE)))
    else {
        return false;
    };
    let mut node = tree;
    for segment in &segments[..at] {
        node = match (segment, node) {
            (Segment::Seq { index }, Value::Array(items)) => match items.get_mut(*index) {
                Some(item) => item,
                None => return false,
            },
            (Segment::Map { key }, Value::Object(members)) => match members.get_mut(key) {
                Some(member) => member,
                None => return false,
            },
            _ => return false,
        };
    }
    let (Segment::Map { key }, Value::Object(members)) = (segments[at], node) else { return false };
    match members.remove(key) {
        Some(value) => {
            members.insert(format!("{SET_ASIDE}{key}"), value);
            true
        }
        None => false,
    }
}

/// Whether a field is left out of the encoded object.
pub trait Skip {
    fn skip(&self) -> bool;
}

impl<T> Skip for Option<T> {
    fn skip(&self) -> bool {
        self.is_none()
    }
}

/// `impl Deserialize` for a generated struct:
/// `Type, unknown_field { "Wire" => field: plain|lenient, ... }`.
#[macro_export]
macro_rules! deserialize_object {
    ($ty:ident, $unknown:ident { $($wire:literal => $field:ident : $kind:ident),* $(,)? }) => {
        impl<'de> $crate::codegen::support::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::codegen::support::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> $crate::codegen::support::serde::de::Visitor<'de> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($ty), ")"))
                    }
                    fn visit_map<A: $crate::codegen::support::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$ty, A::Error> {
                        let mut value = <$ty as ::std::default::Default>::default();
                        while let Some(key) = map.next_key::<$crate::codegen::support::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => $crate::deserialize_object!(@field map, value, $field, $unknown, $wire, $kind),)*
                                _ => $crate::codegen::support::keep(&mut map, key, &mut value.$unknown)?,
                            }
                        }
                        Ok(value)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    };
    (@field $map:ident, $value:ident, $field:ident, $unknown:ident, $wire:literal, plain) => {
        $value.$field = $crate::codegen::support::plain(&mut $map)?
    };
    (@field $map:ident, $value:ident, $field:ident, $unknown:ident, $wire:literal, lenient) => {
        if let Some(v) = $crate::codegen::support::lenient(&mut $map, $wire, &mut $value.$unknown)? {
            $value.$field = v;
        }
    };
}

/// `impl Serialize` for a generated struct:
/// `Type, unknown_field { "Wire" => field: always|skip, ... }`.
#[macro_export]
macro_rules! serialize_object {
    ($ty:ident, $unknown:ident { $($wire:literal => $field:ident : $kind:ident),* $(,)? }) => {
        impl $crate::codegen::support::serde::Serialize for $ty {
            fn serialize<S: $crate::codegen::support::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use $crate::codegen::support::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                let unknown = &self.$unknown;
                $($crate::serialize_object!(@field map, unknown, self.$field, $wire, $kind);)*
                for (name, value) in unknown.iter() {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    };
    (@field $map:ident, $unknown:ident, $value:expr, $wire:literal, always) => {
        if $unknown.sends($wire) {
            $map.serialize_entry($wire, &$value)?
        }
    };
    (@field $map:ident, $unknown:ident, $value:expr, $wire:literal, skip) => {
        if !$crate::codegen::support::Skip::skip(&$value) && $unknown.sends($wire) {
            $map.serialize_entry($wire, &$value)?
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::decode_tolerant;
    use crate::unknown::UnknownFields;

    #[derive(Debug, Default, PartialEq)]
    struct Agent {
        id: Option<i32>,
        name: String,
        seen: Option<chrono::DateTime<chrono::Utc>>,
        tags: Vec<String>,
        note: Option<String>,
        job: Option<Job>,
        unknown_fields: UnknownFields,
    }
    deserialize_object!(Agent, unknown_fields {
        "Id" => id: plain, "Name" => name: plain, "Seen" => seen: lenient, "Tags" => tags: plain, "Note" => note: plain,
        "Job" => job: plain,
    });
    serialize_object!(Agent, unknown_fields { "Id" => id: skip, "Name" => name: always, "Seen" => seen: skip, "Tags" => tags: always, "Note" => note: always, "Job" => job: skip });

    #[derive(Debug, Default, PartialEq)]
    struct Job {
        at: chrono::DateTime<chrono::Utc>,
        unknown_fields: UnknownFields,
    }
    deserialize_object!(Job, unknown_fields { "At" => at: lenient });
    serialize_object!(Job, unknown_fields { "At" => at: always });

    fn round_trip(json: &str) -> (Agent, serde_json::Value) {
        let agent: Agent = serde_json::from_str(json).unwrap();
        let encoded = serde_json::to_value(&agent).unwrap();
        (agent, encoded)
    }

    #[test]
    fn objects_decode_defaulting_missing_fields() {
        let agent: Agent = serde_json::from_str(r#"{"Name":"a\"b","Seen":"2024-05-01T10:00:00","Id":3}"#).unwrap();
        assert_eq!(agent.id, Some(3));
        assert_eq!(agent.name, "a\"b");
        assert_eq!(agent.seen.unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
        assert!(agent.tags.is_empty() && agent.note.is_none() && agent.unknown_fields.is_empty());
    }

    #[test]
    fn undeclared_members_are_kept_at_every_level_and_written_back_after_the_declared_ones() {
        let json = r#"{"Name":"n","Extra":{"x":[1]},"Job":{"At":"2024-05-01T10:00:00Z","Queue":"q"},"Tags":[],"Note":null,"Last":null}"#;
        let (agent, encoded) = round_trip(json);
        assert_eq!(agent.unknown_fields.get("Extra"), Some(&json!({"x": [1]})));
        assert_eq!(agent.job.as_ref().unwrap().unknown_fields.get("Queue"), Some(&json!("q")));
        assert_eq!(encoded, serde_json::from_str::<serde_json::Value>(json).unwrap());
        let text = serde_json::to_string(&agent).unwrap();
        assert!(text.ends_with(r#""Extra":{"x":[1]},"Last":null}"#), "{text}");
    }

    #[test]
    fn a_date_time_member_holding_a_time_of_day_or_a_date_is_kept_as_it_came() {
        for value in ["12:00:00", "2024-05-01"] {
            let json = format!(r#"{{"Name":"n","Tags":[],"Note":null,"Seen":"{value}","Job":{{"At":"{value}"}}}}"#);
            let (agent, encoded) = round_trip(&json);
            assert_eq!(agent.seen, None);
            assert_eq!(agent.unknown_fields.get("Seen"), Some(&json!(value)));
            assert_eq!(encoded, serde_json::from_str::<serde_json::Value>(&json).unwrap());
        }
    }

    #[test]
    fn an_unknown_member_named_like_a_declared_field_replaces_it() {
        let mut job = Job::default();
        job.unknown_fields.insert("At", "12:00:00");
        assert_eq!(serde_json::to_string(&job).unwrap(), r#"{"At":"12:00:00"}"#);
    }

    #[test]
    fn a_wrong_value_is_an_error_with_its_path_unless_decoding_tolerantly() {
        let json = r#"{"Name":"x","Tags":["a",2],"Job":{"At":"2024-05-01T10:00:00Z"},"Id":"seven","Note":null}"#;
        let mut de = serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Agent>(&mut de).unwrap_err();
        assert_eq!(err.path().to_string(), "Tags[1]");
        assert!(serde_json::from_str::<Agent>("[1]").is_err());
        let (agent, set_aside) = decode_tolerant::<Agent>(json).unwrap();
        assert_eq!((agent.name.as_str(), agent.id, agent.tags.len()), ("x", None, 0));
        assert_eq!(agent.unknown_fields.get("Tags"), Some(&json!(["a", 2])));
        assert_eq!(agent.unknown_fields.get("Id"), Some(&json!("seven")));
        assert_eq!(set_aside, ["Tags[1]", "Id"]);
        assert!(agent.job.is_some());
        // Re-encoded, every member is as it came.
        let sent = serde_json::to_value(&agent).unwrap();
        assert_eq!(sent, serde_json::from_str::<serde_json::Value>(json).unwrap());
    }

    #[test]
    fn tolerant_decoding_sets_aside_members_in_nested_objects_and_lists_and_refuses_what_is_no_object() {
        let json = r#"[{"Name":"a","Job":{"At":"2024-05-01T10:00:00Z","Queue":7}},{"Name":5,"Job":{"At":[]}}]"#;
        let (agents, set_aside) = decode_tolerant::<Vec<Agent>>(json).unwrap();
        // A date-time that holds none is kept without setting anything aside.
        assert_eq!(set_aside, ["[1].Name"]);
        assert_eq!(agents[1].unknown_fields.get("Name"), Some(&json!(5)));
        assert_eq!(agents[1].job.as_ref().unwrap().unknown_fields.get("At"), Some(&json!([])));
        assert_eq!(agents[0].job.as_ref().unwrap().unknown_fields.get("Queue"), Some(&json!(7)));
        let err = decode_tolerant::<Vec<Agent>>("[1]").err().unwrap();
        assert_eq!(err.path().to_string(), "[0]");
        assert!(decode_tolerant::<Agent>("{").is_err());
    }

    #[test]
    fn objects_encode_skipping_only_optional_nones() {
        let agent = Agent { id: None, name: "n".into(), ..Default::default() };
        assert_eq!(serde_json::to_string(&agent).unwrap(), r#"{"Name":"n","Tags":[],"Note":null}"#);
        let agent = Agent { id: Some(1), ..agent };
        assert_eq!(serde_json::to_string(&agent).unwrap(), r#"{"Id":1,"Name":"n","Tags":[],"Note":null}"#);
    }
}
