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
//! declared type, in one pass however many there are. Encoding writes every field except an optional one
//! that is `None` (`skip`; a required but nullable field is sent as `null`)
//! or one that an unknown member of its name replaces, then the unknown
//! members.
//!
//! ```ignore
//! codegen::serialize_object!(AgentResponse, unknown_fields { "AgentId" => agent_id: skip, "Name" => name: always });
//! codegen::deserialize_object!(AgentResponse, unknown_fields { "AgentId" => agent_id: plain, "LastSeen" => last_seen: lenient, "JobTypes" => job_types: object });
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
    /// The value's text.
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

/// A declared member's value, decoded as its type does. While
/// `decode_tolerant` decodes, a value that does not fit the type is kept
/// in `unknown` as received instead, and `None` returned: the member is set
/// aside where it is met, and everything else decodes on in the same pass.
pub fn plain<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    owner: &'static str,
    wire: &'static str,
    unknown: &mut UnknownFields,
) -> Result<Option<T>, A::Error> {
    if !TOLERANT.get() {
        return map.next_value().map(Some);
    }
    // The value's text, borrowed from the input: decoding it again costs a
    // scan of this member, not of the whole response.
    let raw: &'de RawValue = map.next_value()?;
    match serde_json::from_str::<T>(raw.get()) {
        Ok(value) => Ok(Some(value)),
        Err(_) => {
            unknown.keep(Cow::Borrowed(wire), serde_json::from_str(raw.get()).unwrap_or(Value::Null));
            SET_ASIDE.with_borrow_mut(|moved| moved.note(owner, wire));
            Ok(None)
        }
    }
}

/// A declared member holding objects of generated structs (or lists or
/// maps of them), decoded as it streams in: their own members are checked
/// where they are met, so tolerant decoding costs no second pass over them.
pub fn object<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value()
}

/// A declared member holding date-times, decoded leniently (see
/// `datetime`); a value that holds no date-time (a time of day, a bare
/// date) is kept in `unknown` as received, and `None` returned.
pub fn lenient<'de, T: Lenient, A: MapAccess<'de>>(
    map: &mut A,
    wire: &'static str,
    unknown: &mut UnknownFields,
) -> Result<Option<T>, A::Error> {
    let raw: Box<RawValue> = map.next_value()?;
    match serde_json::from_str::<L<T>>(raw.get()) {
        Ok(decoded) => Ok(Some(decoded.0)),
        Err(_) => {
            unknown.keep(Cow::Borrowed(wire), serde_json::from_str(raw.get()).unwrap_or(Value::Null));
            Ok(None)
        }
    }
}

/// Keeps a member the struct does not declare.
pub fn keep<'de, A: MapAccess<'de>>(map: &mut A, key: Key<'de>, unknown: &mut UnknownFields) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    unknown.keep(Cow::Owned(key.0.into_owned()), value);
    Ok(())
}

std::thread_local! {
    /// Whether [`plain`] sets aside what does not fit (during [`decode_tolerant`]).
    static TOLERANT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// What [`plain`] set aside during the current [`decode_tolerant`].
    static SET_ASIDE: std::cell::RefCell<SetAside> = const { std::cell::RefCell::new(SetAside::new()) };
}

/// The members tolerant decoding set aside: how many, and which, as
/// `Type.Member` with a count each, in the order first met (at most
/// [`SetAside::NAMED`] of them named).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub count: usize,
    pub members: Vec<(String, usize)>,
}

impl SetAside {
    /// How many distinct members are named.
    pub const NAMED: usize = 8;

    const fn new() -> Self {
        SetAside { count: 0, members: Vec::new() }
    }

    fn note(&mut self, owner: &str, wire: &str) {
        self.count += 1;
        let name = |m: &(String, usize)| {
            m.0.len() == owner.len() + 1 + wire.len() && m.0.starts_with(owner) && m.0.ends_with(wire)
        };
        if let Some(member) = self.members.iter_mut().find(|m| name(m)) {
            member.1 += 1;
        } else if self.members.len() < Self::NAMED {
            self.members.push((format!("{owner}.{wire}"), 1));
        }
    }
}

impl fmt::Display for SetAside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named: Vec<String> = self.members.iter().map(|(m, n)| format!("{m} ({n})")).collect();
        let named_count: usize = self.members.iter().map(|m| m.1).sum();
        write!(f, "{} member(s): {}", self.count, named.join(", "))?;
        if named_count < self.count {
            write!(f, " and {} more", self.count - named_count)?;
        }
        Ok(())
    }
}

