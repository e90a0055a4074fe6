//! `multipart/form-data` bodies (RFC 7578) of the Swagger's file uploads, written here:
//! one small encoder, instead of reqwest's `multipart` feature, because a retried request
//! sends the same bytes again and the fields come as JSON from every face.
//!
//! The faces give a multipart body as a JSON object of fields: text values (strings,
//! numbers, booleans; an object is sent as its JSON text), lists (one part per item, under
//! the same name), and files as `{"filename": "a.pdf", "content_base64": "…",
//! "content_type": "application/pdf"}` ([`file_value`] makes one from Rust bytes).

use base64::Engine;
use serde_json::{json, Value};

use crate::error::{Error, Result};

/// A file of a multipart body.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The file name sent in `Content-Disposition`.
    pub filename: String,
    /// Its media type (`application/octet-stream` when not given).
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for FilePart {
    /// The name, type and size: the content itself is not printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart").field("filename", &self.filename).field("content_type", &self.content_type).field("bytes", &self.bytes.len()).finish()
    }
}

impl FilePart {
    /// Reads a file in the faces' JSON form: `None` when `value` is not such an object,
    /// `Some(Err(()))` when its name is missing or its content is not base64.
    pub fn from_value(value: &Value) -> Option<std::result::Result<FilePart, ()>> {
        let obj = value.as_object()?;
        let content = obj.get("content_base64")?;
        let parsed = (|| {
            let filename = obj.get("filename")?.as_str().filter(|s| !s.trim().is_empty())?.to_owned();
            let content_type = match obj.get("content_type") {
                None | Some(Value::Null) => "application/octet-stream".to_owned(),
                Some(Value::String(s)) if !s.trim().is_empty() && !s.contains(['\r', '\n']) => s.trim().to_owned(),
                Some(_) => return None,
            };
            let bytes = base64::engine::general_purpose::STANDARD.decode(content.as_str()?.trim()).ok()?;
            Some(FilePart { filename, content_type, bytes })
        })();
        Some(parsed.ok_or(()))
    }
}

/// A file in the form the faces pass it, from Rust bytes.
///
/// ```
/// let f = logibridge::cargorun::swagger::file_value("act.pdf", Some("application/pdf"), b"%PDF-1.7");
/// assert_eq!(f["filename"], "act.pdf");
/// assert_eq!(f["content_base64"], "JVBERi0xLjc=");
/// ```
pub fn file_value(filename: &str, content_type: Option<&str>, bytes: &[u8]) -> Value {
    json!({"filename": filename, "content_type": content_type, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

/// A name or file name inside `Content-Disposition`'s quotes (RFC 7578 §4.2: `"`, CR and
/// LF percent-encoded, as browsers do).
fn quoted(name: &str) -> String {
    name.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

enum Part {
    Text(String, String),
    File(String, FilePart),
}

fn parts_of(name: &str, value: &Value, out: &mut Vec<Part>) -> Result<()> {
    match value {
        Value::Null => {}
        Value::String(s) => out.push(Part::Text(name.to_owned(), s.clone())),
        Value::Number(_) | Value::Bool(_) => out.push(Part::Text(name.to_owned(), value.to_string())),
        Value::Array(items) => {
            for item in items {
                parts_of(name, item, out)?;
            }
        }
        Value::Object(_) => match FilePart::from_value(value) {
            Some(Ok(file)) => out.push(Part::File(name.to_owned(), file)),
            Some(Err(())) => {
                return Err(Error::invalid_param(
                    "multipart",
                    name,
                    "schema.format",
                    "is not a file: {\"filename\", \"content_base64\", \"content_type\"?} with base64 content",
                    "не является файлом: {\"filename\", \"content_base64\", \"content_type\"?} с содержимым в base64",
                ))
            }
            None => out.push(Part::Text(name.to_owned(), value.to_string())),
        },
    }
    Ok(())
}

/// Encodes a multipart body from its JSON fields: the `Content-Type` header (with the
/// boundary) and the bytes. The boundary is random and checked against every part.
pub fn encode(body: &Value) -> Result<(String, Vec<u8>)> {
    let Some(fields) = body.as_object() else {
        return Err(Error::invalid_param("multipart", "body", "schema.type", "must be an object of form fields", "должно быть объектом с полями формы"));
    };
    let mut parts = Vec::new();
    for (name, value) in fields {
        parts_of(name, value, &mut parts)?;
    }
    let boundary = loop {
        let b = format!("logibridge-{:032x}", rand::random::<u128>());
        let inside = |bytes: &[u8]| memchr::memmem::find(bytes, b.as_bytes()).is_some();
        if !parts.iter().any(|p| match p {
            Part::Text(_, t) => inside(t.as_bytes()),
            Part::File(_, f) => inside(&f.bytes),
        }) {
            break b;
        }
    };
    let mut out = Vec::new();
    for p in &parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match p {
            Part::Text(name, text) => {
                out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", quoted(name)).as_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Part::File(name, f) => {
                out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n", quoted(name), quoted(&f.filename), f.content_type).as_bytes());
                out.extend_from_slice(&f.bytes);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_files_and_lists_become_parts() {
        let body = json!({"Id": 7, "Name": "Акт \"1\"", "Tags": ["a", "b"], "Image": file_value("x.png", Some("image/png"), b"\x89PNG"), "Skip": null});
        let (ct, bytes) = encode(&body).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 5, "{text}");
        assert!(text.contains("name=\"Id\"\r\n\r\n7\r\n"), "{text}");
        assert!(text.contains("name=\"Name\"\r\n\r\nАкт \"1\"\r\n"), "{text}");
        assert!(text.contains("name=\"Image\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n"), "{text}");
        assert!(!text.contains("Skip"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let e = encode(&json!({"Image": {"filename": "x", "content_base64": "%%%"}})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("Image"), "schema.format"));
        assert_eq!(quoted("a\"b\r\n"), "a%22b%0D%0A");
    }
}
