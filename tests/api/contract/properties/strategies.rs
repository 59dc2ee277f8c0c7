//! What the properties feed the server: request bodies from plain garbage to almost-right objects, and bearer or
//! refresh tokens mutated from real ones.

use std::fmt;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

/// A request body and the content type it is sent with (`None`: no header at all).
#[derive(Clone)]
pub struct Body {
    pub content_type: Option<&'static str>,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Shown shortened: a shrunk failure should fit on a screen.
        let text = String::from_utf8_lossy(&self.bytes);
        let shown: String = text.chars().take(300).collect();
        write!(
            f,
            "{:?} ({} bytes) {shown:?}",
            self.content_type,
            self.bytes.len()
        )
    }
}

/// A string whose `Debug` is cut short: a failing case is printed, and some are tens of kilobytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(300).collect();
        write!(f, "({} bytes) {shown:?}", self.0.len())
    }
}

/// Strings that have broken parsers before: empty, control characters, any Unicode, things shaped like emails,
/// just over and far over the length limits, and `known` (real passwords or tokens, to get past the first check).
pub fn nasty_string(known: Vec<String>) -> BoxedStrategy<String> {
    let known = if known.is_empty() {
        vec![String::new()]
    } else {
        known
    };
    prop_oneof![
        Just(String::new()),
        "\\PC{0,40}",
        ".{0,40}",
        "[\\x00-\\x1f\\x7f]{1,8}",
        "[ \\t\\x{a0}\\x{200b}\\x{feff}]{1,4}[a-z]{0,8}",
        "[a-zA-Z0-9.+_-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        "\\PC{1,12}@\\PC{1,12}\\.\\PC{1,6}",
        (250usize..300).prop_map(|n| "x".repeat(n)),
        (1_000usize..20_000).prop_map(|n| "é".repeat(n / 2)),
        prop::sample::select(known),
    ]
    .boxed()
}

/// Any JSON value, nested a few levels.
pub fn json_value(known: Vec<String>) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        nasty_string(known.clone()).prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(nasty_string(known.clone()), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// An object with the route's own `keys`, each absent, a nasty string or any JSON value, plus maybe a stranger.
fn near_valid(keys: &'static [&'static str], known: Vec<String>) -> BoxedStrategy<Value> {
    let field = prop_oneof![
        3 => nasty_string(known.clone()).prop_map(Value::String),
        1 => json_value(known.clone()),
    ];
    let fields = prop::collection::vec(prop::option::weighted(0.85, field), keys.len());
    let stranger = prop::option::of((nasty_string(vec![]), json_value(vec![])));
    (fields, stranger)
        .prop_map(move |(values, stranger)| {
            let mut object = Map::new();
            if let Some((key, value)) = stranger {
                object.insert(key, value);
            }
            for (key, value) in keys.iter().zip(values) {
                if let Some(value) = value {
                    object.insert((*key).to_owned(), value);
                }
            }
            Value::Object(object)
        })
        .boxed()
}

/// Raw text with every key twice (serde_json refuses duplicates; this checks it is a 400, not a 500).
fn duplicate_keys(keys: &'static [&'static str], known: Vec<String>) -> BoxedStrategy<Vec<u8>> {
    let pair = (json_value(known.clone()), json_value(known));
    prop::collection::vec(pair, keys.len().max(1))
        .prop_map(move |values| {
            let fields: Vec<String> = keys
                .iter()
                .chain(std::iter::once(&"extra"))
                .zip(values)
                .map(|(key, (a, b))| format!("\"{key}\": {a}, \"{key}\": {b}"))
                .collect();
            format!("{{{}}}", fields.join(", ")).into_bytes()
        })
        .boxed()
}

/// A body for a route whose JSON object has `keys`: anything from random bytes to an almost valid object.
pub fn body(keys: &'static [&'static str], known: Vec<String>) -> BoxedStrategy<Body> {
    let object = near_valid(keys, known.clone());
    let bytes = prop_oneof![
        4 => object.clone().prop_map(|v| v.to_string().into_bytes()),
        2 => json_value(known.clone()).prop_map(|v| v.to_string().into_bytes()),
        1 => duplicate_keys(keys, known),
        // Cut short anywhere, a multi-byte character included.
        1 => (object, any::<Index>()).prop_map(|(v, at)| {
            let text = v.to_string().into_bytes();
            let end = at.index(text.len().max(1));
            text[..end.min(text.len())].to_vec()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => "[\\[\\]{}\":,0-9a-z\\\\ ]{0,60}".prop_map(String::into_bytes),
    ];
    let content_type = prop_oneof![
        8 => Just(Some("application/json")),
        1 => Just(Some("application/json; charset=utf-8")),
        1 => Just(None),
        1 => Just(Some("text/plain")),
        1 => Just(Some("application/x-www-form-urlencoded")),
        1 => Just(Some("application/jsonx")),
    ];
    (content_type, bytes)
        .prop_map(|(content_type, bytes)| Body {
            content_type,
            bytes,
        })
        .boxed()
}

/// Characters of a base64url JWT segment, and the dot.
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

/// `token` altered the ways a forger or a broken client would alter it, or `others` (tokens of another kind) as
/// they are. Each value can be sent in a header: visible ASCII only.
pub fn mutated_token(token: String, others: Vec<String>) -> BoxedStrategy<String> {
    let t = token.clone();
    let flip = (0..3usize, any::<Index>(), any::<Index>())
        .prop_map(move |(segment, at, to)| flip_in_segment(&t, segment, at, B64URL[to.index(64)]));
    let t = token.clone();
    let flip_any = (any::<Index>(), 0x21u8..0x7f)
        .prop_map(move |(at, to)| flip_byte(&t, at.index(t.len()), to));
    let t = token.clone();
    let swap = (0..3usize, 0..3usize).prop_map(move |(a, b)| {
        let mut parts: Vec<&str> = t.split('.').collect();
        parts.swap(a, b);
        parts.join(".")
    });
    let t = token.clone();
    let cut = any::<Index>().prop_map(move |at| t[..at.index(t.len())].to_owned());
    let t = token.clone();
    let extra = "[.]{1,6}[A-Za-z0-9_-]{0,20}".prop_map(move |tail| format!("{t}{tail}"));
    let t = token.clone();
    let huge = (2usize..40).prop_map(move |n| vec![t.as_str(); n].join("."));
    prop_oneof![
        4 => flip,
        2 => flip_any,
        1 => swap,
        1 => cut,
        1 => extra,
        1 => huge,
        1 => "[A-Za-z0-9_-]{0,80}(\\.[A-Za-z0-9_-]{0,80}){0,4}",
        1 => "[.]{0,12}",
        1 => "[ -~]{0,100}",
        1 => prop::sample::select(others),
        1 => Just(token),
    ]
    .boxed()
}

fn flip_in_segment(token: &str, segment: usize, at: Index, to: u8) -> String {
    let mut start = 0;
    for (n, part) in token.split('.').enumerate() {
        if n == segment && !part.is_empty() {
            return flip_byte(token, start + at.index(part.len()), to);
        }
        start += part.len() + 1;
    }
    token.to_owned()
}

fn flip_byte(token: &str, at: usize, to: u8) -> String {
    let mut bytes = token.as_bytes().to_vec();
    if let Some(b) = bytes.get_mut(at) {
        *b = to;
    }
    String::from_utf8(bytes).expect("ASCII in, ASCII out")
}
