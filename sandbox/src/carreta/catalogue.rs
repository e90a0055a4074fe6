//! The seeded, deterministic parts catalogue behind `search/`.
//!
//! The shape of the catalogue (which parts exist, how many offers each has, which parts are
//! analogues of each other) is fixed; the seed only moves prices, stock, lead times and
//! statistics of the generated offers. That keeps [`catalogue_len`] seed-independent while
//! still letting tests vary the data. The OC47 offers are hand-written so that the example
//! from the document and every `qty` form (including one the document does not describe)
//! are always present, whatever the seed.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::sign::{SignedFields, Signer};

/// One offer of one part from one source.
#[derive(Debug, Clone)]
pub struct Offer {
    /// Part code.
    pub code: String,
    /// Manufacturer.
    pub maker: String,
    /// Part name (Russian).
    pub name: String,
    /// Free-text description, often empty.
    pub desc: String,
    /// Price per piece, roubles.
    pub price: Decimal,
    /// Stock as the shop states it ("500", "<10", ">50", "Есть", ...).
    pub qty: String,
    /// Order quantity must be a multiple of this.
    pub min_qty: i64,
    /// Shortest delivery time, days.
    pub period_min: i64,
    /// Longest delivery time, days.
    pub period_max: i64,
    /// Delivery probability, %; `None` when the shop has no statistics.
    pub stat: Option<i64>,
    /// Code of the offer's source (supplier).
    pub source: String,
    /// Index of the part group: offers of the same group are analogues of each other.
    pub group: usize,
}

impl Offer {
    /// The signed part of the offer.
    pub fn signed_fields(&self) -> SignedFields<'_> {
        SignedFields {
            code: &self.code,
            maker: &self.maker,
            name: &self.name,
            price: self.price,
            qty: &self.qty,
            min_qty: self.min_qty,
            period_min: self.period_min,
            period_max: self.period_max,
            source: &self.source,
        }
    }

    /// The row exactly as `search/` documents it.
    pub fn to_row(&self, signer: &Signer, is_cross: bool) -> Value {
        json!({
            "_": signer.sign(&self.signed_fields()),
            "code": self.code,
            "desc": self.desc,
            "is_cross": is_cross,
            "maker": self.maker,
            "min_qty": self.min_qty,
            "name": self.name,
            "period_max": self.period_max,
            "period_min": self.period_min,
            "price": self.price.to_string(),
            "qty": self.qty,
            "stat": self.stat,
            "source": self.source,
        })
    }
}

/// A part: (code, maker, name, base price in kopecks).
type Part = (&'static str, &'static str, &'static str, i64);

/// Groups of interchangeable parts. Codes deliberately contain spaces, dots, dashes, slashes
/// and '+', as real catalogues do, to exercise the search normalisation.
const GROUPS: &[&[Part]] = &[
    &[
        ("OC47", "KNECHT/MAHLE", "Фильтр масляный", 15202),
        ("W 712/75", "MANN-FILTER", "Фильтр масляный", 18940),
        ("0 451 103 316", "BOSCH", "Фильтр масляный", 21450),
        ("OP 526", "FILTRON", "Фильтр масляный", 13380),
    ],
    &[
        ("AC108", "KITTO", "Фильтр салонный(угольный)", 21286),
        ("CUK 2939", "MANN-FILTER", "Фильтр салонный угольный", 64120),
        ("LAK 248", "KNECHT/MAHLE", "Фильтр салонный угольный", 58790),
        ("K 1111A", "FILTRON", "Фильтр салонный угольный", 39900),
    ],
    &[
        ("LX 1006", "KNECHT/MAHLE", "Фильтр воздушный", 47310),
        ("C 2774", "MANN-FILTER", "Фильтр воздушный", 51520),
        ("1 457 433 529", "BOSCH", "Фильтр воздушный", 44480),
        ("A-1005", "SAKURA", "Фильтр воздушный", 29950),
    ],
    &[
        ("KL 169/4D", "KNECHT/MAHLE", "Фильтр топливный", 89900),
        ("WK 842/2", "MANN-FILTER", "Фильтр топливный", 95060),
        ("F 026 402 067", "BOSCH", "Фильтр топливный", 102340),
    ],
    &[
        (
            "0 986 494 196",
            "BOSCH",
            "Колодки тормозные передние",
            245070,
        ),
        (
            "GDB1550",
            "TRW",
            "Колодки тормозные передние, комплект",
            263000,
        ),
        (
            "13.0460-7184.2",
            "ATE",
            "Колодки тормозные дисковые",
            288150,
        ),
    ],
    &[
        ("FR7DC+", "BOSCH", "Свеча зажигания", 21990),
        ("BKR6E", "NGK", "Свеча зажигания", 19870),
        ("K20PR-U", "DENSO", "Свеча зажигания никелевая", 23400),
    ],
];

/// Offers generated per part other than OC47.
const OFFERS_PER_PART: usize = 3;

/// A hand-written offer: (source, price, qty, min_qty, period_min, period_max, stat).
type FixedOffer = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    Option<i64>,
);

