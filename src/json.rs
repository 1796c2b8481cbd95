//! A tolerant JSON reader for data the app did not write itself (stored
//! history, imported files, model lists): duplicate keys kept so they can be
//! refused, and messages that name the field that is wrong. A leaf module:
//! `api` and `storage` both use it, and it uses nothing of the crate.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value with duplicate keys kept (so they can be refused) and no
/// number or map machinery: enough to check stored and imported data field by
/// field and say exactly what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose {
    Null,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Loose>),
    Object(Vec<(String, Loose)>),
}

impl Loose {
    /// Parses JSON; serde_json's depth limit keeps hostile nesting from
    /// exhausting the stack.
    pub fn parse(raw: &str) -> Result<Loose, serde_json::Error> {
        serde_json::from_str(raw)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Bool(_) => "true/false",
            Loose::UInt(_) | Loose::Int(_) | Loose::Float(_) => "a number",
            Loose::Text(_) => "text",
            Loose::List(_) => "a list",
            Loose::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LooseVisitor;
        impl<'de> Visitor<'de> for LooseVisitor {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::UInt(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Int(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Loose::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Loose::Object(fields))
            }
        }
        deserializer.deserialize_any(LooseVisitor)
    }
}

/// Typed access to an object's fields, with messages that name the field.
pub struct Fields<'a>(pub &'a [(String, Loose)]);

impl Fields<'_> {
    pub fn get(&self, key: &str) -> Option<&Loose> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn repeated_key(&self) -> Option<&str> {
        let mut seen = HashSet::new();
        self.0
            .iter()
            .find(|(k, _)| !seen.insert(k.as_str()))
            .map(|(k, _)| k.as_str())
    }

    pub fn present(&self, key: &str) -> Result<&Loose, String> {
        self.get(key).ok_or_else(|| format!("\"{key}\" is missing"))
    }

    pub fn text(&self, key: &str) -> Result<String, String> {
        match self.present(key)? {
            Loose::Text(s) => Ok(s.clone()),
            other => Err(format!("\"{key}\" must be text, not {}", other.kind())),
        }
    }

    pub fn number(&self, key: &str) -> Result<f64, String> {
        match *self.present(key)? {
            Loose::UInt(n) => Ok(n as f64),
            Loose::Int(n) => Ok(n as f64),
            Loose::Float(n) => Ok(n),
            ref other => Err(format!("\"{key}\" must be a number, not {}", other.kind())),
        }
    }

    pub fn whole(&self, key: &str, max: u64) -> Result<u64, String> {
        match *self.present(key)? {
            Loose::UInt(n) if n <= max => Ok(n),
            _ => Err(format!("\"{key}\" must be a whole number from 0 to {max}")),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, String> {
        match *self.present(key)? {
            Loose::Bool(b) => Ok(b),
            ref other => Err(format!(
                "\"{key}\" must be true or false, not {}",
                other.kind()
            )),
        }
    }

    pub fn list<T>(
        &self,
        key: &str,
        item: fn(&Loose) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        match self.present(key)? {
            Loose::List(items) => items.iter().map(item).collect(),
            other => Err(format!("\"{key}\" must be a list, not {}", other.kind())),
        }
    }

    /// Absent or `null` is `None`; anything else must satisfy `read`.
    pub fn optional<T>(
        &self,
        key: &str,
        read: impl Fn(&Self, &str) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        match self.get(key) {
            None | Some(Loose::Null) => Ok(None),
            Some(_) => read(self, key).map(Some),
        }
    }
}

impl Loose {
    /// `self[key]` when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Loose> {
        match self {
            Loose::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text, when `self` is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Loose::Text(text) => Some(text),
            _ => None,
        }
    }
}
