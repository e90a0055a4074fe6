//! The ten resources that share one CRUD shape, as one implementation over a table of
//! (resource, path, key).
//!
//! From the document:
//! - create: `POST path` with an array of objects, `201`; every object names its key and the
//!   document's required attributes; an id that exists already is a 400, and nothing of the
//!   batch is stored then;
//! - get: `GET path?{key}=`, the object, or 404 `"Модель не существует"`;
//! - list: `GET path?page=&count=`, an array (deleted objects included, `isActive` 0);
//! - update: `PUT path?{key}=` with an object of the attributes to change, `204`;
//! - replace: `POST path/replace` with an array, `204`: an object that exists is updated
//!   (and active again), one that does not is created;
//! - delete: `DELETE path?{key}=`, `204`; a soft delete: the object stays with `isActive` 0.
//!
//! The objects are seeded with the document's list examples, because the integration it
//! describes starts by loading taxes, payment types and return reasons that only the
//! dispatcher's cabinet creates.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::spelling::{key_of, odd_key, spell};
use super::state::{now, Page};
use super::{Call, IrecaError, Reply};

/// One CRUD resource.
#[derive(Debug)]
pub struct Resource {
    /// The name in endpoint ids: `return_reasons` → `ireca.return_reasons.create`.
    pub name: &'static str,
    /// Path under the API prefix.
    pub path: &'static str,
    /// The id attribute and query parameter.
    pub key: &'static str,
    /// Attributes the document marks required on create (the key included).
    pub required: &'static [&'static str],
    /// Required attributes that may be `null` (the document's "required, nullable").
    pub nullable: &'static [&'static str],
    /// The get answer leaves out the key, as the document's example does (`paymentTypes`,
    /// `taxes`): a client must not need it back.
    pub get_omits_key: bool,
    /// The objects carry `updatedAt`, set on every change.
    pub dated: bool,
    /// The document's list example, as JSON.
    pub seed: &'static str,
}

