//! Finding the known columns by their header, in Russian or English.

use std::fmt;
use std::sync::Arc;

/// A column the reader knows the meaning of.
///
/// ```
/// use logibridge::pricelist::Field;
/// assert!(Field::Code.synonyms().contains(&"Артикул"));
/// assert_eq!(Field::MinQty.key(), "min_qty");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The part number (`Артикул`, `Код`, `Номер`, `code`). Required.
    Code,
    /// The brand (`Бренд`, `Производитель`, `maker`).
    Maker,
    /// The description (`Наименование`, `Описание`, `name`).
    Name,
    /// The price (`Цена`, `price`). Required.
    Price,
    /// The stock (`Количество`, `Наличие`, `Остаток`, `qty`).
    Qty,
    /// The pack size (`Кратность`, `Мин. партия`, `min_qty`).
    MinQty,
    /// The delivery time in days (`Срок`, `Срок поставки`, `period`).
    Period,
}

impl Field {
    /// Every field, in the order columns are claimed.
    pub const ALL: [Field; 7] = [Field::Code, Field::Maker, Field::Name, Field::Price, Field::Qty, Field::MinQty, Field::Period];

    /// The built-in header names of this field, most specific first. Matching ignores
    /// case, spaces and punctuation (`"Мин. партия"` matches `"минпартия"`).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Code => &["Артикул", "Код", "Номер", "code", "Номер детали", "Код детали", "article", "part number", "partnumber", "sku"],
            Field::Maker => &["Бренд", "Производитель", "maker", "brand", "manufacturer", "Изготовитель"],
            Field::Name => &["Наименование", "Описание", "name", "Название", "description"],
            Field::Price => &["Цена", "price", "Цена, руб", "Цена руб."],
            Field::Qty => &["Количество", "Наличие", "Остаток", "qty", "Кол-во", "quantity", "stock"],
            Field::MinQty => &["Кратность", "Мин. партия", "min_qty", "Минимальная партия", "Мин. заказ"],
            Field::Period => &["Срок поставки", "Срок", "period", "Срок, дн", "delivery"],
        }
    }

    /// The field's name in the row's serialised form (`code`, `maker`, …, `min_qty`, `period`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Code => "code",
            Field::Maker => "maker",
            Field::Name => "name",
            Field::Price => "price",
            Field::Qty => "qty",
            Field::MinQty => "min_qty",
            Field::Period => "period",
        }
    }

    /// Whether a price list must have this column.
    pub fn required(self) -> bool {
        matches!(self, Field::Code | Field::Price)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The header text reduced to what matters for matching: lower case, letters and digits
/// only, `ё` read as `е`.
pub(crate) fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// Where each known field is in a record, and which columns are kept by name.
#[derive(Clone, Debug)]
pub(crate) struct ColumnMap {
    /// Index of each [`Field`] (by `Field::index`), if the file has it.
    pub(crate) fields: [Option<usize>; 7],
    /// Column indexes of the unknown columns, in file order.
    pub(crate) extra: Vec<usize>,
    /// Their header names, shared by every row.
    pub(crate) extra_names: Arc<[String]>,
}

impl ColumnMap {
    /// Assigns header columns to fields. Overrides replace the built-in synonyms of their
    /// field; each column goes to at most one field, fields being served in
    /// [`Field::ALL`] order and synonyms in priority order.
    /// A missing required column is an error in English and Russian, ending with `hint`
    /// (how the caller names a column, `{field}` for the field's key).
    pub(crate) fn new(headers: &[String], overrides: &[(Field, String)], hint: &(String, String)) -> Result<ColumnMap, (String, String)> {
        let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
        let mut taken = vec![false; headers.len()];
        let mut fields = [None; 7];
        for field in Field::ALL {
            let custom: Vec<&str> = overrides.iter().filter(|(f, _)| *f == field).map(|(_, h)| h.as_str()).collect();
            let names: Vec<&str> = if custom.is_empty() { field.synonyms().to_vec() } else { custom };
            'names: for name in &names {
                let want = normalize(name);
                for (i, have) in normalized.iter().enumerate() {
                    if !taken[i] && !want.is_empty() && *have == want {
                        taken[i] = true;
                        fields[field.index()] = Some(i);
                        break 'names;
                    }
                }
            }
            if field.required() && fields[field.index()].is_none() {
                let found = headers.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
                let looked = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
                let key = field.key();
                return Err((
                    format!("no {key} column: looked for {looked} among the headers {found}; {}", hint.0.replace("{field}", key)),
                    format!("нет колонки {key}: искали {looked} среди заголовков {found}; {}", hint.1.replace("{field}", key)),
                ));
            }
        }
        let extra: Vec<usize> = (0..headers.len()).filter(|&i| !taken[i]).collect();
        Ok(ColumnMap { fields, extra_names: unique_names(&[], extra.iter().map(|&i| headers[i].as_str())).into(), extra })
    }

    pub(crate) fn get(&self, field: Field) -> Option<usize> {
        self.fields[field.index()]
    }
}

