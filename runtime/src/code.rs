//! Integer codes (the documents' `type: integer` enums), as a .NET server
//! really sends and accepts them.
//!
//! Keyfactor Command declares its enums as integers without names, but its
//! ASP.NET JSON converter writes many of them as their names (`"Optional"`,
//! `"None"`) and accepts a number, a numeric string or a name on input. A
//! `Code` therefore takes all three forms and remembers the one it was
//! given, so that a value read from a response and sent back goes out as it
//! came in. Equality compares meaning: the number, where the form gives one or
//! the type knows the name's number, else the name (case-insensitively, as
//! .NET matches names).
//!
//! Each code type of the API is `Code<M>` for a generated marker `M` that
//! lists the documented values and whatever names the documents' texts give
//! them ([`CodeNames`]). `Code` itself is defined in each client crate by
//! [`code_type!`](crate::codegen::code_type), so that the crate can give its
//! code types their named constants; all behaviour is [`CodeValue`]'s, here.

use std::fmt;

/// What the documents say about one code type: the values they list and
/// the names their descriptions give some of them.
pub trait CodeNames {
    /// The values the documents list.
    const KNOWN: &'static [i64];
    /// `(value, name)` pairs found in the documents' texts; often empty.
    const NAMES: &'static [(i64, &'static str)] = &[];
}

/// The form a `Code` was received in, and will be sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeForm {
    /// A JSON number: `1`.
    Number,
    /// A string holding a number: `"1"`.
    NumericText,
    /// A name: `"Optional"`.
    Name,
}

/// The value of an integer code as received or built: a number, or the text
/// (numeric string or name) exactly as received. Generated `Code<M>` types
/// (see [`code_type!`](crate::codegen::code_type)) wrap it and add what the
/// marker `M` knows; all behaviour is here, compiled once.
#[doc(hidden)]
#[derive(Clone)]
pub enum CodeValue {
    Number(i64),
    /// A numeric string or a name, exactly as received.
    Text(Box<str>),
}

impl CodeValue {
    pub fn text(text: impl Into<String>) -> Self {
        CodeValue::Text(text.into().into_boxed_str())
    }

    pub fn form(&self) -> CodeForm {
        match self {
            CodeValue::Number(_) => CodeForm::Number,
            CodeValue::Text(t) if numeric(t).is_some() => CodeForm::NumericText,
            CodeValue::Text(_) => CodeForm::Name,
        }
    }

    pub fn as_sent(&self) -> String {
        match self {
            CodeValue::Number(n) => n.to_string(),
            CodeValue::Text(t) => t.to_string(),
        }
    }

    /// The number: as received, or the number `names` gives a name.
    pub fn value(&self, names: &[(i64, &str)]) -> Option<i64> {
        match self {
            CodeValue::Number(n) => Some(*n),
            CodeValue::Text(t) => numeric(t).or_else(|| names.iter().find(|(_, n)| same_name(n, t)).map(|(v, _)| *v)),
        }
    }

    /// The number `names` gives `name` (case, spaces, dashes and underscores ignored).
    pub fn number_of(name: &str, names: &[(i64, &str)]) -> Option<i64> {
        names.iter().find(|(_, n)| same_name(n, name)).map(|(v, _)| *v)
    }

    /// What a text means: a number, a name of `names` (as its number), else
    /// the text as given.
    pub fn parse(text: &str, names: &[(i64, &str)]) -> Self {
        match numeric(text).or_else(|| Self::number_of(text, names)) {
            Some(number) => CodeValue::Number(number),
            None => CodeValue::text(text),
        }
    }

    /// The name: as received, or the name `names` gives the number.
    pub fn name<'a>(&'a self, names: &'a [(i64, &'static str)]) -> Option<&'a str> {
        match self {
            CodeValue::Text(t) if numeric(t).is_none() => Some(t),
            _ => {
                let value = self.value(names)?;
                names.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
            }
        }
    }

    /// What equality, ordering and hashing compare: the number where there is
    /// one, else the name folded to lower case.
    pub fn key(&self, names: &[(i64, &'static str)]) -> (Option<i64>, Option<String>) {
        match self.value(names) {
            Some(v) => (Some(v), None),
            None => (None, self.name(names).map(fold)),
        }
    }

    pub fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeValue::Number(n) => write!(f, "Code({n})"),
            CodeValue::Text(t) => write!(f, "Code({t:?})"),
        }
    }
}