/// The ten resources of ENDPOINTS.md, in its order.
pub static RESOURCES: &[Resource] = &[
    Resource {
        name: "goods",
        path: "goods",
        key: "goodId",
        required: &["goodId", "parentId", "taxId", "title", "price"],
        nullable: &["parentId"],
        get_omits_key: false,
        dated: false,
        seed: r#"[
{"parentId": null, "goodId": "355866", "article": "G-567", "taxId": "8284", "calcId": 0, "title": "Варенье вишня FL", "unit": "г", "weight": "370", "multiplicity": 1, "price": 179.5, "description": "", "imageUrl": "http://example.com/image.png", "imageBigUrl": "http://example.com/image_big.png", "isActive": 1},
{"parentId": null, "goodId": "355865", "article": "", "taxId": "8284", "calcId": 0, "title": "Доставка", "unit": "", "weight": "0", "multiplicity": 1, "price": 500, "description": "", "imageUrl": "", "imageBigUrl": "", "isActive": 1},
{"parentId": null, "goodId": 355864, "article": "", "taxId": "8286", "calcId": "0", "title": "Кофе carte noire", "unit": "г", "weight": "95", "multiplicity": 1, "price": 539.78, "description": "", "imageUrl": "", "imageBigUrl": "", "isActive": 1},
{"parentId": null, "goodId": 355862, "article": "", "taxId": "8286", "calcId": "0", "title": "Сыр маасдам Valio 45% БЗМЖ", "unit": "г", "weight": "120", "multiplicity": 1, "price": 139.79, "description": "", "imageUrl": "", "imageBigUrl": "", "isActive": 1}
]"#,
    },
    Resource {
        name: "specificities",
        path: "specificities",
        key: "specificityId",
        required: &["specificityId", "parentId", "title", "price"],
        nullable: &["parentId"],
        get_omits_key: false,
        dated: false,
        seed: r#"[
{"parentId": null, "specificityId": "24", "title": "Пакет (полиэтиленовый)", "value": "", "price": 5, "imageUrl": "", "imageBigUrl": "", "isActive": 1, "article": "AM-3243"},
{"parentId": null, "specificityId": "25", "title": "Пакет бумажный", "value": "", "price": 10.5, "imageUrl": "", "imageBigUrl": "", "isActive": 1, "article": "AM-3244"},
{"parentId": null, "specificityId": "26", "title": "Цвет", "value": "Синий", "price": 10.5, "imageUrl": "http://example.com/image.png", "imageBigUrl": "http://example.com/image_big.png", "isActive": 1, "article": "AM-3245"}
]"#,
    },
    Resource {
        name: "warehouses",
        path: "warehouses",
        key: "warehouseId",
        required: &["warehouseId", "title"],
        nullable: &[],
        get_omits_key: false,
        dated: true,
        seed: r#"[
{"warehouseId": "1099", "title": "Главный склад", "firstname": "Виктор", "lastname": "Складских", "phone": "+79054558877", "city": "Москва", "street": "Мосфильмовская улица", "house": "39к3", "apartment": "88", "latitude": "0.00000000000000", "longitude": "0.00000000000000", "description": "", "updatedAt": "2021-05-04 15:39:45", "isActive": 1},
{"warehouseId": "1100", "title": "Малый склад", "firstname": "Алексей", "lastname": "Хранилов", "phone": "+79054558899", "city": "Санкт-Петербург", "street": "пр-т Авиаконструкторов", "house": "29к1", "apartment": "5", "latitude": "0.00000000000000", "longitude": "0.00000000000000", "description": "", "updatedAt": "2021-05-04 15:39:45", "isActive": 1}
]"#,
    },
    Resource {
        name: "couriers",
        path: "couriers",
        key: "courierId",
        required: &["courierId", "title", "email", "phone", "sourcePassword"],
        nullable: &[],
        get_omits_key: false,
        dated: true,
        seed: r#"[
{"courierId": "55752", "title": "Алексей Быстров", "email": "abistrov@email.com", "phone": "+8888888888", "roleId": "908", "sourcePassword": "1124", "inn": "", "updatedAt": "2016-11-11 14:51:46"},
{"courierId": "55753", "title": "Алексей Вестов", "email": "vestov@email.com", "phone": "+9999999999", "roleId": "908", "sourcePassword": "2321", "inn": "", "updatedAt": "2016-11-11 14:51:46"}
]"#,
    },
    Resource {
        name: "roles",
        path: "userRoles",
        key: "roleId",
        required: &["roleId", "title"],
        nullable: &[],
        get_omits_key: false,
        dated: false,
        seed: r#"[
{"roleId": 908, "title": "Курьер", "isActive": 1},
{"roleId": 909, "title": "Кассир", "isActive": 1},
{"roleId": 910, "title": "Менеджер", "isActive": 1}
]"#,
    },
    Resource {
        name: "clients",
        path: "clients",
        key: "clientId",
        required: &["clientId", "title", "firstname", "lastname", "birthday"],
        nullable: &[],
        get_omits_key: false,
        dated: true,
        seed: r#"[
{"clientId": 1, "title": "ООО 'АДМИРАЛ'", "firstname": "Алексей", "lastname": "Иванов", "birthday": "1994-04-12", "addressEntity": {"city": "Санкт-Петербург", "street": "пр-кт Культуры", "home": "48", "apartment": "59"}, "inn": "1234567890", "phone": "+7(812)2354788", "email": "ivanow@email.com", "description": "Наш ключевой клиент", "updatedAt": "2017-08-27 17:52:06"},
{"clientId": 3272, "title": "ООО 'СИТИ'", "firstname": "Андрей", "lastname": "Лекалов", "birthday": "1986-01-14", "addressEntity": {"city": "Санкт-Петербург", "street": "пр-кт Луначарского", "home": "52", "apartment": "176"}, "inn": "1234567891", "phone": "+999999999", "email": "lecalov@email.com", "description": "", "updatedAt": "2017-08-27 17:52:06"},
{"clientId": 3271, "title": "", "firstname": "Алексей", "lastname": "Иванов", "birthday": "1990-01-01", "addressEntity": {"city": "Санкт-Петербург", "street": "Улица правды", "home": "24", "apartment": "44"}, "inn": "", "phone": "+79123456789", "email": "ivanow@email.com", "description": "", "updatedAt": "2017-08-27 17:52:06"}
]"#,
    },
    Resource {
        name: "suppliers",
        path: "suppliers",
        key: "supplierId",
        required: &["supplierId", "title"],
        nullable: &[],
        get_omits_key: false,
        dated: false,
        seed: r#"[
{"supplierId": "51", "title": "ИП Иванов", "taxId": "5", "inn": "1234567890", "phone": "+78123254400", "address": "Санкт-Петербург, пр-т Заневский д 30к2", "description": "Системный интегратор и разработчик программного обеспечения"},
{"supplierId": "52", "title": "ИП Пост", "taxId": "5", "inn": "1234567891", "phone": "+78123254411", "address": "Санкт-Петербург, пр-т Заневский д 12к2", "description": "Разработчик ПО"}
]"#,
    },
    Resource {
        name: "return_reasons",
        path: "orderReturnReasons",
        key: "reasonId",
        required: &["reasonId", "title"],
        nullable: &[],
        get_omits_key: false,
        dated: false,
        seed: r#"[
{"reasonId": "5276", "title": "Пожелание клиента", "type": "standard"},
{"reasonId": "5277", "title": "Товар испорчен", "type": "standard"},
{"reasonId": "5278", "title": "Клиент передумал", "type": "standard"},
{"reasonId": "5279", "title": "Клиент не присутствовал на месте", "type": "standard"}
]"#,
    },
    Resource {
        name: "payment_types",
        path: "paymentTypes",
        key: "paymentTypeId",
        required: &["paymentTypeId", "closeTypeId"],
        nullable: &[],
        get_omits_key: true,
        dated: true,
        seed: r#"[
{"paymentTypeId": "4115", "title": "Предоплата", "closeTypeId": 3, "updatedAt": "2021-04-29 12:08:50"},
{"paymentTypeId": "4114", "title": "Банковская карта", "closeTypeId": 2, "updatedAt": "2017-07-04 10:25:11"},
{"paymentTypeId": "4116", "title": "Банковская карта 2", "closeTypeId": 2, "updatedAt": "2021-04-29 13:55:42"},
{"paymentTypeId": "4113", "title": "Наличные", "closeTypeId": 1, "updatedAt": "2017-07-04 10:25:11"}
]"#,
    },
    Resource {
        name: "taxes",
        path: "taxes",
        key: "taxId",
        required: &["taxId"],
        nullable: &[],
        get_omits_key: true,
        dated: false,
        seed: r#"[
{"taxId": "8289", "title": "БезНДС"},
{"taxId": "8286", "title": "20%"},
{"taxId": "8285", "title": "10%"},
{"taxId": "8284", "title": "0%"}
]"#,
    },
];