/// Names for `headers`, each once: a header that repeats one of `taken` or an earlier
/// header gets `extra:` in front (again, until it is new). The unknown columns of a row go
/// by these names (keyed by name, a Python dict or JSON would otherwise keep only the last
/// of two columns with one header), and the Arrow schema applies the same rule against its
/// fixed columns.
pub(crate) fn unique_names<'h>(taken: &[&str], headers: impl Iterator<Item = &'h str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for header in headers {
        let mut name = header.to_string();
        while taken.contains(&name.as_str()) || names.contains(&name) {
            name.insert_str(0, "extra:");
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalize_ignores_case_space_punctuation() {
        assert_eq!(normalize(" Мин. Партия "), "минпартия");
        assert_eq!(normalize("MIN_QTY"), "minqty");
        assert_eq!(normalize("Срок  поставки"), "срокпоставки");
        assert_eq!(normalize("Ёмкость"), "емкость");
    }

    #[test]
    fn russian_and_english_synonyms() {
        let map = ColumnMap::new(&headers(&["Производитель", "Код", "Описание", "ЦЕНА", "Остаток", "мин.партия", "Срок", "Склад"]), &[], &hint()).unwrap();
        assert_eq!(map.get(Field::Maker), Some(0));
        assert_eq!(map.get(Field::Code), Some(1));
        assert_eq!(map.get(Field::Name), Some(2));
        assert_eq!(map.get(Field::Price), Some(3));
        assert_eq!(map.get(Field::Qty), Some(4));
        assert_eq!(map.get(Field::MinQty), Some(5));
        assert_eq!(map.get(Field::Period), Some(6));
        assert_eq!(&*map.extra_names, &["Склад".to_string()]);

        let map = ColumnMap::new(&headers(&["code", "maker", "name", "price", "qty", "min_qty", "period"]), &[], &hint()).unwrap();
        assert_eq!(map.fields, [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn most_specific_synonym_wins_and_the_other_is_kept() {
        let map = ColumnMap::new(&headers(&["Код", "Артикул", "Цена", "Срок", "Срок поставки"]), &[], &hint()).unwrap();
        assert_eq!(map.get(Field::Code), Some(1));
        assert_eq!(map.get(Field::Period), Some(4));
        assert_eq!(&*map.extra_names, &["Код".to_string(), "Срок".to_string()]);
    }

    #[test]
    fn overrides_replace_synonyms() {
        let h = headers(&["Артикул", "Цена", "Стоимость"]);
        let map = ColumnMap::new(&h, &[(Field::Price, "стоимость".into())], &hint()).unwrap();
        assert_eq!(map.get(Field::Price), Some(2));
        assert_eq!(&*map.extra_names, &["Цена".to_string()]);
    }

    #[test]
    fn repeated_unknown_headers_are_each_kept_under_their_own_name() {
        let map = ColumnMap::new(&headers(&["Артикул", "Склад", "Цена", "Склад", "extra:Склад", "Склад"]), &[], &hint()).unwrap();
        assert_eq!(map.extra, [1, 3, 4, 5]);
        assert_eq!(&*map.extra_names, &["Склад", "extra:Склад", "extra:extra:Склад", "extra:extra:extra:Склад"].map(String::from));
    }

    fn hint() -> (String, String) {
        ("use {field}=…".into(), "укажите {field}=…".into())
    }

    #[test]
    fn missing_required_column_is_explained() {
        let (en, ru) = ColumnMap::new(&headers(&["Артикул", "Стоимость"]), &[], &hint()).unwrap_err();
        assert!(en.contains("no price column"), "{en}");
        assert!(en.contains("Стоимость"), "{en}");
        assert!(en.ends_with("; use price=…"), "{en}");
        assert!(ru.starts_with("нет колонки price: искали"), "{ru}");
        assert!(ru.ends_with("; укажите price=…"), "{ru}");
    }
}
