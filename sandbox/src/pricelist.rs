//! A deterministic generator of Carreta-style supplier price lists.
//!
//! The output looks like what suppliers really publish: CP1251 text, `;` separators, CRLF
//! line ends, a Russian header, real brands, Cyrillic part names, prices with a decimal
//! comma (some with a space or a no-break space between thousands, a few with a dot), every
//! `qty` form the shop documents (`10`, `<10`, `>50`, `Есть`), empty optional cells, and
//! quoted fields holding `;`, doubled quotes `""` and line breaks.
//!
//! The same `(rows, seed)` always gives the same bytes, so the benchmark, the tests and the
//! sandbox's download endpoint all talk about the same file. No dependency beyond `std`:
//! the few characters used are encoded to CP1251 by a small table here.
//!
//! ```
//! let mut out = Vec::new();
//! logibridge_sandbox::pricelist::write_pricelist(&mut out, 3, 42).unwrap();
//! // The header is CP1251: "Бренд" starts with 0xC1.
//! assert_eq!(out[0], 0xC1);
//! assert!(out.ends_with(b"\r\n"));
//! ```

use std::io::{self, Write};

/// The header line, as text (it is written in CP1251).
pub const HEADER: &str = "Бренд;Артикул;Наименование;Цена;Количество;Кратность;Срок поставки;Склад";

const BRANDS: &[&str] = &[
    "MANN-FILTER", "BOSCH", "MAHLE", "KNECHT", "FEBI BILSTEIN", "LEMFORDER", "SACHS", "TRW",
    "NGK", "DENSO", "VALEO", "CONTITECH", "GATES", "SKF", "INA", "LUK", "HELLA", "FILTRON",
    "NIPPARTS", "KAYABA", "MONROE", "BREMBO", "ATE", "TOYOTA", "HYUNDAI/KIA", "VAG", "RENAULT",
    "NISSAN", "ЛАДА", "АВТОВАЗ", "ГАЗ", "КАМАЗ", "ТРЕК", "БРТ", "ПЕКАР", "ДААЗ", "FENOX",
    "Маркон", "Автодеталь", "Лукойл",
];

const NAMES: &[&str] = &[
    "Фильтр масляный",
    "Фильтр воздушный",
    "Фильтр салона угольный",
    "Фильтр топливный",
    "Колодки тормозные передние",
    "Колодки тормозные задние",
    "Диск тормозной вентилируемый",
    "Свеча зажигания",
    "Ремень ГРМ",
    "Ролик натяжной ремня ГРМ",
    "Помпа водяная",
    "Амортизатор передний газомасляный",
    "Амортизатор задний",
    "Рычаг подвески нижний",
    "Шаровая опора",
    "Сайлентблок рычага",
    "Наконечник рулевой тяги",
    "Стойка стабилизатора",
    "Подшипник ступицы",
    "Сцепление комплект",
    "Термостат",
    "Датчик кислородный",
    "Лампа галогенная H7 12V 55W",
    "Щётка стеклоочистителя 600 мм",
    "Прокладка клапанной крышки",
    "Масло моторное 5W-40 4 л",
    "Антифриз G12 красный 5 кг",
    "Шрус наружный",
    "Пыльник шруса",
    "Опора двигателя",
];

const FITS: &[&str] = &[
    "",
    "",
    "",
    " для ВАЗ 2108-2115",
    " для ВАЗ 2110-2112",
    " Лада Гранта",
    " Лада Веста",
    " Ford Focus II 1.6",
    " VW Polo седан",
    " Hyundai Solaris",
    " Kia Rio III",
    " Renault Logan",
    " ГАЗель Next",
    " КАМАЗ 5320",
    " передний левый",
    " задний правый",
    " (оригинал)",
    " комплект 4 шт.",
];

const STORES: &[&str] = &[
    "Москва",
    "Санкт-Петербург",
    "Екатеринбург",
    "Новосибирск",
    "Краснодар",
    "Казань",
    "Склад №3",
    "Центральный",
];