fn resource_of<'a>(call: &Call<'a>) -> Result<&'static Resource, IrecaError> {
    call.endpoint.resource.ok_or_else(|| {
        IrecaError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Вызов CRUD без ресурса в таблице.",
        )
    })
}

/// The object's key, or a 400 naming the attribute and the item.
fn item_key(r: &Resource, item: &Map<String, Value>, index: usize) -> Result<String, IrecaError> {
    item.get(r.key).and_then(key_of).ok_or_else(|| {
        IrecaError::bad_request(format!(
            "Элемент {index}: не задан обязательный атрибут {}.",
            r.key
        ))
    })
}

/// The document's required attributes of a new object.
fn check_required(r: &Resource, item: &Map<String, Value>, index: usize) -> Result<(), IrecaError> {
    for name in r.required {
        let ok = match item.get(*name) {
            None => false,
            Some(Value::Null) => r.nullable.contains(name),
            Some(_) => true,
        };
        if !ok {
            return Err(IrecaError::bad_request(format!(
                "Элемент {index}: не задан обязательный атрибут {name}."
            )));
        }
    }
    Ok(())
}

fn answer(r: &Resource, key: &str, obj: &Value) -> Value {
    spell(obj, odd_key(key))
        .as_object()
        .map(|o| {
            let mut o = o.clone();
            if r.get_omits_key {
                o.shift_remove(r.key);
            }
            Value::Object(o)
        })
        .unwrap_or(Value::Null)
}

