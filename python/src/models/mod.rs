//! Typed answers built natively: a page of `Order`s straight from the response body to
//! Python model objects, with no JSON tree, no dicts and no pure-Python `from_dict` between.
//!
//! The Python model classes stay the one definition of fields, wire keys and types: when
//! one is first decoded, `logibridge._models` hands its fields to [`Schema`] (name, wire
//! key, kind, nullable), and a resource's operation pairs the schema with its row in a
//! [`ModelReader`]. A call through a reader then goes:
//!
//! ```text
//! request → the core's transport (Client::call_body: checked, sent, errors scrubbed as for
//! every call) → one pass over the body, the row's envelope (`objects`) included, GIL
//! released: every record's text in one arena, one cell per field, unknown fields kept as
//! JSON → with the GIL: one object per record, holding the page and its number
//! ```
//!
//! The pass is [`Scan`](scan::Scan), a hand-written reader of the shape services write (plain strings,
//! small integers, literals; a key found where the previous record had it is matched in
//! place); at anything else it gives up and the serde pass ([`Pass`](pass::Pass), the same rules through
//! `serde_json`) reads the body; where that one gives up, the generic path does.
//!
//! A record becomes Python objects only when it is read: the models' `__getattr__`
//! ([`lazy_attr`]), reached on the first read of a field, converts the record's cells
//! (`Decimal` from the exact text, an aware `datetime` in the model's `__naive_tz__`, the
//! enum member, `extra` as a dict) and stores them in the instance's `__dict__`, where
//! later reads find them as on any instance.
//!
//! **Exactness.** The result must be what the generic path gives: the core's row decoder
//! (its lenient read and documented write) on the same body, then `Model.from_dict`. The
//! fast pass therefore accepts only values both steps leave as they are — a string for
//! `str`, a non-negative integer below 2³¹ for `int` and int enums, `true`/`false`, a decimal
//! in plain notation (≤ 28 digits) for `Decimal`, `YYYY-MM-DDTHH:MM:SS.ffffff` for
//! `datetime`, `null` for an `Optional` field, every declared field present once — and a
//! row whose core model does not write such a record back unchanged (checked once per
//! reader with a probe record through the model's own `write`) never takes it. Anything
//! else (a number sent as text, a missing field, a float, a duplicate key, an undocumented
//! enum value the class refuses, malformed JSON) sends the body down the generic path,
//! which gives the exact values or the exact error as before.
//!
//! The modules: `schema` (a model class as the native side reads it, and its objects
//! built from a page), `record` (a page held by its objects, fields made on first read),
//! `pass` (the serde pass and the page it fills), `scan` (the hand-written pass) and
//! `reader` (a row and a schema together: the call, the probe, the generic fallback).

mod pass;
mod reader;
mod record;
mod scan;
mod schema;

pub use reader::{decode, fetch, wants_all, ModelReader};
pub use record::{lazy_attr, RawPage};
pub use schema::Schema;