/// Hand-written OC47 offers; the first one is the document's example row.
const OC47_OFFERS: &[FixedOffer] = &[
    ("57", "152.02", "500", 1, 7, 7, Some(97)),
    ("12", "175.11", "300", 1, 5, 9, Some(88)),
    ("31", "149.50", "<10", 1, 3, 5, None),
    ("44", "161.00", ">50", 1, 10, 14, Some(75)),
    ("8", "158.40", "Есть", 1, 1, 2, Some(99)),
    ("63", "139.90", "10", 2, 14, 21, Some(60)),
    ("22", "166.75", ">50", 4, 4, 6, Some(81)),
    ("81", "147.10", "Есть", 10, 2, 3, None),
    // Not a form the document describes: the shop shows it, but refuses to order it via API.
    ("70", "144.00", "под заказ", 1, 20, 30, None),
    ("95", "163.20", "3", 1, 2, 4, Some(90)),
];

const SOURCES: &[&str] = &[
    "3", "8", "12", "15", "22", "31", "44", "57", "63", "70", "81", "95",
];
const DESCS: &[&str] = &["", "", "", "Оригинальное качество", "Упаковка повреждена"];

/// Number of offers in the catalogue (the same for every seed).
pub fn catalogue_len() -> usize {
    let parts: usize = GROUPS.iter().map(|g| g.len()).sum();
    (parts - 1) * OFFERS_PER_PART + OC47_OFFERS.len()
}

/// SplitMix64: tiny, good enough, and keeps the output stable across dependency upgrades
/// (a `rand` upgrade could silently reshuffle every fixture).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The catalogue: offers in a stable order.
pub struct Catalogue {
    offers: Vec<Offer>,
    /// [`normalize_code`] of each offer's code.
    normalized: Vec<String>,
    /// Offer indices of each group, in catalogue order.
    groups: Vec<Vec<usize>>,
    /// The group of each normalised code (the first group holding it).
    group_of: std::collections::HashMap<String, usize>,
}

/// Search key: upper-case, without spaces, dashes and dots ("oc-47" and "OC 47" find OC47).
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '\u{2010}'..='\u{2015}'))
        .flat_map(char::to_uppercase)
        .collect()
}

impl Catalogue {
    /// Builds the catalogue for a seed.
    pub fn generate(seed: u64) -> Self {
        let mut rng = Rng(seed ^ 0x6361_7272_6574_6131);
        let mut offers = Vec::with_capacity(catalogue_len());
        for (gi, group) in GROUPS.iter().enumerate() {
            for &(code, maker, name, base) in group.iter() {
                if code == "OC47" {
                    for &(source, price, qty, min_qty, pmin, pmax, stat) in OC47_OFFERS {
                        offers.push(Offer {
                            code: code.into(),
                            maker: maker.into(),
                            name: name.into(),
                            desc: String::new(),
                            price: price.parse().expect("literal price"),
                            qty: qty.into(),
                            min_qty,
                            period_min: pmin,
                            period_max: pmax,
                            stat,
                            source: source.into(),
                            group: gi,
                        });
                    }
                    continue;
                }
                let mut used: Vec<&str> = Vec::new();
                for _ in 0..OFFERS_PER_PART {
                    let mut source = *rng.pick(SOURCES);
                    while used.contains(&source) {
                        source = *rng.pick(SOURCES);
                    }
                    used.push(source);
                    // 85%..135% of the base price.
                    let kop = base * (85 + rng.below(51) as i64) / 100;
                    let qty = match rng.below(12) {
                        0..=3 => (1 + rng.below(600)).to_string(),
                        4 => "10".to_string(),
                        5 => "3".to_string(),
                        6 | 7 => "<10".to_string(),
                        8 | 9 => ">50".to_string(),
                        10 => "Есть".to_string(),
                        _ => "под заказ".to_string(),
                    };
                    let min_qty = *rng.pick(&[1, 1, 1, 1, 2, 4, 10]);
                    let period_min = 1 + rng.below(14) as i64;
                    let period_max = period_min + rng.below(8) as i64;
                    let stat = if rng.below(4) == 0 {
                        None
                    } else {
                        Some(40 + rng.below(61) as i64)
                    };
                    offers.push(Offer {
                        code: code.into(),
                        maker: maker.into(),
                        name: name.into(),
                        desc: (*rng.pick(DESCS)).into(),
                        price: Decimal::new(kop, 2),
                        qty,
                        min_qty,
                        period_min,
                        period_max,
                        stat,
                        source: source.into(),
                        group: gi,
                    });
                }
            }
        }
        debug_assert_eq!(offers.len(), catalogue_len());
        let normalized: Vec<String> = offers.iter().map(|o| normalize_code(&o.code)).collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of = std::collections::HashMap::new();
        for (i, o) in offers.iter().enumerate() {
            if groups.len() <= o.group {
                groups.resize_with(o.group + 1, Vec::new);
            }
            groups[o.group].push(i);
            if !normalized[i].is_empty() {
                group_of.entry(normalized[i].clone()).or_insert(o.group);
            }
        }
        Catalogue {
            offers,
            normalized,
            groups,
            group_of,
        }
    }

