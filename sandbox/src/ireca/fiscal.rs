//! Fiscal documents and devices: payment and refund receipts (printed when a courier closes
//! an order), correction receipts, Atol Online and Pechka54 settings, the bank terminal's and
//! the fiscal registrator's error logs.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::spelling::{as_i64, decimal, flag, key_of, odd_key, spell};
use super::state::{now, Data, Page};
use super::{Call, IrecaError, Reply};

/// Serial number of the emulated fiscal registrator.
pub const SERIAL_NUMBER: &str = "00106708870617";

/// The receipt attributes a courier's control call may set.
pub const RECEIPT_FIELDS: &[&str] = &[
    "serialNumber",
    "shiftNumber",
    "fn",
    "fdNumber",
    "receiptNumber",
    "fiscalSign",
    "dateTimeReceipt",
];

/// Atol Online's tax systems (`company.taxSystem`).
pub const TAX_SYSTEMS: &[&str] = &[
    "osn",
    "usn_income",
    "usn_income_outcome",
    "envd",
    "esn",
    "patent",
];

/// Atol Online's agent types (`agent.type`).
pub const AGENT_TYPES: &[&str] = &[
    "bank_paying_agent",
    "bank_paying_subagent",
    "paying_agent",
    "paying_subagent",
    "attorney",
    "commission_agent",
    "another",
];

/// Sample logs and a correction receipt, so the lists answer something before any courier
/// worked (the document shows their attributes, not examples).
pub fn seed(data: &mut Data) {
    data.correction_receipts.push(json!({
        "correctionReceiptId": 1, "courierId": "55752", "serialNumber": SERIAL_NUMBER,
        "amount": "150.00", "commandExecutedAt": "2021-05-04 16:02:11"
    }));
    data.terminal_logs.push(json!({
        "terminalLogId": 1, "courierId": "55752", "errorCode": "4134",
        "errorText": "Операция отклонена банком", "cardNumber": "************3333",
        "paymentSystem": "VISA", "serialNumber": "21903411", "amount": "539.78",
        "orderId": "209897", "transactionCreatedAt": "2021-05-04 15:44:02"
    }));
    data.registrator_logs.push(json!({
        "frId": 1, "courierId": "55752", "errorCode": "235",
        "errorText": "Исчерпан ресурс хранения ФН", "serialNumber": SERIAL_NUMBER,
        "amount": "539.78", "orderId": "209897", "commandExecutedAt": "2021-05-04 15:45:10"
    }));
}

/// Prints a receipt for an order being closed: the next fiscal document, with `overrides`
/// (attributes of [`RECEIPT_FIELDS`]) on top. A refund order gets a refund receipt.
pub fn print_receipt(
    data: &mut Data,
    key: &str,
    refund: bool,
    overrides: &Map<String, Value>,
) -> Value {
    data.fiscal_documents += 1;
    let n = data.fiscal_documents;
    let mut receipt = json!({
        "orderId": key, "serialNumber": SERIAL_NUMBER, "shiftNumber": "1",
        "fn": "9999078900004312", "fdNumber": (1000 + n).to_string(),
        "receiptNumber": n.to_string(), "fiscalSign": (3_826_513_000u64 + n * 7919).to_string(),
        "dateTimeReceipt": now()
    });
    if let Some(obj) = receipt.as_object_mut() {
        for (k, v) in overrides {
            obj.insert(k.clone(), v.clone());
        }
    }
    let book = if refund {
        &mut data.return_receipts
    } else {
        &mut data.receipts
    };
    book.insert(key.to_string(), receipt.clone());
    receipt
}

fn receipt_of(call: &Call<'_>, refund: bool) -> Result<Reply, IrecaError> {
    let key = call.required("orderId")?;
    let data = call.state.data();
    let book = if refund {
        &data.return_receipts
    } else {
        &data.receipts
    };
    let receipt = book.get(key).ok_or_else(IrecaError::not_found)?;
    Ok(Reply::Json(StatusCode::OK, spell(receipt, odd_key(key))))
}

