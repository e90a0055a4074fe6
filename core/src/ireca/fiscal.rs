//! Fiscal documents («Фискальные документы»: payment, refund and correction receipts),
//! remote fiscalisation settings (Atol Online, Pechka54) and the error logs of bank
//! terminals and fiscal registrators.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::wire::{self, model, open_enum, Id};
use crate::transport::Secret;

model! {
    /// A payment or refund receipt of an order (`orderReceipts`, `orderReturnReceipts`:
    /// one shape for both).
    pub struct Receipt {
        /// The order's id in your system.
        order_id: Id = "wire::id",
        /// The registrator's serial number.
        serial_number: String = "wire::text",
        /// Shift number.
        shift_number: String = "wire::text",
        /// Fiscal storage number (ФН).
        r#fn: String = "wire::text",
        /// The receipt's number in the fiscal storage.
        fd_number: String = "wire::text",
        /// The receipt's number at the till.
        receipt_number: String = "wire::text",
        /// Fiscal sign of the document.
        fiscal_sign: String = "wire::text",
        /// When the receipt was printed, UTC.
        date_time_receipt: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// A correction receipt (`correctionReceipts`).
    pub struct CorrectionReceipt {
        /// The receipt's id in iRECA.
        correction_receipt_id: Id = "wire::id",
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// The registrator's serial number.
        serial_number: String = "wire::text",
        /// Amount of the correction, roubles; written as a string (attribute list).
        amount: Decimal = "wire::decimal_text",
        /// When it was printed, UTC.
        command_executed_at: DateTime<Utc> = "wire::time",
    }
}

open_enum! {
    /// Taxation system of Atol Online settings (`company.taxSystem`).
    pub enum TaxSystem {
        /// `osn`: general.
        Osn = "osn",
        /// `usn_income`: simplified, on income.
        UsnIncome = "usn_income",
        /// `usn_income_outcome`: simplified, income minus expenses.
        UsnIncomeOutcome = "usn_income_outcome",
        /// `envd`: imputed income.
        Envd = "envd",
        /// `esn`: unified agricultural tax.
        Esn = "esn",
        /// `patent`: patent system.
        Patent = "patent",
    }
}

open_enum! {
    /// Agent type of Atol Online settings (`agent.type`).
    pub enum AgentType {
        /// `bank_paying_agent`: bank payment agent.
        BankPayingAgent = "bank_paying_agent",
        /// `bank_paying_subagent`: bank payment subagent.
        BankPayingSubagent = "bank_paying_subagent",
        /// `paying_agent`: payment agent.
        PayingAgent = "paying_agent",
        /// `paying_subagent`: payment subagent.
        PayingSubagent = "paying_subagent",
        /// `attorney`: attorney.
        Attorney = "attorney",
        /// `commission_agent`: commission agent.
        CommissionAgent = "commission_agent",
        /// `another`: another kind of agent.
        Another = "another",
    }
}

model! {
    /// Remote fiscalisation with Atol Online (`atolOnlineSettings/replace`). The password
    /// is a [`Secret`]: `Debug` prints `***`.
    pub struct AtolSettings {
        /// The setting's id in your system.
        setting_id: Id = "wire::id",
        /// Atol Online login.
        login: String = "wire::text",
        /// Atol Online password.
        password: Secret = "wire::secret",
        /// Print group.
        kkt_group: String = "wire::text",
        /// Receipts go to the production environment, not the test one; written `0`/`1`.
        is_production: bool = "wire::flag01",
        /// Your company.
        company: AtolCompany = "wire::object",
        /// The agent scheme, only when you work as an agent.
        agent: AtolAgent = "wire::object",
    }
}

model! {
    /// The company of Atol Online settings.
    pub struct AtolCompany {
        /// INN (10 or 12 digits).
        inn: String = "wire::text",
        /// Taxation system.
        tax_system: TaxSystem = "wire::plain",
    }
}

model! {
    /// The agent scheme of Atol Online settings.
    pub struct AtolAgent {
        /// Agent type.
        kind as "type": AgentType = "wire::plain",
    }
}

model! {
    /// Remote fiscalisation with Pechka54 (`pechka54Settings`): the document gives the
    /// attribute only, no example body.
    pub struct Pechka54Settings {
        /// The link that connects Pechka54 to the iRECA server (typed «number» by the
        /// document; a URL in practice: read from either, written as text).
        url: String = "wire::text",
    }
}

model! {
    /// An error of a bank terminal («Ошибки банковского терминала», `bankTerminalLogs`).
    pub struct BankTerminalLog {
        /// The entry's id in iRECA.
        terminal_log_id: Id = "wire::id",
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// Error code.
        error_code: String = "wire::text",
        /// Error text.
        error_text: String = "wire::text",
        /// Card number (masked by the terminal).
        card_number: String = "wire::text",
        /// Payment system.
        payment_system: String = "wire::text",
        /// The terminal's serial number.
        serial_number: String = "wire::text",
        /// Amount, roubles; written as a string (attribute list).
        amount: Decimal = "wire::decimal_text",
        /// The order's id.
        order_id: Id = "wire::id",
        /// When, UTC.
        transaction_created_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// An error of a fiscal registrator («Ошибки фискального регистратора»,
    /// `fiscalRegistratorLogs`).
    pub struct FiscalRegistratorLog {
        /// The entry's id in iRECA.
        fr_id: Id = "wire::id",
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// Error code.
        error_code: String = "wire::text",
        /// Error text.
        error_text: String = "wire::text",
        /// The registrator's serial number.
        serial_number: String = "wire::text",
        /// Amount, roubles; written as a string (attribute list).
        amount: Decimal = "wire::decimal_text",
        /// The order's id.
        order_id: Id = "wire::id",
        /// When, UTC.
        command_executed_at: DateTime<Utc> = "wire::time",
    }
}