    /// All offers.
    pub fn offers(&self) -> &[Offer] {
        &self.offers
    }

    /// Distinct part codes, in catalogue order.
    pub fn codes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for o in &self.offers {
            if out.last() != Some(&o.code) {
                out.push(o.code.clone());
            }
        }
        out
    }

    /// The exact code's offers (`is_cross == false`) followed by its analogues
    /// (`is_cross == true`). An empty or unknown query finds nothing.
    pub fn search(&self, q: &str) -> Vec<(&Offer, bool)> {
        self.search_indices(q)
            .into_iter()
            .map(|(i, cross)| (&self.offers[i], cross))
            .collect()
    }

    /// [`Catalogue::search`] as indices into [`Catalogue::offers`]: one lookup of the
    /// normalised code, then only that code's group (not every offer) is read.
    pub fn search_indices(&self, q: &str) -> Vec<(usize, bool)> {
        let key = normalize_code(q);
        // An empty key finds nothing: no normalised code is empty in the map.
        let Some(&group) = self.group_of.get(&key) else {
            return Vec::new();
        };
        let members = &self.groups[group];
        let exact = members.iter().filter(|&&i| self.normalized[i] == key);
        let cross = members.iter().filter(|&&i| self.normalized[i] != key);
        exact
            .map(|&i| (i, false))
            .chain(cross.map(|&i| (i, true)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = Catalogue::generate(1);
        let b = Catalogue::generate(1);
        assert!(catalogue_len() >= 50);
        assert_eq!(a.offers().len(), catalogue_len());
        assert_eq!(Catalogue::generate(7).offers().len(), catalogue_len());
        for (x, y) in a.offers().iter().zip(b.offers()) {
            assert_eq!((x.price, &x.qty, &x.source), (y.price, &y.qty, &y.source));
        }
    }

    /// The indexed search finds exactly what scanning every offer finds, in the same order,
    /// for every code of the catalogue in several spellings.
    #[test]
    fn indexed_search_matches_a_full_scan() {
        let c = Catalogue::generate(3);
        let scan = |q: &str| -> Vec<(usize, bool)> {
            let key = normalize_code(q);
            let Some(group) = c
                .offers
                .iter()
                .find(|o| !key.is_empty() && normalize_code(&o.code) == key)
                .map(|o| o.group)
            else {
                return Vec::new();
            };
            let in_group = (0..c.offers.len()).filter(|&i| c.offers[i].group == group);
            let (exact, cross): (Vec<usize>, Vec<usize>) =
                in_group.partition(|&i| normalize_code(&c.offers[i].code) == key);
            exact
                .into_iter()
                .map(|i| (i, false))
                .chain(cross.into_iter().map(|i| (i, true)))
                .collect()
        };
        for code in c.codes() {
            for q in [code.clone(), code.to_lowercase(), format!(" {}-", code)] {
                assert_eq!(c.search_indices(&q), scan(&q), "{q}");
                assert!(!scan(&q).is_empty(), "{q}");
            }
        }
        for q in ["", " ", "nothing", "-"] {
            assert_eq!(c.search_indices(q), scan(q), "{q:?}");
        }
    }

    #[test]
    fn search_normalises() {
        let c = Catalogue::generate(1);
        for q in ["oc47", "OC 47", "oc-47", " o.c.4.7 "] {
            let r = c.search(q);
            assert_eq!(r.len(), OC47_OFFERS.len() + 3 * OFFERS_PER_PART, "{q}");
            assert!(!r[0].1 && r.last().unwrap().1);
        }
        assert_eq!(
            c.search("0451103316").len(),
            OFFERS_PER_PART * 3 + OC47_OFFERS.len()
        );
        assert!(c.search("").is_empty());
        assert!(c.search("nothing").is_empty());
    }
}
