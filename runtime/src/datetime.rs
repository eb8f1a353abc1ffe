//! `date-time` values as a .NET server writes them. Besides RFC 3339
//! (`2024-05-01T10:00:00Z`, any number of fractional digits), Keyfactor
//! Command writes values of .NET's "unspecified" kind without an offset
//! (`2024-05-01T10:00:00` or `2024-05-01T10:00:00.1234567`). Those are read
//! as UTC, the time zone the server stores. Generated fields that hold a
//! date-time, however nested (`Option`, `Vec`, maps), decode through
//! [`Lenient`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Parses one date-time as the server writes them: RFC 3339 (any number of
/// fractional digits), else an offset-less value read as UTC.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(value) = DateTime::parse_from_rfc3339(text) {
        return Some(value.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

/// `#[serde(deserialize_with = ...)]` for any field type built from
/// date-times (see [`Lenient`]).
#[cfg(test)]
pub fn deserialize<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<T, D::Error> {
    T::deserialize_lenient(deserializer)
}

/// Types whose date-times decode leniently.
pub trait Lenient: Sized {
    /// Decodes the value, reading a date-time leniently.
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Wraps a [`Lenient`] type so that serde's impls for containers apply.
pub struct L<T>(pub T);

impl<'de, T: Lenient> Deserialize<'de> for L<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_lenient(deserializer).map(L)
    }
}

impl Lenient for DateTime<Utc> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid date-time {text:?}: expected RFC 3339 or yyyy-mm-ddThh:mm:ss[.fffffff]"
            ))
        })
    }
}

impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<L<T>>::deserialize(deserializer)?.map(|l| l.0))
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<L<T>>::deserialize(deserializer)?.into_iter().map(|l| l.0).collect())
    }
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, L<T>>::deserialize(deserializer)?.into_iter().map(|(k, l)| (k, l.0)).collect())
    }
}

impl<T: Lenient> Lenient for Box<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_lenient(deserializer).map(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Job {
        #[serde(default, deserialize_with = "deserialize")]
        at: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "deserialize")]
        runs: Vec<DateTime<Utc>>,
    }

    fn at(json: &str) -> Option<DateTime<Utc>> {
        serde_json::from_str::<Job>(&format!(r#"{{"at":{json}}}"#)).unwrap().at
    }

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn rfc3339_values_decode_with_their_offset() {
        assert_eq!(at(r#""2024-05-01T10:00:00Z""#), utc("2024-05-01T10:00:00Z"));
        assert_eq!(at(r#""2024-05-01T12:00:00+02:00""#), utc("2024-05-01T10:00:00Z"));
    }

    #[test]
    fn seven_fractional_digits_decode() {
        assert_eq!(at(r#""2024-05-01T10:00:00.1234567Z""#), utc("2024-05-01T10:00:00.1234567Z"));
        assert_eq!(at(r#""2024-05-01T10:00:00.1234567""#), utc("2024-05-01T10:00:00.1234567Z"));
    }

    #[test]
    fn a_value_without_offset_is_read_as_utc() {
        assert_eq!(at(r#""2024-05-01T10:00:00""#), utc("2024-05-01T10:00:00Z"));
    }

    #[test]
    fn null_and_absent_are_none_and_lists_decode() {
        assert_eq!(at("null"), None);
        let job: Job = serde_json::from_str(r#"{"runs":["2024-05-01T10:00:00","2024-05-02T10:00:00Z"]}"#).unwrap();
        assert_eq!((job.at, job.runs.len()), (None, 2));
    }

    #[test]
    fn garbage_is_an_error_that_names_the_value() {
        let err = serde_json::from_str::<Job>(r#"{"at":"yesterday"}"#).err().unwrap().to_string();
        assert!(err.contains("yesterday"), "{err}");
    }
}