/// The number a numeric string holds.
fn numeric(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// Names compare as .NET's enum parsing does (case-insensitively); the
/// documents' prose names ("Key compromised") also match without their
/// spaces, dashes and underscores ("KeyCompromised").
fn same_name(documented: &str, received: &str) -> bool {
    fold(documented) == fold(received)
}

fn fold(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl fmt::Display for CodeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeValue::Number(n) => write!(f, "{n}"),
            CodeValue::Text(t) => f.write_str(t),
        }
    }
}

impl serde::Serialize for CodeValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CodeValue::Number(n) => serializer.serialize_i64(*n),
            CodeValue::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> serde::Deserialize<'de> for CodeValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CodeVisitor)
    }
}

struct CodeVisitor;

impl serde::de::Visitor<'_> for CodeVisitor {
    type Value = CodeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer code: a number, a numeric string or a name")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(CodeValue::Number(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v).map(CodeValue::Number).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(CodeValue::Number(v as i64))
        } else {
            Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Err(E::invalid_value(serde::de::Unexpected::Str(v), &self));
        }
        Ok(CodeValue::text(v))
    }
}

/// Defines the client crate's `Code<M>`: every integer code of the API is
/// `Code<codes::X>` for a generated marker `X` implementing [`CodeNames`].
/// The type is the crate's own (so that the crate can give each code type
/// its named constants); what it does is [`CodeValue`]'s.
#[macro_export]
macro_rules! code_type {
    () => {
        /// An integer code of the API in any of the forms the server uses: a
        /// number, a numeric string or a name. It remembers the form it was
        /// received in, and is sent back in it; equality compares meaning
        /// (the number, or the name case-insensitively). Build one from a
        /// number (`Code::from(1)`) or with a named constant where the type
        /// has them; inspect it with [`Code::value`], [`Code::name`] and
        /// [`Code::is_known`].
        pub struct Code<M> {
            value: $crate::codegen::support::CodeValue,
            marker: ::std::marker::PhantomData<fn() -> M>,
        }

        impl<M> Code<M> {
            /// The code with this number, sent as a JSON number.
            pub const fn number(value: i64) -> Self {
                Code { value: $crate::codegen::support::CodeValue::Number(value), marker: ::std::marker::PhantomData }
            }

            /// The code as text (a numeric string or a name), sent as that text.
            pub fn text(text: impl Into<String>) -> Self {
                Code { value: $crate::codegen::support::CodeValue::text(text), marker: ::std::marker::PhantomData }
            }

            /// The form it was received (or built) in.
            pub fn form(&self) -> $crate::CodeForm {
                self.value.form()
            }

            /// Exactly what is sent: the number, or the text as received.
            pub fn as_sent(&self) -> String {
                self.value.as_sent()
            }
        }

        impl<M: $crate::CodeNames> Code<M> {
            /// The values the documents list.
            pub const KNOWN: &'static [i64] = M::KNOWN;

            /// The number: as received, or the number of a name the documents give.
            /// `None` for a name the documents do not tie to a number.
            pub fn value(&self) -> Option<i64> {
                self.value.value(M::NAMES)
            }

            /// The name: as received, or the documents' name for the number.
            pub fn name(&self) -> Option<&str> {
                self.value.name(M::NAMES)
            }

            /// Whether the documents list this value (a name counts when the
            /// documents give its number).
            pub fn is_known(&self) -> bool {
                self.value().is_some_and(|v| M::KNOWN.contains(&v))
            }

            /// The names the documents give values, `(number, name)`.
            pub const NAMES: &'static [(i64, &'static str)] = M::NAMES;

            /// The code a name the documents give stands for, as its number (sent
            /// as a number): `"Key compromised"`, `"KeyCompromised"` and
            /// `"key_compromised"` alike. `None` for a name they do not give.
            pub fn from_name(name: &str) -> Option<Self> {
                $crate::codegen::support::CodeValue::number_of(name, M::NAMES).map(Code::number)
            }
        }

        /// A number, or a name the documents give (as its number); any other
        /// text as given (the server may know names the documents do not:
        /// check [`Code::is_known`]).
        impl<M: $crate::CodeNames> ::std::str::FromStr for Code<M> {
            type Err = ::std::convert::Infallible;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                let value = $crate::codegen::support::CodeValue::parse(text, M::NAMES);
                Ok(Code { value, marker: ::std::marker::PhantomData })
            }
        }

        impl<M> Clone for Code<M> {
            fn clone(&self) -> Self {
                Code { value: self.value.clone(), marker: ::std::marker::PhantomData }
            }
        }

        impl<M> Default for Code<M> {
            fn default() -> Self {
                Code::number(0)
            }
        }

        impl<M> ::std::fmt::Debug for Code<M> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.value.debug(f)
            }
        }

        impl<M> ::std::fmt::Display for Code<M> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value, f)
            }
        }

        impl<M: $crate::CodeNames> PartialEq for Code<M> {
            fn eq(&self, other: &Self) -> bool {
                self.value.key(M::NAMES) == other.value.key(M::NAMES)
            }
        }

        impl<M: $crate::CodeNames> Eq for Code<M> {}

        impl<M: $crate::CodeNames> ::std::hash::Hash for Code<M> {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                ::std::hash::Hash::hash(&self.value.key(M::NAMES), state);
            }
        }

        impl<M: $crate::CodeNames> PartialOrd for Code<M> {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl<M: $crate::CodeNames> Ord for Code<M> {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.value.key(M::NAMES).cmp(&other.value.key(M::NAMES))
            }
        }

        impl<M: $crate::CodeNames> PartialEq<i64> for Code<M> {
            fn eq(&self, other: &i64) -> bool {
                self.value() == Some(*other)
            }
        }

        impl<M> From<i64> for Code<M> {
            fn from(value: i64) -> Self {
                Code::number(value)
            }
        }

        impl<M> From<i32> for Code<M> {
            fn from(value: i32) -> Self {
                Code::number(value.into())
            }
        }

        impl<M> $crate::codegen::support::serde::Serialize for Code<M> {
            fn serialize<S: $crate::codegen::support::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::codegen::support::serde::Serialize::serialize(&self.value, serializer)
            }
        }

        impl<'de, M> $crate::codegen::support::serde::Deserialize<'de> for Code<M> {
            fn deserialize<D: $crate::codegen::support::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <$crate::codegen::support::CodeValue as $crate::codegen::support::serde::Deserialize>::deserialize(
                        deserializer,
                    )?;
                Ok(Code { value, marker: ::std::marker::PhantomData })
            }
        }

        impl<M> $crate::codegen::ParamValue for Code<M> {
            fn to_param(&self) -> String {
                self.value.as_sent()
            }
        }
    };
}

