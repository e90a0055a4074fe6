//! [`Extra`]: the cells of a row's unknown columns, kept by header name.

use std::fmt;
use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The cells of the unknown columns of a row, by header name in file order.
///
/// The header names are shared by all rows of a list and the values live in one string, so
/// a row's unknown columns cost one allocation whatever their number.
///
/// ```
/// use logibridge::pricelist::Extra;
/// let extra = Extra::from_pairs([("Склад".to_string(), "Москва".to_string()), ("Примечание".to_string(), String::new())]);
/// assert_eq!(extra.get("Склад"), Some("Москва"));
/// assert_eq!(extra.get("Примечание"), Some(""));
/// assert_eq!(extra.get("Нет"), None);
/// assert_eq!(extra.iter().collect::<Vec<_>>(), [("Склад", "Москва"), ("Примечание", "")]);
/// assert_eq!(serde_json::to_string(&extra).unwrap(), r#"{"Склад":"Москва","Примечание":""}"#);
/// ```
#[derive(Clone)]
pub struct Extra {
    names: Arc<[String]>,
    text: String,
    ends: Ends,
}

/// End offsets of the values in `Extra::text`; a few are kept inline.
#[derive(Clone)]
enum Ends {
    Inline { len: u8, ends: [u32; 6] },
    Heap(Vec<u32>),
}

impl Ends {
    fn as_slice(&self) -> &[u32] {
        match self {
            Ends::Inline { len, ends } => &ends[..*len as usize],
            Ends::Heap(v) => v,
        }
    }

    fn clear(&mut self) {
        match self {
            Ends::Inline { len, .. } => *len = 0,
            Ends::Heap(v) => v.clear(),
        }
    }

    fn push(&mut self, end: u32) {
        match self {
            Ends::Inline { len, ends } if (*len as usize) < ends.len() => {
                ends[*len as usize] = end;
                *len += 1;
            }
            Ends::Inline { len, ends } => {
                let mut v = ends[..*len as usize].to_vec();
                v.push(end);
                *self = Ends::Heap(v);
            }
            Ends::Heap(v) => v.push(end),
        }
    }
}

impl Default for Extra {
    fn default() -> Extra {
        Extra::with_names(Arc::from(Vec::new()))
    }
}

impl Extra {
    /// No values yet, for the columns `names`.
    pub(crate) fn with_names(names: Arc<[String]>) -> Extra {
        Extra { names, text: String::new(), ends: Ends::Inline { len: 0, ends: [0; 6] } }
    }

    /// Builds the cells from `(header, value)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Extra {
        let mut names = Vec::new();
        let mut extra = Extra::default();
        for (name, value) in pairs {
            names.push(name);
            extra.text.push_str(&value);
            extra.ends.push(extra.text.len() as u32);
        }
        extra.names = names.into();
        extra
    }

    /// Starts refilling the values for a (possibly new) list of names.
    pub(crate) fn reset(&mut self, names: &Arc<[String]>) {
        if !Arc::ptr_eq(&self.names, names) {
            self.names = names.clone();
        }
        self.text.clear();
        self.ends.clear();
    }

    /// The string the next value is appended to; call [`Extra::end_value`] after it.
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Ends the value appended to [`Extra::text_mut`].
    pub(crate) fn end_value(&mut self) {
        self.ends.push(self.text.len() as u32);
    }

    /// The value of the `i`-th unknown column.
    pub fn value(&self, i: usize) -> Option<&str> {
        let ends = self.ends.as_slice();
        let end = *ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        Some(&self.text[start..end])
    }

    /// The value under `header` (the first, if the header repeats).
    pub fn get(&self, header: &str) -> Option<&str> {
        self.names.iter().position(|n| n == header).and_then(|i| self.value(i))
    }

    /// `(header, value)` pairs in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        (0..self.len()).map(move |i| (self.names[i].as_str(), self.value(i).unwrap_or_default()))
    }

    /// The header names.
    pub fn names(&self) -> &[String] {
        &self.names[..self.len()]
    }

    /// The values, in the order of [`Extra::names`].
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.value(i).unwrap_or_default())
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.as_slice().len().min(self.names.len())
    }

    /// Whether there are no unknown columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pairs as owned strings.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}
