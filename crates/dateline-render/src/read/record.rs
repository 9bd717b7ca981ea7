//! One annotated JSONL record, deserialised in a single pass over its
//! text: the record's own keys into typed slots, every span object into a
//! small struct, and only the other fields into `serde_json::Value`s.
//!
//! Reading a record into a `Value` tree first cost a map and two key
//! strings per token, several times the parsing itself. The types here are
//! lenient where the tree was: a span array that is not an array, an item
//! that is not an object or an offset that is not a `u32` is kept as such,
//! so the reader can still name the exact item in its error.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The visitor methods for the scalar JSON values, each of which stands
/// where the visitor wanted something else: they all give `$wrong`.
macro_rules! not_this_kind {
    ($wrong:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrong)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($wrong)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($wrong)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrong)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrong)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrong)
        }
    };
}

/// A record's keys, each in its slot; a key given twice keeps its last
/// value, as a JSON object read into a map does.
#[derive(Debug, Default)]
pub(super) struct Record {
    pub(super) id: Option<Value>,
    pub(super) text: Option<Value>,
    pub(super) error: Option<Value>,
    pub(super) tokens: Option<Spans>,
    pub(super) sentences: Option<Spans>,
    pub(super) entities: Option<Spans>,
    /// Every other key, in the order of the record.
    pub(super) fields: Map<String, Value>,
}

/// What stood under `tokens`, `sentences` or `entities`.
#[derive(Debug)]
pub(super) enum Spans {
    Items(Vec<SpanItem>),
    NotArray,
}

/// One item of a span array.
#[derive(Debug)]
pub(super) enum SpanItem {
    Object {
        /// `None` when absent or not a number that fits a `u32`.
        start: Option<u32>,
        end: Option<u32>,
        /// The entity keys, boxed: token and sentence objects have none.
        entity: Option<Box<EntityKeys>>,
    },
    NotObject,
}

/// The keys of an entity object besides its offsets, as given.
#[derive(Debug, Default)]
pub(super) struct EntityKeys {
    pub(super) label: Option<Value>,
    pub(super) text: Option<Value>,
    pub(super) source: Option<Value>,
    pub(super) confidence: Option<Value>,
}

impl EntityKeys {
    /// An object with none of the keys.
    pub(super) const NONE: EntityKeys = EntityKeys {
        label: None,
        text: None,
        source: None,
        confidence: None,
    };
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    // The same words as a map's, so errors read as they always have.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::default();
        while let Some(key) = map.next_key::<RecordKey>()? {
            match key {
                RecordKey::Id => record.id = Some(map.next_value()?),
                RecordKey::Text => record.text = Some(map.next_value()?),
                RecordKey::Error => record.error = Some(map.next_value()?),
                RecordKey::Tokens => record.tokens = Some(map.next_value()?),
                RecordKey::Sentences => record.sentences = Some(map.next_value()?),
                RecordKey::Entities => record.entities = Some(map.next_value()?),
                RecordKey::Other(name) => {
                    let value = map.next_value()?;
                    record.fields.insert(name, value);
                }
            }
        }
        Ok(record)
    }
}

/// A record's key; any other key comes with its name.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum RecordKey {
    Id,
    Text,
    Error,
    Tokens,
    Sentences,
    Entities,
    Other(String),
}

impl<'de> Deserialize<'de> for Spans {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spans, D::Error> {
        deserializer.deserialize_any(SpansVisitor)
    }
}

struct SpansVisitor;

impl<'de> Visitor<'de> for SpansVisitor {
    type Value = Spans;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of span objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Spans, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Spans::Items(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Spans, A::Error> {
        skip_map(map)?;
        Ok(Spans::NotArray)
    }

    not_this_kind!(Spans::NotArray);
}

impl<'de> Deserialize<'de> for SpanItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SpanItem, D::Error> {
        deserializer.deserialize_any(SpanItemVisitor)
    }
}