/// `ireca.receipts.payment`: 404 until the order's receipt is printed.
pub fn payment_receipt(call: &Call<'_>) -> Result<Reply, IrecaError> {
    receipt_of(call, false)
}

/// `ireca.receipts.refund`: 404 until a refund order's receipt is printed.
pub fn refund_receipt(call: &Call<'_>) -> Result<Reply, IrecaError> {
    receipt_of(call, true)
}

/// A paged log filtered by the optional `orderId` and `courierId` parameters.
fn filtered(call: &Call<'_>, log: impl Fn(&Data) -> &Vec<Value>) -> Result<Reply, IrecaError> {
    let page = Page::from_params(call.params)?;
    let want = |name: &str| call.optional(name);
    let (order, courier) = (want("orderId"), want("courierId"));
    let data = call.state.data();
    let rows = log(&data).iter().filter(|row| {
        let is = |name: &str, wanted: Option<&str>| {
            wanted.is_none_or(|w| row.get(name).and_then(key_of).as_deref() == Some(w))
        };
        is("orderId", order) && is("courierId", courier)
    });
    let items = page
        .slice(rows)
        .into_iter()
        .enumerate()
        .map(|(i, row)| spell(row, i % 2 == 1))
        .collect();
    Ok(Reply::Json(StatusCode::OK, Value::Array(items)))
}

/// `ireca.receipts.correction`.
pub fn correction_receipts(call: &Call<'_>) -> Result<Reply, IrecaError> {
    filtered(call, |d| &d.correction_receipts)
}

/// `ireca.bank_terminal_logs.list`.
pub fn terminal_logs(call: &Call<'_>) -> Result<Reply, IrecaError> {
    filtered(call, |d| &d.terminal_logs)
}

/// `ireca.fiscal_registrator_logs.list`.
pub fn registrator_logs(call: &Call<'_>) -> Result<Reply, IrecaError> {
    filtered(call, |d| &d.registrator_logs)
}

/// `ireca.atol.replace_settings`: the document's object (not an array), checked against its
/// enums; 201 as the document answers.
pub fn atol_replace(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let body = call.json_object()?;
    if let Some(v) = body.get("settingId") {
        if as_i64(v).is_none() {
            return Err(IrecaError::bad_request(
                "Атрибут settingId должен быть числом.",
            ));
        }
    }
    if let Some(v) = body.get("isProduction") {
        if flag(v).is_none() {
            return Err(IrecaError::bad_request(
                "Атрибут isProduction должен быть 0 или 1.",
            ));
        }
    }
    let company = body.get("company");
    if let Some(c) = company {
        let tax = c.get("taxSystem").and_then(Value::as_str);
        if let Some(t) = tax {
            if !TAX_SYSTEMS.contains(&t) {
                return Err(IrecaError::bad_request(format!(
                    "company.taxSystem должен быть одним из: {}.",
                    TAX_SYSTEMS.join(", ")
                )));
            }
        }
    }
    if let Some(agent) = body.get("agent").filter(|a| !a.is_null()) {
        let kind = agent.get("type").and_then(Value::as_str);
        if !kind.is_some_and(|k| AGENT_TYPES.contains(&k)) {
            return Err(IrecaError::bad_request(format!(
                "agent.type должен быть одним из: {}.",
                AGENT_TYPES.join(", ")
            )));
        }
    }
    if body
        .get("company")
        .and_then(|c| c.get("inn"))
        .is_some_and(|i| decimal(i).is_none())
    {
        return Err(IrecaError::bad_request(
            "company.inn должен состоять из цифр.",
        ));
    }
    call.state.data().atol = Some(Value::Object(body));
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// `ireca.pechka54.get_settings`.
pub fn pechka54(_: &Call<'_>) -> Result<Reply, IrecaError> {
    Ok(Reply::Json(
        StatusCode::OK,
        json!({ "url": "https://pechka54.sandbox.invalid/ireca/v1/" }),
    ))
}
