//! A serde `Deserializer` over the [`jsonc`](super::jsonc) tree, so the typed config structs
//! (`deny_unknown_fields`, enums for levels) are filled by derive while every error is stamped
//! with the line and JSON path of the key or value that caused it.
//!
//! Stamping happens where the tree is walked (map keys, map values, array elements, the root):
//! the innermost position wins because an error is only stamped once on its way out.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::jsonc::{render_path, Node, Seg, Value};

/// A deserialization error with the position it was raised at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// What is wrong.
    pub message: String,
    /// 1-based line and JSON path, once known.
    pub at: Option<(usize, String)>,
}

impl DeError {
    fn stamp(mut self, line: usize, path: &[Seg]) -> Self {
        if self.at.is_none() {
            self.at = Some((line, render_path(path)));
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            at: None,
        }
    }
}

/// Deserializes `T` from a tree, stamping errors with line and path.
pub fn from_node<'de, T: serde::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    let path = Vec::new();
    T::deserialize(NodeDe { node, path: &path }).map_err(|e| e.stamp(node.line, &path))
}

struct NodeDe<'de, 'p> {
    node: &'de Node,
    path: &'p [Seg],
}

impl<'de> de::Deserializer<'de> for NodeDe<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            // No key of creor.json takes null; say so instead of serde's "unit value".
            Value::Null => Err(de::Error::custom(
                "`null` is not allowed; omit the key instead",
            )),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.iter().enumerate(),
                path: self.path,
            }),
            Value::Object(members) => visitor.visit_map(Map {
                members: members.iter(),
                current: None,
                path: self.path,
            }),
        }
    }

    /// `null` is never a valid value in creor.json (the schema has no null types), so an
    /// option is always "some" and a null reaches the inner type, which refuses it.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq<'de, 'p, I: Iterator<Item = (usize, &'de Node)>> {
    items: I,
    path: &'p [Seg],
}

impl<'de, I: Iterator<Item = (usize, &'de Node)>> SeqAccess<'de> for Seq<'de, '_, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((i, node)) = self.items.next() else {
            return Ok(None);
        };
        let mut path = self.path.to_vec();
        path.push(Seg::Index(i));
        seed.deserialize(NodeDe { node, path: &path })
            .map(Some)
            .map_err(|e| e.stamp(node.line, &path))
    }
}

struct Map<'de, 'p> {
    members: std::slice::Iter<'de, super::jsonc::Member>,
    current: Option<&'de super::jsonc::Member>,
    path: &'p [Seg],
}

impl<'de> MapAccess<'de> for Map<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(member) = self.members.next() else {
            return Ok(None);
        };
        self.current = Some(member);
        let mut path = self.path.to_vec();
        path.push(Seg::Key(member.key.clone()));
        let key: de::value::BorrowedStrDeserializer<'de, DeError> =
            de::value::BorrowedStrDeserializer::new(&member.key);
        seed.deserialize(key)
            .map(Some)
            .map_err(|e| e.stamp(member.line, &path))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some(member) = self.current.take() else {
            return Err(de::Error::custom("value requested before its key"));
        };
        let mut path = self.path.to_vec();
        path.push(Seg::Key(member.key.clone()));
        seed.deserialize(NodeDe {
            node: &member.node,
            path: &path,
        })
        .map_err(|e| e.stamp(member.node.line, &path))
    }
}