struct SpanItemVisitor;

impl<'de> Visitor<'de> for SpanItemVisitor {
    type Value = SpanItem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a span object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SpanItem, A::Error> {
        let (mut start, mut end, mut entity) = (None, None, None::<Box<EntityKeys>>);
        let offset = |value: Value| value.as_u64().and_then(|n| u32::try_from(n).ok());
        while let Some(key) = map.next_key::<SpanKey>()? {
            let slot: fn(&mut EntityKeys) -> &mut Option<Value> = match key {
                SpanKey::Start => {
                    start = offset(map.next_value()?);
                    continue;
                }
                SpanKey::End => {
                    end = offset(map.next_value()?);
                    continue;
                }
                SpanKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                SpanKey::Label => |e: &mut EntityKeys| &mut e.label,
                SpanKey::Text => |e: &mut EntityKeys| &mut e.text,
                SpanKey::Source => |e: &mut EntityKeys| &mut e.source,
                SpanKey::Confidence => |e: &mut EntityKeys| &mut e.confidence,
            };
            *slot(entity.get_or_insert_default()) = Some(map.next_value()?);
        }
        Ok(SpanItem::Object { start, end, entity })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SpanItem, A::Error> {
        skip_seq(seq)?;
        Ok(SpanItem::NotObject)
    }

    not_this_kind!(SpanItem::NotObject);
}

/// A span object's key.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum SpanKey {
    Start,
    End,
    Label,
    Text,
    Source,
    Confidence,
    #[serde(other)]
    Other,
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Record {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn sorts_keys_into_slots_and_keeps_the_rest_in_order() {
        let r = record(
            r#"{"z":1,"other":2,"id":7,"text":"a b","tokens":[{"start":0,"end":1,"x":[{}]}],"a":{"b":null},"id":"last"}"#,
        );
        assert_eq!(r.id, Some(Value::from("last")));
        assert_eq!(r.text, Some(Value::from("a b")));
        let keys: Vec<&str> = r.fields.keys().map(String::as_str).collect();
        assert_eq!(keys, ["z", "other", "a"]);
        let Some(Spans::Items(items)) = r.tokens else {
            panic!("tokens not read as items: {:?}", r.tokens);
        };
        assert!(matches!(
            items[..],
            [SpanItem::Object {
                start: Some(0),
                end: Some(1),
                entity: None
            }]
        ));
    }

    #[test]
    fn keeps_what_is_not_a_span_as_such() {
        let r = record(
            r#"{"tokens":{"start":0},"sentences":[1,"x",null,true,-1.5,[2,[3]],{"start":-1,"end":4294967296}],"entities":[{"start":"0","end":2,"other":[],"label":"PER","confidence":0.5}]}"#,
        );
        assert!(matches!(r.tokens, Some(Spans::NotArray)));
        let Some(Spans::Items(items)) = r.sentences else {
            panic!("sentences not read as items");
        };
        assert_eq!(items.len(), 7);
        assert!(items[..6]
            .iter()
            .all(|item| matches!(item, SpanItem::NotObject)));
        assert!(matches!(
            items[6],
            SpanItem::Object {
                start: None,
                end: None,
                ..
            }
        ));
        let Some(Spans::Items(entities)) = r.entities else {
            panic!("entities not read as items");
        };
        let SpanItem::Object {
            start: None,
            end: Some(2),
            entity: Some(keys),
        } = &entities[0]
        else {
            panic!("entity read as {:?}", entities[0]);
        };
        assert_eq!(keys.label, Some(Value::from("PER")));
        assert_eq!(keys.confidence, Some(Value::from(0.5)));
        assert_eq!(keys.text, None);
    }

    #[test]
    fn a_record_that_is_not_an_object_is_an_error() {
        let err = serde_json::from_str::<Record>("[1]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: sequence, expected a map at line 1 column 0"
        );
    }
}
