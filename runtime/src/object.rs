//! serde for the generated structs, as two small macros instead of serde's
//! derives: the derives emit a field enum, its visitor, a map and a sequence
//! visitor per struct, and rustc's front end spends most of the client's
//! compile time on them. These impls read and write JSON objects only, which
//! is all the API has.
//!
//! Decoding starts from the struct's `Default`, so a field the server leaves
//! out keeps its default (`None`, empty list) instead of failing; unknown
//! fields are skipped. Encoding writes every field except an optional one
//! that is `None` (`skip`); a required but nullable field is sent as `null`.
//!
//! ```ignore
//! keyfactor_runtime::codegen::serialize_object!(AgentResponse { "AgentId" => agent_id: skip, "Name" => name: always });
//! keyfactor_runtime::codegen::deserialize_object!(AgentResponse { "AgentId" => agent_id: plain, "LastSeen" => last_seen: lenient });
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess};

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

/// A field's value, decoded as its type does.
pub fn plain<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value()
}

/// A field's value holding date-times, decoded leniently (see `datetime`).
pub fn lenient<'de, T: crate::datetime::Lenient, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<crate::datetime::L<T>>().map(|l| l.0)
}

/// Skips a field this client does not know.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
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

/// `impl Deserialize` for a generated struct: `"Wire" => field: plain|lenient`.
#[macro_export]
macro_rules! deserialize_object {
    ($ty:ident { $($wire:literal => $field:ident : $kind:ident),* $(,)? }) => {
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
                    #[allow(unused_mut)]
                    fn visit_map<A: $crate::codegen::support::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$ty, A::Error> {
                        let mut value = <$ty as ::std::default::Default>::default();
                        while let Some(key) = map.next_key::<$crate::codegen::support::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => value.$field = $crate::codegen::support::$kind(&mut map)?,)*
                                _ => $crate::codegen::support::skip(&mut map)?,
                            }
                        }
                        Ok(value)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    };
}

/// `impl Serialize` for a generated struct: `"Wire" => field: always|skip`.
#[macro_export]
macro_rules! serialize_object {
    ($ty:ident { $($wire:literal => $field:ident : $kind:ident),* $(,)? }) => {
        impl $crate::codegen::support::serde::Serialize for $ty {
            fn serialize<S: $crate::codegen::support::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use $crate::codegen::support::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $($crate::serialize_object!(@field map, self.$field, $wire, $kind);)*
                map.end()
            }
        }
    };
    (@field $map:ident, $value:expr, $wire:literal, always) => {
        $map.serialize_entry($wire, &$value)?
    };
    (@field $map:ident, $value:expr, $wire:literal, skip) => {
        if !$crate::codegen::support::Skip::skip(&$value) {
            $map.serialize_entry($wire, &$value)?
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Default, PartialEq)]
    struct Agent {
        id: Option<i32>,
        name: String,
        seen: Option<chrono::DateTime<chrono::Utc>>,
        tags: Vec<String>,
        note: Option<String>,
    }
    deserialize_object!(Agent { "Id" => id: plain, "Name" => name: plain, "Seen" => seen: lenient, "Tags" => tags: plain, "Note" => note: plain });
    serialize_object!(Agent { "Id" => id: skip, "Name" => name: always, "Tags" => tags: always, "Note" => note: always });

    #[test]
    fn objects_decode_skipping_unknown_fields_and_defaulting_missing_ones() {
        let agent: Agent =
            serde_json::from_str(r#"{"Name":"a\"b","Extra":{"x":[1]},"Seen":"2024-05-01T10:00:00","Id":3}"#).unwrap();
        assert_eq!(agent.id, Some(3));
        assert_eq!(agent.name, "a\"b");
        assert_eq!(agent.seen.unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
        assert!(agent.tags.is_empty() && agent.note.is_none());
    }

    #[test]
    fn a_wrong_value_is_an_error_with_its_path() {
        let mut de = serde_json::Deserializer::from_str(r#"{"Name":"x","Tags":["a",2]}"#);
        let err = serde_path_to_error::deserialize::<_, Agent>(&mut de).unwrap_err();
        assert_eq!(err.path().to_string(), "Tags[1]");
        assert!(serde_json::from_str::<Agent>("[1]").is_err());
    }

    #[test]
    fn objects_encode_skipping_only_optional_nones() {
        let agent = Agent { id: None, name: "n".into(), ..Default::default() };
        assert_eq!(serde_json::to_string(&agent).unwrap(), r#"{"Name":"n","Tags":[],"Note":null}"#);
        let agent = Agent { id: Some(1), ..agent };
        assert_eq!(serde_json::to_string(&agent).unwrap(), r#"{"Id":1,"Name":"n","Tags":[],"Note":null}"#);
    }
}