#[cfg(test)]
#[allow(dead_code)] // `Code`'s whole API, of which the tests use part
mod tests {
    use super::*;

    crate::code_type!();

    enum Sort {}
    impl CodeNames for Sort {
        const KNOWN: &'static [i64] = &[0, 1];
        const NAMES: &'static [(i64, &'static str)] = &[(0, "ascending"), (1, "descending")];
    }
    type SortOrder = Code<Sort>;

    enum Retention {}
    impl CodeNames for Retention {
        const KNOWN: &'static [i64] = &[0, 1, 2, 3];
    }
    type KeyRetention = Code<Retention>;

    fn decode<M>(json: &str) -> Code<M> {
        serde_json::from_str(json).unwrap()
    }

    fn encode<M>(code: &Code<M>) -> String {
        serde_json::to_string(code).unwrap()
    }

    #[test]
    fn a_number_decodes_and_goes_back_as_a_number() {
        let code: SortOrder = decode("1");
        assert_eq!((code.value(), code.form(), code.name()), (Some(1), CodeForm::Number, Some("descending")));
        assert!(code.is_known());
        assert_eq!(encode(&code), "1");
    }

    #[test]
    fn a_numeric_string_decodes_and_goes_back_as_a_string() {
        let code: KeyRetention = decode(r#""2""#);
        assert_eq!((code.value(), code.form()), (Some(2), CodeForm::NumericText));
        assert!(code.is_known());
        assert_eq!(code, KeyRetention::from(2));
        assert_eq!(encode(&code), r#""2""#);
    }

    #[test]
    fn a_known_name_decodes_to_its_number() {
        let code: SortOrder = decode(r#""Descending""#);
        assert_eq!((code.value(), code.form(), code.name()), (Some(1), CodeForm::Name, Some("Descending")));
        assert!(code.is_known());
        assert_eq!(code, SortOrder::number(1));
        assert_eq!(code, 1);
        assert_eq!(encode(&code), r#""Descending""#);
    }

    #[test]
    fn an_unknown_name_decodes_keeps_its_text_and_compares_by_name() {
        let code: KeyRetention = decode(r#""None""#);
        assert_eq!((code.value(), code.form(), code.name()), (None, CodeForm::Name, Some("None")));
        assert!(!code.is_known());
        assert_eq!(code, KeyRetention::text("NONE"));
        assert_ne!(code, KeyRetention::from(0));
        assert_eq!(encode(&code), r#""None""#);
    }

    #[test]
    fn a_prose_name_matches_the_servers_member_name() {
        enum Reason {}
        impl CodeNames for Reason {
            const KNOWN: &'static [i64] = &[1];
            const NAMES: &'static [(i64, &'static str)] = &[(1, "Key compromised")];
        }
        let code: Code<Reason> = decode(r#""KeyCompromised""#);
        assert_eq!(code.value(), Some(1));
    }

    #[test]
    fn an_unlisted_number_decodes_but_is_not_known() {
        let code: SortOrder = decode("7");
        assert_eq!(code.value(), Some(7));
        assert!(!code.is_known());
    }

    #[test]
    fn equal_codes_hash_alike() {
        use std::collections::HashSet;
        let set: HashSet<SortOrder> = [decode("0"), decode(r#""0""#), decode(r#""ASCENDING""#)].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn every_form_survives_a_round_trip_inside_a_struct() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Template {
            #[serde(rename = "KeyRetention")]
            key_retention: Option<KeyRetention>,
        }
        for body in [r#"{"KeyRetention":"None"}"#, r#"{"KeyRetention":3}"#, r#"{"KeyRetention":"3"}"#] {
            let t: Template = serde_json::from_str(body).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), body);
        }
    }

    #[test]
    fn booleans_empty_text_and_fractions_are_refused() {
        for bad in ["true", r#""""#, "1.5", "[]"] {
            assert!(serde_json::from_str::<SortOrder>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn documented_names_parse_to_their_numbers() {
        enum Reason {}
        impl CodeNames for Reason {
            const KNOWN: &'static [i64] = &[1, 5];
            const NAMES: &'static [(i64, &'static str)] = &[(1, "Key compromised"), (5, "Cessation of operation")];
        }
        type RevokeCode = Code<Reason>;
        let code = RevokeCode::from_name("cessation-of-operation").unwrap();
        assert_eq!((code.form(), code.value()), (CodeForm::Number, Some(5)));
        assert!(RevokeCode::from_name("Shredded").is_none());
        let parsed: RevokeCode = "KeyCompromised".parse().unwrap();
        assert_eq!(encode(&parsed), "1");
        assert_eq!(encode(&"7".parse::<RevokeCode>().unwrap()), "7");
        assert_eq!(encode(&"Shredded".parse::<RevokeCode>().unwrap()), r#""Shredded""#);
        assert_eq!(RevokeCode::NAMES.len(), 2);
    }

    #[test]
    fn a_parameter_is_sent_in_its_form() {
        use crate::codegen::ParamValue;
        assert_eq!(SortOrder::number(1).to_param(), "1");
        assert_eq!(SortOrder::text("Descending").to_param(), "Descending");
    }
}
