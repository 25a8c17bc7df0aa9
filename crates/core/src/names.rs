//! `named_enum!`: a closed set of snake_case names (roles, fields, guards, effects, …)
//! with parsing that lists the accepted names, so every "unknown X" error says what
//! would have been right.

/// The name is not in the closed set; `expected` lists the accepted names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{name}` (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub expected: String,
}

impl UnknownName {
    /// `name` is not one of `expected` (the accepted names): the error repeats only an
    /// excerpt of it. For a closed set kept outside this crate.
    pub fn new(what: &'static str, name: &str, expected: &[&str]) -> UnknownName {
        UnknownName { what, name: excerpt(name), expected: expected.join(", ") }
    }
}

/// How much of an unknown name an error repeats: enough to recognise a typo, never a
/// hostile 100,000-character value echoed back (twice, in an API problem).
const SHOWN_CHARS: usize = 40;

/// `name`, cut to `SHOWN_CHARS` characters with an ellipsis.
pub fn excerpt(name: &str) -> String {
    match name.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident : $what:literal {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::names::UnknownName::new($what, s, &[$($text),*])),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use named_enum;