/// Overlays `changes` on `target` (top-level attributes), stamping `updatedAt`.
fn merge(r: &Resource, key: &str, target: &mut Value, changes: Map<String, Value>) {
    if let Some(obj) = target.as_object_mut() {
        for (name, value) in changes {
            if name == r.key {
                // The query names the object; the body may not rename it.
                obj.insert(name, Value::String(key.to_string()));
            } else {
                obj.insert(name, value);
            }
        }
        if r.dated {
            obj.insert("updatedAt".into(), Value::String(now()));
        }
    }
}

fn new_object(r: &Resource, mut item: Map<String, Value>) -> Value {
    item.entry("isActive").or_insert(Value::from(1));
    if r.dated {
        item.insert("updatedAt".into(), Value::String(now()));
    }
    Value::Object(item)
}

/// Stores an array of objects: creates the new ones (with the document's required
/// attributes) and, when `upsert`, updates the ones that exist (active again); without
/// `upsert` an existing id is a 400. Every object is checked before any is stored.
fn store(call: &Call<'_>, upsert: bool) -> Result<(), IrecaError> {
    let r = resource_of(call)?;
    let items = call.json_array()?;
    let mut data = call.state.data();
    let table = data.tables.entry(r.name).or_default();
    let mut keys = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let key = item_key(r, item, i)?;
        let exists = table.contains_key(&key);
        if !upsert && (exists || keys.contains(&key)) {
            return Err(IrecaError::bad_request(format!(
                "Элемент {i}: модель с {}={key} уже существует.",
                r.key
            )));
        }
        if !exists {
            check_required(r, item, i)?;
        }
        keys.push(key);
    }
    for (key, mut item) in keys.into_iter().zip(items) {
        match table.get_mut(&key) {
            Some(existing) => {
                item.entry("isActive").or_insert(Value::from(1));
                merge(r, &key, existing, item);
            }
            None => {
                table.insert(key, new_object(r, item));
            }
        }
    }
    Ok(())
}

/// `ireca.<resource>.create`.
pub fn create(call: &Call<'_>) -> Result<Reply, IrecaError> {
    store(call, false)?;
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// `ireca.<resource>.get`.
pub fn get(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let r = resource_of(call)?;
    let key = call.required(r.key)?;
    let data = call.state.data();
    let obj = data
        .tables
        .get(r.name)
        .and_then(|t| t.get(key))
        .ok_or_else(IrecaError::not_found)?;
    Ok(Reply::Json(StatusCode::OK, answer(r, key, obj)))
}

/// `ireca.<resource>.list`.
pub fn list(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let r = resource_of(call)?;
    let page = Page::from_params(call.params)?;
    let data = call.state.data();
    let items = data
        .tables
        .get(r.name)
        .map(|t| {
            page.slice(t.iter())
                .into_iter()
                .map(|(k, v)| spell(v, odd_key(k)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Reply::Json(StatusCode::OK, Value::Array(items)))
}

/// Overlays `changes` on the object named by the key parameter: 204, or 404 when there is
/// no such object (update and delete alike).
fn change(call: &Call<'_>, r: &Resource, changes: Map<String, Value>) -> Result<Reply, IrecaError> {
    let key = call.required(r.key)?;
    let mut data = call.state.data();
    let obj = data
        .tables
        .get_mut(r.name)
        .and_then(|t| t.get_mut(key))
        .ok_or_else(IrecaError::not_found)?;
    merge(r, key, obj, changes);
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.<resource>.update`.
pub fn update(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let r = resource_of(call)?;
    call.required(r.key)?;
    change(call, r, call.json_object()?)
}

/// `ireca.<resource>.replace`.
pub fn replace(call: &Call<'_>) -> Result<Reply, IrecaError> {
    store(call, true)?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.<resource>.delete`: `isActive` becomes 0, the object stays.
pub fn delete(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let r = resource_of(call)?;
    let mut inactive = Map::new();
    inactive.insert("isActive".into(), Value::from(0));
    change(call, r, inactive)
}
