//! The six dictionaries, with the document's values as the document writes them.

use axum::http::StatusCode;
use serde_json::Value;

use super::{Call, IrecaError, Reply};

/// `dictionary/orderStatuses`: payment status of an order.
pub const ORDER_STATUSES: &str = r#"[
{"statusId": 0, "title": "Не оплачен"},
{"statusId": 1, "title": "Оплачен"}
]"#;

/// `dictionary/orderDeliveryStatuses`: the delivery statuses a courier moves an order
/// through.
pub const DELIVERY_STATUSES: &str = r#"[
{"statusId": 6, "title": "Подготовлен"},
{"statusId": 7, "title": "Заказ взят курьером"},
{"statusId": 9, "title": "Заказ доставлен"},
{"statusId": 10, "title": "Заказ закрыт"},
{"statusId": 11, "title": "Заказ отменен"}
]"#;

/// `dictionary/closeTypes`: payment types of the fiscal registrator.
pub const CLOSE_TYPES: &str = r#"[
{"closeTypeId": 1, "title": "Наличные"},
{"closeTypeId": 2, "title": "Банковская карта"}
]"#;

/// `dictionary/taxTypes`: the predefined tax rates.
pub const TAX_TYPES: &str = r#"[
{"title":"20%"},
{"title":"10%"},
{"title":"20%/120%"},
{"title":"10%/110%"},
{"title":"0%"}
]"#;

/// `dictionary/goodCalcTypes`: the subject-of-calculation signs.
pub const CALC_TYPES: &str = r#"[
{"calcId":0,"title":"Не используется"},
{"calcId":1,"title":"Товар, кроме подакцизного"},
{"calcId":4,"title":"Услуга"}
]"#;

/// `dictionary/permissions`: the access settings of the app's users.
pub const PERMISSIONS: &str = r#"[
{"description": "Открывает смену для ФР", "permissionId": "registratorShiftOpen"},
{"description": "Закрывает смену ФР", "permissionId": "registratorShiftClose"},
{"description": "Печать чека коррекции", "permissionId": "printCorrectionReceipt"},
{"description": "Изменение настроек приложения", "permissionId": "changeSettings"},
{"description": "Отмена заказа", "permissionId": "orderCancel"},
{"description": "Редактирование места расчетов", "permissionId": "updateAddressTo"},
{"description": "Внесение наличных", "permissionId": "cashIn"},
{"description": "Изъятие наличных", "permissionId": "cashOut"},
{"description": "Отчет по заказу", "permissionId": "orderReport"},
{"description": "Редактирование позиций доставленного заказа", "permissionId": "deliveredOrderItemUpdate"}
]"#;

/// A dictionary as a JSON array (the constants above are valid JSON; a unit test holds
/// them to it).
pub fn parsed(text: &str) -> Vec<Value> {
    serde_json::from_str(text).unwrap_or_default()
}

fn answer(text: &str) -> Result<Reply, IrecaError> {
    Ok(Reply::Json(StatusCode::OK, Value::Array(parsed(text))))
}

/// `ireca.dictionary.order_statuses`.
pub fn order_statuses(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(ORDER_STATUSES)
}

/// `ireca.dictionary.delivery_statuses`.
pub fn delivery_statuses(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(DELIVERY_STATUSES)
}

/// `ireca.dictionary.close_types`.
pub fn close_types(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(CLOSE_TYPES)
}

/// `ireca.dictionary.tax_types`.
pub fn tax_types(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(TAX_TYPES)
}

/// `ireca.dictionary.calc_types`.
pub fn calc_types(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(CALC_TYPES)
}

/// `ireca.dictionary.permissions`.
pub fn permissions(_: &Call<'_>) -> Result<Reply, IrecaError> {
    answer(PERMISSIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dictionary_is_json() {
        for (text, len) in [
            (ORDER_STATUSES, 2),
            (DELIVERY_STATUSES, 5),
            (CLOSE_TYPES, 2),
            (TAX_TYPES, 5),
            (CALC_TYPES, 3),
            (PERMISSIONS, 10),
        ] {
            let v: Vec<Value> = serde_json::from_str(text).expect(text);
            assert_eq!(v.len(), len, "{text}");
        }
    }
}