const PERIODS: &[&str] = &["0", "1", "1-2", "2-3", "3", "5-7", "7-9", "10-14", "14-21", "30", ""];

const MIN_QTYS: &[&str] = &["2", "4", "5", "10", "20"];

/// Encodes the characters this generator uses into CP1251.
///
/// Covers ASCII, the Russian alphabet (`А`..`я`, `Ё`, `ё`), the no-break space, `№`, `«`,
/// `»` and the em dash; anything else is a bug in the tables above and panics.
pub fn to_cp1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\0'..='\x7f' => c as u8,
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'Ё' => 0xA8,
            'ё' => 0xB8,
            '\u{A0}' => 0xA0,
            '№' => 0xB9,
            '«' => 0xAB,
            '»' => 0xBB,
            '—' => 0x97,
            other => panic!("character {other:?} is not in the generator's CP1251 table"),
        })
        .collect()
}

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }

    /// True with probability `percent` / 1000.
    fn per_mille(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

struct Tables {
    brands: Vec<Vec<u8>>,
    names: Vec<Vec<u8>>,
    fits: Vec<Vec<u8>>,
    stores: Vec<Vec<u8>>,
}

impl Tables {
    fn new() -> Tables {
        let enc = |list: &[&str]| list.iter().map(|s| to_cp1251(s)).collect::<Vec<_>>();
        Tables { brands: enc(BRANDS), names: enc(NAMES), fits: enc(FITS), stores: enc(STORES) }
    }
}

fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `text` as one CSV field, quoting it (and doubling its quotes) when it holds a
/// `;`, a quote or a line break, or when `force` asks for quotes anyway.
fn push_field(out: &mut Vec<u8>, text: &[u8], force: bool) {
    let needs = force || text.iter().any(|&b| matches!(b, b';' | b'"' | b'\r' | b'\n'));
    if !needs {
        out.extend_from_slice(text);
        return;
    }
    out.push(b'"');
    for &b in text {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn push_code(out: &mut Vec<u8>, rng: &mut Rng) {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXZ";
    match rng.below(5) {
        0 => {
            // MANN / Knecht style: "W712/75", "OC47"
            for _ in 0..1 + rng.below(3) {
                out.push(LETTERS[rng.below(LETTERS.len() as u64) as usize]);
            }
            push_uint(out, 1 + rng.below(999));
            if rng.per_mille(300) {
                out.push(b'/');
                push_uint(out, 1 + rng.below(99));
            }
        }
        1 => {
            // Bosch style with spaces: "0 986 452 041"
            out.extend_from_slice(b"0 986 ");
            let n = rng.below(1_000_000);
            out.push(b'0' + (n / 100_000) as u8);
            out.push(b'0' + (n / 10_000 % 10) as u8);
            out.push(b'0' + (n / 1_000 % 10) as u8);
            out.push(b' ');
            out.push(b'0' + (n / 100 % 10) as u8);
            out.push(b'0' + (n / 10 % 10) as u8);
            out.push(b'0' + (n % 10) as u8);
        }
        2 => {
            // VAZ style: "21080-1012005-00"
            push_uint(out, 2101 + rng.below(100) * 10);
            out.push(b'0');
            out.push(b'-');
            push_uint(out, 1_000_000 + rng.below(9_000_000));
            if rng.per_mille(500) {
                out.extend_from_slice(b"-00");
            }
        }
        3 => {
            // Plain digits, sometimes with a leading zero that must survive.
            if rng.per_mille(200) {
                out.push(b'0');
            }
            push_uint(out, 10_000 + rng.below(99_990_000));
        }
        _ => {
            // "GDB1330", "KYB-334302"
            for _ in 0..3 {
                out.push(LETTERS[rng.below(LETTERS.len() as u64) as usize]);
            }
            if rng.per_mille(300) {
                out.push(b'-');
            }
            push_uint(out, 1000 + rng.below(999_000));
        }
    }
}

fn push_price(out: &mut Vec<u8>, rng: &mut Rng) {
    // Mostly tens to thousands of roubles, a long tail up to ~300 000.
    let rub = match rng.below(10) {
        0..=3 => 30 + rng.below(970),
        4..=7 => 1_000 + rng.below(9_000),
        8 => 10_000 + rng.below(90_000),
        _ => 100_000 + rng.below(200_000),
    };
    let kop = rng.below(100);
    let style = rng.below(100);
    if style < 8 {
        // Whole roubles: "500"
        push_uint(out, rub);
        return;
    }
    let (sep, point): (&[u8], u8) = match style {
        8..=12 => (b"", b'.'),      // "1234.56"
        13..=37 => (b" ", b','),    // "1 234,56"
        38..=55 => (b"\xA0", b','), // "1<NBSP>234,56"
        _ => (b"", b','),           // "1234,56"
    };
    if rub >= 1000 {
        push_uint(out, rub / 1000);
        out.extend_from_slice(sep);
        let low = rub % 1000;
        out.push(b'0' + (low / 100) as u8);
        out.push(b'0' + (low / 10 % 10) as u8);
        out.push(b'0' + (low % 10) as u8);
    } else {
        push_uint(out, rub);
    }
    out.push(point);
    out.push(b'0' + (kop / 10) as u8);
    out.push(b'0' + (kop % 10) as u8);
}

fn push_qty(out: &mut Vec<u8>, rng: &mut Rng) {
    match rng.below(100) {
        0..=39 => push_uint(out, 1 + rng.below(200)),
        40..=54 => {
            out.push(b'<');
            push_uint(out, 2 + rng.below(20));
        }
        55..=69 => {
            out.push(b'>');
            push_uint(out, [10, 20, 50, 100, 500][rng.below(5) as usize]);
        }
        70..=93 => out.extend_from_slice(b"\xC5\xF1\xF2\xFC"), // "Есть"
        94..=96 => out.extend_from_slice(b"\xE5\xF1\xF2\xFC"), // "есть"
        _ => out.push(b'0'),
    }
}

/// The most data rows `GET /carreta/pricelist.csv` generates (about 1 GB of CSV, ten
/// times the largest list the benchmarks read): a larger `rows` is a 400 naming the
/// parameter, never an endless stream.
pub const MAX_ROWS: u64 = 10_000_000;

/// Writes a price list of `rows` data rows (plus the header) to `out`.
///
/// Deterministic: the same `rows` and `seed` give the same bytes. The output is CP1251,
/// `;`-separated, CRLF-terminated; about 100 bytes a row. Row `i` (1-based) is on a line of
/// its own except for the rare names with a line break inside, which take two.
///
/// ```
/// let mut a = Vec::new();
/// let mut b = Vec::new();
/// logibridge_sandbox::pricelist::write_pricelist(&mut a, 100, 7).unwrap();
/// logibridge_sandbox::pricelist::write_pricelist(&mut b, 100, 7).unwrap();
/// assert_eq!(a, b);
/// ```
pub fn write_pricelist<W: Write>(mut out: W, rows: u64, seed: u64) -> io::Result<()> {
    let tables = Tables::new();
    let mut rng = Rng(seed ^ 0x6C6F_6769_6272_6964);
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut name: Vec<u8> = Vec::with_capacity(256);

    buf.extend_from_slice(&to_cp1251(HEADER));
    buf.extend_from_slice(b"\r\n");

    for _ in 0..rows {
        // Бренд
        let brand = &tables.brands[rng.below(tables.brands.len() as u64) as usize];
        push_field(&mut buf, brand, rng.per_mille(10));
        buf.push(b';');

        // Артикул
        if rng.per_mille(15) {
            buf.push(b'"');
            push_code(&mut buf, &mut rng);
            buf.push(b'"');
        } else {
            push_code(&mut buf, &mut rng);
        }
        buf.push(b';');

        // Наименование, with the rare `;`, `"` or line break that forces quoting.
        name.clear();
        name.extend_from_slice(&tables.names[rng.below(tables.names.len() as u64) as usize]);
        name.extend_from_slice(&tables.fits[rng.below(tables.fits.len() as u64) as usize]);
        match rng.below(1000) {
            0..=19 => {
                // "; двигатель 1.6 16V"
                name.extend_from_slice(b"; \xE4\xE2\xE8\xE3\xE0\xF2\xE5\xEB\xFC 1.6 16V");
            }
            20..=29 => {
                // ' "Лукойл Люкс"'
                name.extend_from_slice(b" \"\xCB\xF3\xEA\xEE\xE9\xEB \xCB\xFE\xEA\xF1\"");
            }
            30..=34 => {
                // "\r\nкомплект" / "\nкомплект"
                name.extend_from_slice(if rng.per_mille(500) { b"\r\n" } else { b"\n" });
                name.extend_from_slice(b"\xEA\xEE\xEC\xEF\xEB\xE5\xEA\xF2");
            }
            _ => {}
        }
        push_field(&mut buf, &name, rng.per_mille(20));
        buf.push(b';');

        // Цена
        push_price(&mut buf, &mut rng);
        buf.push(b';');

        // Количество
        push_qty(&mut buf, &mut rng);
        buf.push(b';');

        // Кратность: mostly 1, sometimes empty, sometimes a pack size.
        match rng.below(10) {
            0..=6 => buf.push(b'1'),
            7 => {}
            _ => buf.extend_from_slice(MIN_QTYS[rng.below(MIN_QTYS.len() as u64) as usize].as_bytes()),
        }
        buf.push(b';');

        // Срок поставки: "7-9", "1", or empty.
        buf.extend_from_slice(PERIODS[rng.below(PERIODS.len() as u64) as usize].as_bytes());
        buf.push(b';');

        // Склад
        buf.extend_from_slice(&tables.stores[rng.below(tables.stores.len() as u64) as usize]);
        buf.extend_from_slice(b"\r\n");

        if buf.len() >= (1 << 16) - 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_encode() {
        assert_eq!(to_cp1251("Есть"), b"\xC5\xF1\xF2\xFC");
        assert_eq!(to_cp1251("ёЁ№\u{A0}"), b"\xB8\xA8\xB9\xA0");
        assert_eq!(to_cp1251("; двигатель 1.6 16V"), b"; \xE4\xE2\xE8\xE3\xE0\xF2\xE5\xEB\xFC 1.6 16V");
        assert_eq!(to_cp1251(" \"Лукойл Люкс\""), b" \"\xCB\xF3\xEA\xEE\xE9\xEB \xCB\xFE\xEA\xF1\"");
        assert_eq!(to_cp1251("комплект"), b"\xEA\xEE\xEC\xEF\xEB\xE5\xEA\xF2");
        for list in [BRANDS, NAMES, FITS, STORES] {
            for s in list {
                to_cp1251(s);
            }
        }
    }

    #[test]
    fn deterministic_and_varied() {
        let mut a = Vec::new();
        write_pricelist(&mut a, 20_000, 1).unwrap();
        let mut b = Vec::new();
        write_pricelist(&mut b, 20_000, 1).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        write_pricelist(&mut c, 20_000, 2).unwrap();
        assert_ne!(a, c);
        let has = |needle: &[u8]| a.windows(needle.len()).any(|w| w == needle);
        assert!(has(b";<"));
        assert!(has(b";>"));
        assert!(has(b";\xC5\xF1\xF2\xFC;"));
        assert!(has(b"\"\""));
        assert!(has(b"\xA0"));
        assert!(has(b"; \xE4\xE2\xE8"));
        assert!(has(b"\n\xEA\xEE\xEC"));
        assert!(has(b";7-9;"));
        assert!(has(b";;"));
        assert!(a.len() > 20_000 * 60 && a.len() < 20_000 * 160, "{}", a.len());
    }
}
