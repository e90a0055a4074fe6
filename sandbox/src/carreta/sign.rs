//! The `_` offer signature.
//!
//! The shop signs every search row so that an order can only be placed for an offer it really
//! made, at the price it quoted. The document only says the field is opaque and must be sent
//! back; the sandbox therefore picks its own scheme:
//!
//! `_ = base64( 0x01 | len(source) | source | HMAC-SHA256(secret, canonical(fields)) )`
//!
//! The source code is carried inside the signature because the document's minimal order body
//! does not contain `source`, yet the sandbox must know which offer was ordered. If the body
//! does carry `source`, it must agree with the embedded one.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;

/// The offer fields covered by the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFields<'a> {
    /// Part code.
    pub code: &'a str,
    /// Manufacturer.
    pub maker: &'a str,
    /// Part name (Russian).
    pub name: &'a str,
    /// Price per piece, roubles.
    pub price: Decimal,
    /// Stock as the shop states it ("500", "<10", ">50", "Есть", ...).
    pub qty: &'a str,
    /// Order quantity must be a multiple of this.
    pub min_qty: i64,
    /// Shortest delivery time, days.
    pub period_min: i64,
    /// Longest delivery time, days.
    pub period_max: i64,
    /// Code of the offer's source (supplier).
    pub source: &'a str,
}

impl SignedFields<'_> {
    /// Length-prefixed fields, so no value can be shifted into its neighbour to forge a match.
    /// The price is normalised ("152.020" and "152.02" are the same price) because a client may
    /// round-trip it through a decimal type.
    fn canonical(&self) -> Vec<u8> {
        let price = self.price.normalize().to_string();
        let min_qty = self.min_qty.to_string();
        let period_min = self.period_min.to_string();
        let period_max = self.period_max.to_string();
        let parts: [&str; 9] = [
            self.code,
            self.maker,
            self.name,
            &price,
            self.qty,
            &min_qty,
            &period_min,
            &period_max,
            self.source,
        ];
        let mut out = Vec::with_capacity(128);
        for p in parts {
            out.extend_from_slice(p.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(p.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

/// Issues and checks offer signatures with a secret derived from the sandbox seed, so two
/// sandboxes with the same seed accept each other's rows (handy for recorded fixtures) and
/// different seeds do not.
#[derive(Clone)]
pub struct Signer {
    secret: [u8; 32],
}

impl Signer {
    /// Derives the HMAC secret from the seed.
    pub fn from_seed(seed: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"logibridge-sandbox/carreta/offer-signature/v1");
        h.update(seed.to_le_bytes());
        Signer {
            secret: h.finalize().into(),
        }
    }

    fn mac(&self, fields: &SignedFields<'_>) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC accepts any key length");
        mac.update(&fields.canonical());
        mac
    }

    /// Returns the base64 `_` value for an offer.
    pub fn sign(&self, fields: &SignedFields<'_>) -> String {
        let src = fields.source.as_bytes();
        assert!(src.len() <= 255, "source codes are short");
        let mut raw = Vec::with_capacity(2 + src.len() + 32);
        raw.push(VERSION);
        raw.push(src.len() as u8);
        raw.extend_from_slice(src);
        raw.extend_from_slice(&self.mac(fields).finalize().into_bytes());
        STANDARD.encode(raw)
    }

    /// Extracts the source code embedded in a signature; `None` if the value is not one of ours.
    pub fn embedded_source(signature: &str) -> Option<String> {
        let raw = STANDARD.decode(signature.trim()).ok()?;
        if raw.len() < 2 || raw[0] != VERSION {
            return None;
        }
        let n = raw[1] as usize;
        if raw.len() != 2 + n + 32 {
            return None;
        }
        String::from_utf8(raw[2..2 + n].to_vec()).ok()
    }

    /// Checks a signature against the fields (whose `source` must be the embedded one).
    /// Constant-time comparison, as a real server would do.
    pub fn verify(&self, fields: &SignedFields<'_>, signature: &str) -> bool {
        let Ok(raw) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        if raw.len() < 2 || raw[0] != VERSION {
            return false;
        }
        let n = raw[1] as usize;
        if raw.len() != 2 + n + 32 || &raw[2..2 + n] != fields.source.as_bytes() {
            return false;
        }
        self.mac(fields).verify_slice(&raw[2 + n..]).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn fields(price: &str) -> SignedFields<'static> {
        SignedFields {
            code: "OC47",
            maker: "KNECHT/MAHLE",
            name: "Фильтр масляный",
            price: Decimal::from_str(price).unwrap(),
            qty: "500",
            min_qty: 1,
            period_min: 7,
            period_max: 7,
            source: "57",
        }
    }

    #[test]
    fn round_trip_and_tamper() {
        let s = Signer::from_seed(1);
        let sig = s.sign(&fields("152.02"));
        assert!(s.verify(&fields("152.02"), &sig));
        assert!(s.verify(&fields("152.020"), &sig));
        assert!(!s.verify(&fields("152.03"), &sig));
        assert!(!Signer::from_seed(2).verify(&fields("152.02"), &sig));
        assert_eq!(Signer::embedded_source(&sig).as_deref(), Some("57"));
        assert!(!s.verify(&fields("152.02"), "not base64!"));
    }
}