/// Turns tolerant decoding on for this thread while it lives.
struct Tolerant;

impl Tolerant {
    fn on() -> Self {
        TOLERANT.set(true);
        SET_ASIDE.with_borrow_mut(|moved| *moved = SetAside::new());
        Tolerant
    }
}

impl Drop for Tolerant {
    fn drop(&mut self) {
        TOLERANT.set(false);
    }
}

/// Decodes `text` as `T`; where a member's value does not fit its declared
/// type, the member is kept as received in its struct's unknown fields
/// instead of failing the whole value. Returns the value and what was set
/// aside; the error (with its JSON path) when even that does not help: not
/// JSON, or not an object where the response or a list item of it is one.
///
/// Strict decoding runs first (the common case, fastest); when it fails,
/// one more pass decodes with every member checked where it is met, so the
/// cost is linear whatever number of members do not fit. No decoding code
/// is compiled twice: the pass is the same impls, switched by a flag.
#[cfg(any(test, feature = "dynamic", feature = "cli"))]
pub(crate) fn decode_tolerant<T: DeserializeOwned>(
    text: &str,
) -> Result<(T, SetAside), serde_path_to_error::Error<serde_json::Error>> {
    match serde_json::from_str::<T>(text) {
        Ok(value) => Ok((value, SetAside::default())),
        Err(_) => decode_setting_aside(text),
    }
}

/// The pass of [`decode_tolerant`] after strict decoding failed (for a
/// caller that ran strict decoding itself).
pub(crate) fn decode_setting_aside<T: DeserializeOwned>(
    text: &str,
) -> Result<(T, SetAside), serde_path_to_error::Error<serde_json::Error>> {
    let decoded = {
        let _tolerant = Tolerant::on();
        serde_json::from_str::<T>(text)
    };
    match decoded {
        Ok(value) => Ok((value, SET_ASIDE.with_borrow_mut(std::mem::take))),
        // Where it fails: strict decoding, with the path.
        Err(_) => match serde_path_to_error::deserialize::<_, T>(&mut serde_json::Deserializer::from_str(text)) {
            Err(located) => Err(located),
            Ok(value) => Ok((value, SetAside::default())),
        },
    }
}

/// Whether a field is left out of the encoded object.
pub trait Skip {
    /// Whether the value is left out.
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
                                $($wire => $crate::deserialize_object!(@field $ty, map, value, $field, $unknown, $wire, $kind),)*
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
    (@field $ty:ident, $map:ident, $value:ident, $field:ident, $unknown:ident, $wire:literal, plain) => {
        if let Some(v) = $crate::codegen::support::plain(&mut $map, stringify!($ty), $wire, &mut $value.$unknown)? {
            $value.$field = v;
        }
    };
    (@field $ty:ident, $map:ident, $value:ident, $field:ident, $unknown:ident, $wire:literal, object) => {
        $value.$field = $crate::codegen::support::object(&mut $map)?
    };
    (@field $ty:ident, $map:ident, $value:ident, $field:ident, $unknown:ident, $wire:literal, lenient) => {
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
        "Job" => job: object,
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
        assert_eq!(set_aside.count, 2);
        assert_eq!(set_aside.members, [("Agent.Tags".to_string(), 1), ("Agent.Id".to_string(), 1)]);
        assert_eq!(set_aside.to_string(), "2 member(s): Agent.Tags (1), Agent.Id (1)");
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
        assert_eq!(set_aside.members, [("Agent.Name".to_string(), 1)]);
        assert_eq!(agents[1].unknown_fields.get("Name"), Some(&json!(5)));
        assert_eq!(agents[1].job.as_ref().unwrap().unknown_fields.get("At"), Some(&json!([])));
        assert_eq!(agents[0].job.as_ref().unwrap().unknown_fields.get("Queue"), Some(&json!(7)));
        let err = decode_tolerant::<Vec<Agent>>("[1]").err().unwrap();
        assert_eq!(err.path().to_string(), "[0]");
        // A member declared an object that holds none: an error, with its path.
        let err = decode_tolerant::<Vec<Agent>>(r#"[{"Name":"a"},{"Name":"b","Job":"soon"}]"#).err().unwrap();
        assert_eq!(err.path().to_string(), "[1].Job");
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
