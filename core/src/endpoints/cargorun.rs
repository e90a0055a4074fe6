//! CARGO.RUN Logistics 2.0's typed rows (ENDPOINTS.md § CARGO.RUN, revised to the newest
//! pages in `cargorun/latest/`): the two token calls, the directories (drivers, cars,
//! trailers, counterparties with their contracts and points, legal persons, catalogs),
//! bids, distribution bids, trackers, ETRN titles, the geocoder and the organisation's
//! employees — 74 rows.
//!
//! Paths are written as the Swagger spells them (the service ignores case). Lists take
//! OData (`$filter`, `$orderby`, `$top`, `$skip`, `$count`; `$select`/`$expand` are not
//! supported) and page 50 at a time with the total in `X-MetaCount`: the pages warn that
//! unbounded or heavy queries get the user blocked for a while, so `top` above 50 is
//! refused unless `allow_large_top` is set. Every list also takes `query`, the OData options
//! as one JSON description rendered by [`crate::cargorun::odata`] (the typed builder's own
//! form, for C, 1C and Python). Request bodies are the generated models
//! ([`crate::cargorun::generated`]) where the body is an entity, and named fields where it
//! is a handful of ids; where the pages and the Swagger name a field differently the pages'
//! name is sent (ENDPOINTS.md, «Not specified upstream»).
//!
//! ```
//! use logibridge::endpoints::{cargorun, Location, Paging};
//! assert_eq!(cargorun::SERVICE.endpoints.len(), 74);
//! assert_eq!(cargorun::DRIVERS_LIST.paging, Paging::OData { size: 50 });
//! assert_eq!(cargorun::BIDS_GET.path, "api/bids/Get/{bidId}");
//! assert_eq!(cargorun::BIDS_SET_STATUS.param("bid_id").unwrap().wire, "bidId");
//! ```

use serde_json::{Map, Value};

use super::types::*;
use crate::cargorun::generated as m;
use crate::cargorun::rules;
use crate::error::{Error, Result};

const S: &str = "cargorun";

/// The page size the pages ask for (`$top=50`, «Пагинация и нагрузка»).
pub const PAGE_SIZE: u32 = 50;

const ODATA: Paging = Paging::OData { size: PAGE_SIZE };

/// An answer whose body, if any, is not described: the Apply calls answer the new id, the
/// others often nothing; both are returned as JSON (`null` for nothing).
const DONE: Response = Response::JSON_OR_EMPTY;

macro_rules! models {
    ($($stat:ident: $ty:ident;)*) => {
        $(static $stat: Model = Model::exact::<m::$ty>(stringify!($ty));)*
    };
}

models! {
    DRIVER_EDIT: DriverEditModel;
    DRIVER_LIST: DriverListViewModel;
    CAR_EDIT: CarEditModel;
    CAR_LIST: CarListViewModel;
    CAR_GET: CarGetModel;
    CAR_MILEAGE: CarMileageForPeriodModel;
    TRAILER_EDIT: TrailerEditModel;
    TRAILER_LIST: TrailerListViewModel;
    COUNTERPARTY_EDIT: CounterpartyEditModel;
    COUNTERPARTY_LIST: CounterpartyListModel;
    COUNTERPARTY: CounterpartyModel;
    CONTRACT_EDIT: CounterpartyContractEditModel;
    CONTRACT: CounterpartyContractModel;
    POINT_EDIT: CounterpartyPointEditModel;
    POINT: CounterpartyPointModel;
    LEGAL_PERSON_EDIT: LegalPersonEditModel;
    LEGAL_PERSON: LegalPersonViewModel;
    CATALOG_WITH_ITEMS: CatalogListWithItemsModel;
    CATALOG: CatalogListModel;
    CATALOG_ITEM: CatalogListItemSimpleViewModel;
    BID_EDIT: BidTruckingEditModel;
    BID_PATCH: BidPatchModel;
    BID_FORCE_COMPLETE: BidForceCompleteModel;
    BID_PAYMENT: BidPaymentModel;
    BID_VIEW: BidViewModel;
    BID_FOR_EXTERNAL: BidForExternalSyncModel;
    DISTRIBUTION_BID_EDIT: DistributionBidEditModel;
    DISTRIBUTION_BID_FOR_EXTERNAL: DistributionBidForExternalSyncModel;
    DISTRIBUTION_BID_INFO: ExternalDistributionBidInfoModel;
    DISTRIBUTION_BID_STATUS: ExternalDistributionBidStatusModel;
    DISTRIBUTION_BID_VIEW: DistributionBidViewModel;
    BID_TRUCKING_GET: BidTruckingGetModel;
    TRACKER: TrackerViewModel;
    TRACKER_ATTACH: TrackerAttachModel;
    TITLE: TitleExternalModel;
    TITLE_WITH_REMARKS: TitleWithRemarksExternalModel;
    ADDRESS_SUGGESTIONS: AddressSuggestionsModel;
    USER_SIMPLE: UserSimpleModel;
    USER_ADD: UserAddModel;
    INVITE_USER: InviteUserModel;
    USER_ROLE: AddUserRoleModel;
    LOGIST_SIMPLE: CarLogistSimpleModel;
    LOGIST: CarLogistModel;
    TRAILER_REPLACEMENT: BidTrailerReplacementModel;
    DOCUMENT_ASSIGNMENT: BidDocumentAssignmentModel;
}

// OData query options (ENDPOINTS.md § CARGO.RUN; `$select`/`$expand` are not supported).
const FILTER: Param = Param::new("filter", Location::Query, Type::String).wire("$filter").doc("Фильтр", "OData `$filter` (`updatedAt ge 2026-01-23T21:00:00Z and status eq 'New'`).");
const ORDERBY: Param = Param::new("orderby", Location::Query, Type::String).wire("$orderby").doc("Сортировка", "OData `$orderby` (`updatedAt, id desc`); the pages page by `updatedAt`.");
const TOP: Param = Param::new("top", Location::Query, Type::Integer).wire("$top").range(Some(0), Some(i32::MAX as i64)).doc("Первые", "OData `$top`: at most 50 (the pages: heavy queries get the user blocked) unless `allow_large_top` is set. A walk of all pages sets it itself.");
const SKIP: Param = Param::new("skip", Location::Query, Type::Integer).range(Some(0), Some(i64::MAX)).wire("$skip").doc("Пропустить", "OData `$skip`.");
const COUNT: Param = Param::new("count", Location::Query, Type::Bool).wire("$count").doc("СПодсчётом", "OData `$count`: the total also comes in the `X-MetaCount` header.");
const QUERY: Param = Param::new("query", Location::Library, Type::Json).doc("Запрос", "The OData options as one JSON description, rendered by the library (`cargorun::odata`): `{\"filter\": [\"and\", [\"ge\", \"updatedAt\", {\"datetime\": \"2026-01-23T21:00:00Z\"}], [\"eq\", \"status\", {\"enum\": \"Done\"}]], \"orderby\": [[\"updatedAt\", \"asc\"], [\"id\", \"asc\"]], \"top\": 50, \"skip\": 0, \"count\": true}`. A key given here and as a raw parameter is refused.");
const ALLOW_LARGE_TOP: Param = Param::new("allow_large_top", Location::Library, Type::Bool).default("false").doc("РазрешитьБольшиеСтраницы", "Lets `top` exceed 50. The pages warn that unbounded or heavy queries can get the user blocked for a while: set it only when the service's operator allowed it.");
const WITH_DELETED: Param = Param::new("with_deleted", Location::Query, Type::Bool).wire("withDeleted").doc("СУдалёнными", "Include deleted ones.");

/// The `top` rule before anything is sent: at most 50 unless the caller opted out.
fn check_odata(params: &Map<String, Value>) -> Result<()> {
    let top = params.get("top").and_then(Value::as_i64);
    let allow = params.get("allow_large_top").and_then(Value::as_bool).unwrap_or(false);
    rules::check_top(top, allow).map_err(Error::from)
}

/// A list call: OData, pages of 50, the total in `X-MetaCount` (`$extra` are its own
/// query parameters).
macro_rules! list {
    ($(#[$doc:meta])* $name:ident = $id:literal, $path:literal, $model:ident $(in $envelope:literal)?, $summary:literal, $python:literal, $en:literal, $ru:literal $(, $extra:expr)* $(,)?) => {
        $(#[$doc])*
        pub const $name: &Endpoint = &Endpoint {
            summary: $summary,
            params: &[$($extra,)* FILTER, ORDERBY, TOP, SKIP, COUNT, ALLOW_LARGE_TOP, QUERY],
            check: Some(check_odata),
            response: Response { count_header: Some("X-MetaCount"), ..Response::list(&$model, list!(@env $($envelope)?)) },
            paging: ODATA,
            names: FaceNames { python: $python, onec_en: $en, onec_ru: $ru },
            ..Endpoint::new($id, S, Method::Get, $path)
        };
    };
    (@env) => { None };
    (@env $e:literal) => { Some($e) };
}

/// A POST whose body is one entity of a generated model, checked by `$check`.
macro_rules! post_model {
    ($(#[$doc:meta])* $name:ident = $id:literal, $path:literal, $param:literal ($param_ru:literal): $model:ident, $summary:literal, $python:literal, $en:literal, $ru:literal $(, check $check:path)? $(,)?) => {
        $(#[$doc])*
        pub const $name: &Endpoint = &Endpoint {
            summary: $summary,
            params: &[Param::new($param, Location::Body, Type::Model(&$model)).required().doc($param_ru, concat!("The `", stringify!($model), "` to send (wire names, camelCase)."))],
            body: BodyKind::Whole,
            $(check: Some($check),)?
            response: DONE,
            names: FaceNames { python: $python, onec_en: $en, onec_ru: $ru },
            ..Endpoint::new($id, S, Method::Post, $path)
        };
    };
}

/// A POST whose body is a few named fields.
macro_rules! post_fields {
    ($(#[$doc:meta])* $name:ident = $id:literal, $path:literal, [$($param:expr),* $(,)?], $summary:literal, $python:literal, $en:literal, $ru:literal $(, idempotent $idem:literal)? $(, response $response:expr)? $(, check $check:path)? $(,)?) => {
        $(#[$doc])*
        pub const $name: &Endpoint = &Endpoint {
            summary: $summary,
            params: &[$($param),*],
            body: BodyKind::Object,
            $(check: Some($check),)?
            response: post_fields!(@response $($response)?),
            $(idempotent: $idem,)?
            names: FaceNames { python: $python, onec_en: $en, onec_ru: $ru },
            ..Endpoint::new($id, S, Method::Post, $path)
        };
    };
    (@response) => { DONE };
    (@response $r:expr) => { $r };
}

const fn body_id(name: &'static str, wire: &'static str, ru: &'static str, doc: &'static str) -> Param {
    Param::new(name, Location::BodyField, Type::Integer).wire(wire).required().range(Some(1), Some(i64::MAX)).doc(ru, doc)
}

const ID: Param = body_id("id", "id", "Идентификатор", "The object's id.");
const BID_ID: Param = body_id("bid_id", "bidId", "ИдентификаторЗаявки", "The bid's id (the pages' name `bidId`).");
const USER_ID: Param = body_id("user_id", "userId", "ИдентификаторПользователя", "The user's id.");
const COUNTERPARTY_ID_BODY: Param = body_id("counterparty_id", "counterpartyId", "ИдентификаторКонтрагента", "The counterparty's id.");
const COUNTERPARTY_ID_QUERY: Param = Param::new("counterparty_id", Location::Query, Type::Integer).wire("counterpartyId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторКонтрагента", "The counterparty's id.");
const PATH_ID: Param = Param::new("id", Location::Path, Type::Integer).required().range(Some(1), Some(i64::MAX)).doc("Идентификатор", "The object's id.");

/// Bid statuses (`BidStatus`, statuses.md) as the service names them.
pub const BID_STATUSES: &[&str] = &["New", "Planned", "Started", "Canceled", "Done"];
/// ETRN title statuses (`WaybillTitleStatus`, latest/api/etrn.md; the Swagger's older
/// four-value `TitleStatus` is not sent).
pub const TITLE_STATUSES: &[&str] = &["ReceivedOrCreated", "Accepted", "Signed", "Sent", "Processed", "Declined", "Failed"];

/// `cargorun.auth.generate_token` (POST `api/Account/GenerateToken`): signs in with a user
/// name and a password. The service answers 429 when it is called too often (auth.md §3.3):
/// the client calls it once and renews with [`AUTH_REFRESH_TOKEN`] (see
/// [`crate::transport::JwtAuth`]). Called by id, the client's session answers it: the
/// answer comes back with its tokens as `***` (they never reach a caller's output), the
/// client adopts them when the user name and password are its own, and a cooldown after a
/// 429 holds here too.
pub const AUTH_GENERATE_TOKEN: &Endpoint = &Endpoint {
    summary: "Signs in: an access token (30 min) and a refresh token, returned as *** and kept by the client. Not for regular use (429 when called too often).",
    params: &[
        Param::new("user_name", Location::BodyField, Type::String).wire("userName").required().doc("ИмяПользователя", "The user name (auth.md §3.1)."),
        Param::new("password", Location::BodyField, Type::String).required().doc("Пароль", "The password (auth.md §3.1)."),
        Param::new("code", Location::BodyField, Type::String).doc("Код", "A driver's sign-in code; integrations leave it out (auth.md §3.1)."),
    ],
    body: BodyKind::Object,
    auth: false,
    names: FaceNames { python: "auth.generate_token", onec_en: "GenerateToken", onec_ru: "ПолучитьТокен" },
    ..Endpoint::new("cargorun.auth.generate_token", S, Method::Post, "api/Account/GenerateToken")
};

/// `cargorun.auth.refresh_token` (POST `api/Account/RefreshToken`): a new access token for
/// the old one and the refresh token (auth.md §4). Called by id with `***` for both tokens,
/// it renews the client's own session; the answer's tokens come back as `***`.
pub const AUTH_REFRESH_TOKEN: &Endpoint = &Endpoint {
    summary: "Renews the access token with the refresh token (*** for both: the client's own); the new tokens are returned as *** and kept by the client.",
    params: &[
        Param::new("access_token", Location::BodyField, Type::String).wire("accessToken").required().doc("ТокенДоступа", "The access token that expires (auth.md §4.1); `***`: the client's own."),
        Param::new("refresh_token", Location::BodyField, Type::String).wire("refreshToken").required().doc("ТокенОбновления", "The refresh token from the sign-in (auth.md §4.1); `***`: the client's own."),
    ],
    body: BodyKind::Object,
    auth: false,
    names: FaceNames { python: "auth.refresh_token", onec_en: "RefreshToken", onec_ru: "ОбновитьТокен" },
    ..Endpoint::new("cargorun.auth.refresh_token", S, Method::Post, "api/Account/RefreshToken")
};


// ---- drivers, cars, trailers (latest/api/directories.md) ----

post_model! {
    /// `cargorun.drivers.apply` (POST `api/Driver/Apply`): `id` 0 creates, > 0 updates.
    DRIVERS_APPLY = "cargorun.drivers.apply", "api/Driver/Apply", "driver" ("Водитель"): DRIVER_EDIT,
    "Creates (id 0) or updates a driver.", "drivers.apply", "ApplyDriver", "ЗаписатьВодителя", check check_driver
}
post_fields! {
    /// `cargorun.drivers.delete` (POST `api/Driver/Delete`): refused while the driver has active bids.
    DRIVERS_DELETE = "cargorun.drivers.delete", "api/Driver/Delete", [ID],
    "Deletes a driver (refused while the driver has active bids).", "drivers.delete", "DeleteDriver", "УдалитьВодителя"
}
post_fields! {
    /// `cargorun.drivers.restore` (POST `api/Driver/Restore`).
    DRIVERS_RESTORE = "cargorun.drivers.restore", "api/Driver/Restore", [ID],
    "Restores a deleted driver.", "drivers.restore", "RestoreDriver", "ВосстановитьВодителя", idempotent true
}
list! {
    /// `cargorun.drivers.list` (GET `api/Driver/GetList`, OData).
    DRIVERS_LIST = "cargorun.drivers.list", "api/Driver/GetList", DRIVER_LIST,
    "The drivers, 50 at a time.", "drivers.list", "Drivers", "Водители",
    Param::new("check_online", Location::Query, Type::Bool).wire("checkOnline").doc("ПроверятьВСети", "Also tell whether each driver's app is online."),
    WITH_DELETED,
}
post_model! {
    /// `cargorun.cars.apply` (POST `api/Car/Apply`).
    CARS_APPLY = "cargorun.cars.apply", "api/Car/Apply", "car" ("Автомобиль"): CAR_EDIT,
    "Creates (id 0) or updates a car.", "cars.apply", "ApplyCar", "ЗаписатьАвтомобиль", check check_car
}
post_fields! {
    /// `cargorun.cars.delete` (POST `api/Car/Delete`).
    CARS_DELETE = "cargorun.cars.delete", "api/Car/Delete", [ID],
    "Deletes a car.", "cars.delete", "DeleteCar", "УдалитьАвтомобиль"
}
list! {
    /// `cargorun.cars.list` (GET `api/Car/GetList`, OData).
    CARS_LIST = "cargorun.cars.list", "api/Car/GetList", CAR_LIST,
    "The cars, 50 at a time.", "cars.list", "Cars", "Автомобили",
}
/// `cargorun.cars.get_for_edit` (GET `api/Car/GetForEdit?Id=`).
pub const CARS_GET_FOR_EDIT: &Endpoint = &Endpoint {
    summary: "One car with everything an edit needs.",
    params: &[Param::new("id", Location::Query, Type::Integer).wire("Id").required().range(Some(1), Some(i64::MAX)).doc("Идентификатор", "The car's id.")],
    response: Response::one(&CAR_GET),
    names: FaceNames { python: "cars.get_for_edit", onec_en: "GetCarForEdit", onec_ru: "ПолучитьАвтомобильДляИзменения" },
    ..Endpoint::new("cargorun.cars.get_for_edit", S, Method::Get, "api/Car/GetForEdit")
};
/// `cargorun.cars.mileage` (GET `api/Car/GetCarMileageForPeriod?CarId=&Start=&End=`): the
/// pages give `start` and `end` without a time zone (directories.md), so they are sent as
/// given, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, and one with a zone is refused.
pub const CARS_MILEAGE: &Endpoint = &Endpoint {
    summary: "A car's mileage over a period (dates without a time zone, as the pages say).",
    params: &[
        Param::new("car_id", Location::Query, Type::Integer).wire("CarId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторАвтомобиля", "The car's id."),
        Param::new("start", Location::Query, Type::String).wire("Start").required().doc("Начало", "Start of the period, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, no time zone (directories.md)."),
        Param::new("end", Location::Query, Type::String).wire("End").required().doc("Конец", "End of the period, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, no time zone (directories.md)."),
    ],
    check: Some(check_mileage_period),
    response: Response::one(&CAR_MILEAGE),
    names: FaceNames { python: "cars.mileage", onec_en: "CarMileage", onec_ru: "ПробегАвтомобиля" },
    ..Endpoint::new("cargorun.cars.mileage", S, Method::Get, "api/Car/GetCarMileageForPeriod")
};
post_model! {
    /// `cargorun.trailers.apply` (POST `api/Trailer/Apply`).
    TRAILERS_APPLY = "cargorun.trailers.apply", "api/Trailer/Apply", "trailer" ("Прицеп"): TRAILER_EDIT,
    "Creates (id 0) or updates a trailer.", "trailers.apply", "ApplyTrailer", "ЗаписатьПрицеп", check check_trailer
}
post_fields! {
    /// `cargorun.trailers.delete` (POST `api/Trailer/Delete`).
    TRAILERS_DELETE = "cargorun.trailers.delete", "api/Trailer/Delete", [ID],
    "Deletes a trailer.", "trailers.delete", "DeleteTrailer", "УдалитьПрицеп"
}
list! {
    /// `cargorun.trailers.list` (GET `api/Trailer/GetList`, OData).
    TRAILERS_LIST = "cargorun.trailers.list", "api/Trailer/GetList", TRAILER_LIST,
    "The trailers, 50 at a time.", "trailers.list", "Trailers", "Прицепы", WITH_DELETED,
}

// ---- counterparties, contracts, points (latest/api/counterparties.md) ----

post_model! {
    /// `cargorun.counterparties.apply` (POST `api/CargoOwnerDictionary/Apply`).
    COUNTERPARTIES_APPLY = "cargorun.counterparties.apply", "api/CargoOwnerDictionary/Apply", "counterparty" ("Контрагент"): COUNTERPARTY_EDIT,
    "Creates (id 0) or updates a counterparty.", "counterparties.apply", "ApplyCounterparty", "ЗаписатьКонтрагента", check check_counterparty
}
post_fields! {
    /// `cargorun.counterparties.delete` (POST `api/CargoOwnerDictionary/Delete`, body `{id}`).
    COUNTERPARTIES_DELETE = "cargorun.counterparties.delete", "api/CargoOwnerDictionary/Delete", [ID],
    "Deletes a counterparty.", "counterparties.delete", "DeleteCounterparty", "УдалитьКонтрагента"
}
list! {
    /// `cargorun.counterparties.list` (GET `api/CargoOwnerDictionary/Get`, OData, `X-MetaCount`).
    COUNTERPARTIES_LIST = "cargorun.counterparties.list", "api/CargoOwnerDictionary/Get", COUNTERPARTY_LIST,
    "The counterparties, 50 at a time.", "counterparties.list", "Counterparties", "Контрагенты",
    WITH_DELETED,
    Param::new("only_insolvent", Location::Query, Type::Bool).wire("onlyInsolvent").doc("ТолькоНеплатёжеспособные", "Only counterparties marked insolvent."),
}
/// `cargorun.counterparties.get` (GET `api/CargoOwnerDictionary/Get({id})`).
pub const COUNTERPARTIES_GET: &Endpoint = &Endpoint {
    summary: "One counterparty.",
    params: &[PATH_ID],
    response: Response::one(&COUNTERPARTY),
    names: FaceNames { python: "counterparties.get", onec_en: "GetCounterparty", onec_ru: "ПолучитьКонтрагента" },
    ..Endpoint::new("cargorun.counterparties.get", S, Method::Get, "api/CargoOwnerDictionary/Get({id})")
};
post_model! {
    /// `cargorun.contracts.apply` (POST `api/CargoOwnerDictionary/ApplyContract`; `date` is date-only).
    CONTRACTS_APPLY = "cargorun.contracts.apply", "api/CargoOwnerDictionary/ApplyContract", "contract" ("Договор"): CONTRACT_EDIT,
    "Creates (id 0) or updates a counterparty's contract.", "contracts.apply", "ApplyContract", "ЗаписатьДоговор", check check_contract
}
list! {
    /// `cargorun.contracts.list` (GET `api/CargoOwnerDictionary/GetContracts?counterpartyId=`, OData; `{totalCount, collection}`).
    CONTRACTS_LIST = "cargorun.contracts.list", "api/CargoOwnerDictionary/GetContracts", CONTRACT in "collection",
    "A counterparty's contracts, 50 at a time.", "contracts.list", "Contracts", "Договоры", COUNTERPARTY_ID_QUERY,
}
/// `cargorun.contracts.get` (GET `api/CargoOwnerDictionary/GetContract?counterpartyId=&contractId=`).
pub const CONTRACTS_GET: &Endpoint = &Endpoint {
    summary: "One contract of a counterparty.",
    params: &[COUNTERPARTY_ID_QUERY, Param::new("contract_id", Location::Query, Type::Integer).wire("contractId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторДоговора", "The contract's id.")],
    response: Response::one(&CONTRACT),
    names: FaceNames { python: "contracts.get", onec_en: "GetContract", onec_ru: "ПолучитьДоговор" },
    ..Endpoint::new("cargorun.contracts.get", S, Method::Get, "api/CargoOwnerDictionary/GetContract")
};
post_fields! {
    /// `cargorun.contracts.delete` (POST `api/CargoOwnerDictionary/DeleteContract`, body `{id, counterpartyId}`).
    CONTRACTS_DELETE = "cargorun.contracts.delete", "api/CargoOwnerDictionary/DeleteContract", [ID, COUNTERPARTY_ID_BODY],
    "Deletes a counterparty's contract.", "contracts.delete", "DeleteContract", "УдалитьДоговор"
}
post_model! {
    /// `cargorun.counterparty_points.apply` (POST `api/CargoOwnerDictionary/ApplyCounterpartyPoint`).
    COUNTERPARTY_POINTS_APPLY = "cargorun.counterparty_points.apply", "api/CargoOwnerDictionary/ApplyCounterpartyPoint", "point" ("Точка"): POINT_EDIT,
    "Creates (id 0) or updates a counterparty's point (address).", "counterparty_points.apply", "ApplyCounterpartyPoint", "ЗаписатьТочкуКонтрагента", check check_counterparty_point
}
list! {
    /// `cargorun.counterparty_points.list` (GET `api/CargoOwnerDictionary/GetCounterpartyPoints?counterpartyId=`, OData; `{totalCount, collection}`).
    COUNTERPARTY_POINTS_LIST = "cargorun.counterparty_points.list", "api/CargoOwnerDictionary/GetCounterpartyPoints", POINT in "collection",
    "A counterparty's points, 50 at a time.", "counterparty_points.list", "CounterpartyPoints", "ТочкиКонтрагента", COUNTERPARTY_ID_QUERY,
}
/// `cargorun.counterparty_points.get` (GET `api/CargoOwnerDictionary/GetCounterpartyPoint/{id}`).
pub const COUNTERPARTY_POINTS_GET: &Endpoint = &Endpoint {
    summary: "One counterparty point.",
    params: &[PATH_ID],
    response: Response::one(&POINT),
    names: FaceNames { python: "counterparty_points.get", onec_en: "GetCounterpartyPoint", onec_ru: "ПолучитьТочкуКонтрагента" },
    ..Endpoint::new("cargorun.counterparty_points.get", S, Method::Get, "api/CargoOwnerDictionary/GetCounterpartyPoint/{id}")
};
post_fields! {
    /// `cargorun.counterparty_points.delete` (POST `api/CargoOwnerDictionary/DeleteCounterpartyPoint`, body `{id}`).
    COUNTERPARTY_POINTS_DELETE = "cargorun.counterparty_points.delete", "api/CargoOwnerDictionary/DeleteCounterpartyPoint", [ID],
    "Deletes a counterparty point.", "counterparty_points.delete", "DeleteCounterpartyPoint", "УдалитьТочкуКонтрагента"
}
post_fields! {
    /// `cargorun.counterparty_points.restore` (POST `api/CargoOwnerDictionary/RestoreCounterpartyPoint`): the pages give no
    /// body; the Swagger's `RestoreCounterpartyPointContext` is `{id, counterpartyId}` (its `instanceId` and `compoundKey` are read-only).
    COUNTERPARTY_POINTS_RESTORE = "cargorun.counterparty_points.restore", "api/CargoOwnerDictionary/RestoreCounterpartyPoint", [ID, COUNTERPARTY_ID_BODY],
    "Restores a deleted counterparty point.", "counterparty_points.restore", "RestoreCounterpartyPoint", "ВосстановитьТочкуКонтрагента", idempotent true
}
post_model! {
    /// `cargorun.legal_persons.apply` (POST `api/LegalPersons/Apply`).
    LEGAL_PERSONS_APPLY = "cargorun.legal_persons.apply", "api/LegalPersons/Apply", "legal_person" ("ЮрЛицо"): LEGAL_PERSON_EDIT,
    "Creates (id 0) or updates one of your legal persons.", "legal_persons.apply", "ApplyLegalPerson", "ЗаписатьЮрЛицо", check check_legal_person
}
post_fields! {
    /// `cargorun.legal_persons.delete` (POST `api/LegalPersons/Delete`).
    LEGAL_PERSONS_DELETE = "cargorun.legal_persons.delete", "api/LegalPersons/Delete", [ID],
    "Deletes a legal person.", "legal_persons.delete", "DeleteLegalPerson", "УдалитьЮрЛицо"
}
list! {
    /// `cargorun.legal_persons.list` (GET `api/LegalPersons/GetList`, OData).
    LEGAL_PERSONS_LIST = "cargorun.legal_persons.list", "api/LegalPersons/GetList", LEGAL_PERSON,
    "Your legal persons, 50 at a time.", "legal_persons.list", "LegalPersons", "ЮрЛица", WITH_DELETED,
}

// ---- catalogs (latest/api/custom-catalogs.md, directories.md) ----

list! {
    /// `cargorun.catalogs.get_simple` (GET `api/Catalogs/GetSimple`, OData): catalogs with their items.
    CATALOGS_GET_SIMPLE = "cargorun.catalogs.get_simple", "api/Catalogs/GetSimple", CATALOG_WITH_ITEMS,
    "Catalogs with their items (obsolete ones with show_obsolete).", "catalogs.get_simple", "CatalogsSimple", "СправочникиКратко",
    Param::new("show_obsolete", Location::Query, Type::Bool).wire("showObsolete").doc("ПоказыватьУстаревшие", "Include obsolete items (custom-catalogs.md)."),
    Param::new("type", Location::Query, Type::String).doc("Тип", "The catalog's type (directories.md: `type`/`catalogType`)."),
}
list! {
    /// `cargorun.catalogs.get` (GET `api/Catalogs/Get`, OData): catalogs with their items.
    CATALOGS_GET = "cargorun.catalogs.get", "api/Catalogs/Get", CATALOG_WITH_ITEMS,
    "Custom catalogs with their items.", "catalogs.get", "CatalogsWithItems", "СправочникиСЭлементами",
}
list! {
    /// `cargorun.catalogs.list` (GET `api/Catalogs/GetCatalogs`, OData): catalogs without items.
    CATALOGS_LIST = "cargorun.catalogs.list", "api/Catalogs/GetCatalogs", CATALOG,
    "Custom catalogs without their items.", "catalogs.list", "Catalogs", "Справочники",
}
list! {
    /// `cargorun.catalogs.items` (GET `api/Catalogs/GetItems`, OData): `$filter=id eq N` resolves a
    /// `typeOptions[].id` to its `displayName` (custom-catalogs.md).
    CATALOGS_ITEMS = "cargorun.catalogs.items", "api/Catalogs/GetItems", CATALOG_ITEM,
    "Catalog items (filter `id eq N` resolves a typeOptions id to its displayName).", "catalogs.items", "CatalogItems", "ЭлементыСправочников", WITH_DELETED,
}

// ---- bids (latest/api/bids.md, statuses.md) ----

post_model! {
    /// `cargorun.bids.apply` (POST `api/TruckingBids/Apply`): `id` 0 creates. The required
    /// fields differ for empty-mileage bids ([`rules::check_bid`]).
    BIDS_APPLY = "cargorun.bids.apply", "api/TruckingBids/Apply", "bid" ("Заявка"): BID_EDIT,
    "Creates (id 0) or updates a trucking bid (at least a loading and an unloading point).", "bids.apply", "ApplyBid", "ЗаписатьЗаявку", check check_bid
}
post_model! {
    /// `cargorun.bids.patch` (POST `api/TruckingBids/Patch`): the fields given change; a
    /// nested array (`bidPoints`) is sent whole.
    BIDS_PATCH = "cargorun.bids.patch", "api/TruckingBids/Patch", "patch" ("Изменения"): BID_PATCH,
    "Changes some fields of a bid (nested arrays are sent whole).", "bids.patch", "PatchBid", "ИзменитьЗаявку", check check_bid_patch
}
post_fields! {
    /// `cargorun.bids.set_status` (POST `api/TruckingBids/SetStatus`, body `{bidId, status}` as in the pages).
    BIDS_SET_STATUS = "cargorun.bids.set_status", "api/TruckingBids/SetStatus",
    [BID_ID, Param::new("status", Location::BodyField, Type::Enum(BID_STATUSES)).required().doc("Статус", "The new status (statuses.md): New, Planned, Started, Canceled, Done.")],
    "Moves a bid to another status (statuses.md).", "bids.set_status", "SetBidStatus", "УстановитьСтатусЗаявки"
}
post_model! {
    /// `cargorun.bids.force_complete` (POST `api/TruckingBids/ForceComplete`): completes a bid
    /// with the logist's fact times and mileage.
    BIDS_FORCE_COMPLETE = "cargorun.bids.force_complete", "api/TruckingBids/ForceComplete", "completion" ("Завершение"): BID_FORCE_COMPLETE,
    "Completes a bid by hand (fact times per point, mileage).", "bids.force_complete", "ForceCompleteBid", "ЗавершитьЗаявкуПринудительно"
}
post_fields! {
    /// `cargorun.bids.revert` (POST `api/TruckingBids/Revert`): back to New.
    BIDS_REVERT = "cargorun.bids.revert", "api/TruckingBids/Revert", [BID_ID],
    "Returns a bid to New.", "bids.revert", "RevertBid", "ВернутьЗаявку"
}
post_fields! {
    /// `cargorun.bids.apply_payment` (POST `api/TruckingBids/ApplyBidPayment`, body `{bidId, payment}`;
    /// replaces the older `bids/setpaymentstatus`; the payment's dates are date-only).
    BIDS_APPLY_PAYMENT = "cargorun.bids.apply_payment", "api/TruckingBids/ApplyBidPayment",
    [BID_ID, Param::new("payment", Location::BodyField, Type::Model(&BID_PAYMENT)).required().doc("Оплата", "`{paymentStatus (NotPaid|PartiallyPaid|Paid|Expired), factPaymentDate, planPaymentDate, invoiceDate, remainingPayment, comment}`; dates `YYYY-MM-DD` (bids.md).")],
    "Sets a bid's payment status and dates.", "bids.apply_payment", "ApplyBidPayment", "ЗаписатьОплатуЗаявки", idempotent true, check check_payment
}
/// `cargorun.bids.trailer_replacements` (GET `api/TruckingBids/GetTrailerReplacements?bidId=`;
/// not in the Swagger: bids.md).
pub const BIDS_TRAILER_REPLACEMENTS: &Endpoint = &Endpoint {
    summary: "A bid's trailer replacements («перецепки»).",
    params: &[Param::new("bid_id", Location::Query, Type::Integer).wire("bidId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The bid's id.")],
    response: Response::list(&TRAILER_REPLACEMENT, None),
    names: FaceNames { python: "bids.trailer_replacements", onec_en: "BidTrailerReplacements", onec_ru: "ПерецепкиЗаявки" },
    ..Endpoint::new("cargorun.bids.trailer_replacements", S, Method::Get, "api/TruckingBids/GetTrailerReplacements")
};
post_fields! {
    /// `cargorun.bids.cancel` (POST `api/Bids/Cancel`).
    BIDS_CANCEL = "cargorun.bids.cancel", "api/Bids/Cancel", [BID_ID],
    "Cancels a bid.", "bids.cancel", "CancelBid", "ОтменитьЗаявку"
}
post_fields! {
    /// `cargorun.bids.delete` (POST `api/Bids/Delete`): only from New.
    BIDS_DELETE = "cargorun.bids.delete", "api/Bids/Delete", [BID_ID],
    "Deletes a bid (only a New one).", "bids.delete", "DeleteBid", "УдалитьЗаявку"
}
post_fields! {
    /// `cargorun.bids.restore` (POST `api/Bids/Restore`, body `{bidId}` as in the pages; the Swagger writes `{id}`).
    BIDS_RESTORE = "cargorun.bids.restore", "api/Bids/Restore", [BID_ID],
    "Restores a deleted bid.", "bids.restore", "RestoreBid", "ВосстановитьЗаявку", idempotent true
}
/// `cargorun.bids.get` (GET `api/bids/Get/{bidId}`): the pages write `?id=`, the Swagger and
/// clients in use put the id in the path, which is sent (ENDPOINTS.md).
pub const BIDS_GET: &Endpoint = &Endpoint {
    summary: "One bid.",
    params: &[
        Param::new("bid_id", Location::Path, Type::Integer).wire("bidId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The bid's id."),
        Param::new("main_data_only", Location::Query, Type::Bool).wire("MainDataOnly").doc("ТолькоОсновное", "Only the main data (no points, cargos, documents)."),
    ],
    response: Response::one(&BID_VIEW),
    names: FaceNames { python: "bids.get", onec_en: "GetBid", onec_ru: "ПолучитьЗаявку" },
    ..Endpoint::new("cargorun.bids.get", S, Method::Get, "api/bids/Get/{bidId}")
};
list! {
    /// `cargorun.bids.list_for_external` (GET `api/bids/GetListForExternal`, OData, `X-MetaCount`):
    /// the incremental sync's source (sync.md).
    BIDS_LIST_FOR_EXTERNAL = "cargorun.bids.list_for_external", "api/bids/GetListForExternal", BID_FOR_EXTERNAL,
    "Bids for an external system, 50 at a time (filter by updatedAt to sync).", "bids.list_for_external", "BidsForExternal", "ЗаявкиДляВнешнейСистемы",
}
/// `cargorun.bids.documents` (GET `api/bids/GetBidDocumentAssignmentsForBid?bidId=`; not in
/// the Swagger: bids.md §5.1).
pub const BIDS_DOCUMENTS: &Endpoint = &Endpoint {
    summary: "The documents (external files) attached to a bid.",
    params: &[Param::new("bid_id", Location::Query, Type::Integer).wire("bidId").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The bid's id.")],
    response: Response::list(&DOCUMENT_ASSIGNMENT, None),
    names: FaceNames { python: "bids.documents", onec_en: "BidDocuments", onec_ru: "ДокументыЗаявки" },
    ..Endpoint::new("cargorun.bids.documents", S, Method::Get, "api/bids/GetBidDocumentAssignmentsForBid")
};

// ---- distribution bids (latest/api/distribution-bids.md) ----

static DISTRIBUTION_BID_ITEM: Type = Type::Model(&DISTRIBUTION_BID_EDIT);

post_fields! {
    /// `cargorun.distribution_bids.apply` (POST `api/DistributionBids/Apply`, body `{"items": [...]}`).
    DISTRIBUTION_BIDS_APPLY = "cargorun.distribution_bids.apply", "api/DistributionBids/Apply",
    [Param::new("items", Location::BodyField, Type::Array(&DISTRIBUTION_BID_ITEM)).required().doc("Заказы", "The distribution bids (`DistributionBidEditModel`), each with `id` and `externalStatus`.")],
    "Creates or updates distribution bids (orders to distribute).", "distribution_bids.apply", "ApplyDistributionBids", "ЗаписатьЗаказыНаРаспределение", check check_distribution_bids
}
list! {
    /// `cargorun.distribution_bids.list_for_external` (GET `api/DistributionBids/GetListForExternal`, OData, `X-MetaCount`).
    DISTRIBUTION_BIDS_LIST_FOR_EXTERNAL = "cargorun.distribution_bids.list_for_external", "api/DistributionBids/GetListForExternal", DISTRIBUTION_BID_FOR_EXTERNAL,
    "Distribution bids for an external system, 50 at a time.", "distribution_bids.list_for_external", "DistributionBidsForExternal", "ЗаказыДляВнешнейСистемы",
}
/// `cargorun.distribution_bids.external_info` (GET `api/DistributionBids/GetListOfExternalInfo?CarId=&BidId=`;
/// gone from the newest pages, still in the Swagger).
pub const DISTRIBUTION_BIDS_EXTERNAL_INFO: &Endpoint = &Endpoint {
    summary: "External info of distribution bids by car or bid (Swagger only now).",
    params: &[
        Param::new("car_id", Location::Query, Type::Integer).wire("CarId").range(Some(1), Some(i64::MAX)).doc("ИдентификаторАвтомобиля", "A car's id."),
        Param::new("bid_id", Location::Query, Type::Integer).wire("BidId").range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "A bid's id."),
    ],
    response: Response::list(&DISTRIBUTION_BID_INFO, None),
    names: FaceNames { python: "distribution_bids.external_info", onec_en: "DistributionBidsExternalInfo", onec_ru: "ВнешниеДанныеЗаказов" },
    ..Endpoint::new("cargorun.distribution_bids.external_info", S, Method::Get, "api/DistributionBids/GetListOfExternalInfo")
};
list! {
    /// `cargorun.distribution_bids.external_statuses` (GET `api/DistributionBids/GetListForExternalStatuses?Ids=`, OData).
    DISTRIBUTION_BIDS_EXTERNAL_STATUSES = "cargorun.distribution_bids.external_statuses", "api/DistributionBids/GetListForExternalStatuses", DISTRIBUTION_BID_STATUS,
    "The external statuses of distribution bids.", "distribution_bids.external_statuses", "DistributionBidsExternalStatuses", "ВнешниеСтатусыЗаказов",
    Param::new("ids", Location::Query, Type::Integer).wire("Ids").repeated().range(Some(1), Some(i64::MAX)).doc("Идентификаторы", "The distribution bids' ids (repeated)."),
}
/// `cargorun.distribution_bids.get` (GET `api/DistributionBids/Get/{id}`).
pub const DISTRIBUTION_BIDS_GET: &Endpoint = &Endpoint {
    summary: "One distribution bid.",
    params: &[PATH_ID],
    response: Response::one(&DISTRIBUTION_BID_VIEW),
    names: FaceNames { python: "distribution_bids.get", onec_en: "GetDistributionBid", onec_ru: "ПолучитьЗаказ" },
    ..Endpoint::new("cargorun.distribution_bids.get", S, Method::Get, "api/DistributionBids/Get/{id}")
};
/// `cargorun.distribution_bids.get_for_bid` (GET `api/DistributionBids/GetForBid/{id}`): the
/// order linked to a trucking bid, by the bid's id (distribution-bids.md: «`id` —
/// идентификатор заявки»); read as the Swagger's `BidTruckingGetModel`, whatever else comes
/// kept.
pub const DISTRIBUTION_BIDS_GET_FOR_BID: &Endpoint = &Endpoint {
    summary: "The distribution bid (order) linked to a trucking bid, by the bid's id.",
    params: &[Param::new("bid_id", Location::Path, Type::Integer).wire("id").required().range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The trucking bid's id (distribution-bids.md).")],
    response: Response::one(&BID_TRUCKING_GET),
    names: FaceNames { python: "distribution_bids.get_for_bid", onec_en: "GetDistributionBidForBid", onec_ru: "ПолучитьЗаказПоЗаявке" },
    ..Endpoint::new("cargorun.distribution_bids.get_for_bid", S, Method::Get, "api/DistributionBids/GetForBid/{id}")
};
post_fields! {
    /// `cargorun.distribution_bids.cancel` (POST `api/DistributionBids/Cancel`, body `{id, comment}`
    /// as in the newest pages; the Swagger writes `cancelComment`).
    DISTRIBUTION_BIDS_CANCEL = "cargorun.distribution_bids.cancel", "api/DistributionBids/Cancel",
    [ID, Param::new("comment", Location::BodyField, Type::String).doc("Комментарий", "Why it is cancelled (distribution-bids.md).")],
    "Cancels a distribution bid.", "distribution_bids.cancel", "CancelDistributionBid", "ОтменитьЗаказ"
}
post_fields! {
    /// `cargorun.distribution_bids.delete` (POST `api/DistributionBids/Delete`).
    DISTRIBUTION_BIDS_DELETE = "cargorun.distribution_bids.delete", "api/DistributionBids/Delete", [ID],
    "Deletes a distribution bid.", "distribution_bids.delete", "DeleteDistributionBid", "УдалитьЗаказ"
}
post_fields! {
    /// `cargorun.distribution_bids.restore` (POST `api/DistributionBids/Restore`).
    DISTRIBUTION_BIDS_RESTORE = "cargorun.distribution_bids.restore", "api/DistributionBids/Restore", [ID],
    "Restores a deleted distribution bid.", "distribution_bids.restore", "RestoreDistributionBid", "ВосстановитьЗаказ", idempotent true
}
post_fields! {
    /// `cargorun.distribution_bids.revert` (POST `api/DistributionBids/Revert`): brings a cancelled
    /// order back (distribution-bids.md: «Возврат отмененного заказа»).
    DISTRIBUTION_BIDS_REVERT = "cargorun.distribution_bids.revert", "api/DistributionBids/Revert", [ID],
    "Brings a cancelled distribution bid back.", "distribution_bids.revert", "RevertDistributionBid", "ВернутьЗаказ"
}

// ---- trackers, ETRN, map (latest/api/trackers.md, etrn.md) ----

list! {
    /// `cargorun.trackers.list` (GET `api/Trackers/Get`, OData).
    TRACKERS_LIST = "cargorun.trackers.list", "api/Trackers/Get", TRACKER,
    "The trackers, 50 at a time.", "trackers.list", "Trackers", "Трекеры", WITH_DELETED,
}
post_model! {
    /// `cargorun.trackers.attach` (POST `api/Trackers/Attach`): `entityId: null` detaches.
    TRACKERS_ATTACH = "cargorun.trackers.attach", "api/Trackers/Attach", "attachment" ("Привязка"): TRACKER_ATTACH,
    "Attaches a tracker to a car or driver (entityId null detaches).", "trackers.attach", "AttachTracker", "ПривязатьТрекер"
}
list! {
    /// `cargorun.etrn.titles` (GET `api/1c/Bills/GetTitles`, OData; `{totalCount, collection}`).
    ETRN_TITLES = "cargorun.etrn.titles", "api/1c/Bills/GetTitles", TITLE in "collection",
    "ETRN titles, 50 at a time.", "etrn.titles", "EtrnTitles", "ТитулыЭТрН",
}
/// `cargorun.etrn.title` (GET `api/1c/Bills/GetTitle?titleId=&bidId=&bidExternalId=`).
pub const ETRN_TITLE: &Endpoint = &Endpoint {
    summary: "One ETRN title with its remarks (by title id, bid id or the bid's external id).",
    params: &[
        Param::new("title_id", Location::Query, Type::Integer).wire("titleId").range(Some(1), Some(i64::MAX)).doc("ИдентификаторТитула", "The title's id."),
        Param::new("bid_id", Location::Query, Type::Integer).wire("bidId").range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The bid's id."),
        Param::new("bid_external_id", Location::Query, Type::String).wire("bidExternalId").doc("ВнешнийИдентификаторЗаявки", "The bid's id in your system."),
    ],
    response: Response::one(&TITLE_WITH_REMARKS),
    names: FaceNames { python: "etrn.title", onec_en: "EtrnTitle", onec_ru: "ТитулЭТрН" },
    ..Endpoint::new("cargorun.etrn.title", S, Method::Get, "api/1c/Bills/GetTitle")
};
post_fields! {
    /// `cargorun.etrn.apply_status` (POST `api/1c/Bills/ApplyStatus`): statuses are the newest
    /// pages' `WaybillTitleStatus` names.
    ETRN_APPLY_STATUS = "cargorun.etrn.apply_status", "api/1c/Bills/ApplyStatus",
    [
        ID,
        Param::new("status", Location::BodyField, Type::Enum(TITLE_STATUSES)).required().doc("Статус", "The title's new status (`WaybillTitleStatus`, etrn.md)."),
        Param::new("bid_id", Location::BodyField, Type::Integer).wire("bidId").range(Some(1), Some(i64::MAX)).doc("ИдентификаторЗаявки", "The bid's id."),
        Param::new("bid_external_id", Location::BodyField, Type::String).wire("bidExternalId").doc("ВнешнийИдентификаторЗаявки", "The bid's id in your system."),
    ],
    "Sets an ETRN title's status.", "etrn.apply_status", "ApplyEtrnTitleStatus", "УстановитьСтатусТитула", idempotent true
}
post_fields! {
    /// `cargorun.map.geocode` (POST `api/Map/GetAddresses`): address suggestions.
    MAP_GEOCODE = "cargorun.map.geocode", "api/Map/GetAddresses",
    [
        Param::new("address", Location::BodyField, Type::String).required().doc("Адрес", "The address text to look up."),
        Param::new("count", Location::BodyField, Type::Integer).range(Some(1), Some(50)).doc("Количество", "How many suggestions."),
    ],
    "Address suggestions with coordinates for a text.", "map.geocode", "Geocode", "НайтиАдрес", idempotent true, response Response::one(&ADDRESS_SUGGESTIONS)
}

// ---- employees (Swagger only: OrganizationEmployees) ----

list! {
    /// `cargorun.employees.list` (GET `api/OrganizationEmployees/GetList`, OData).
    EMPLOYEES_LIST = "cargorun.employees.list", "api/OrganizationEmployees/GetList", USER_SIMPLE,
    "The organisation's employees, 50 at a time.", "employees.list", "Employees", "Сотрудники",
}
post_model! {
    /// `cargorun.employees.apply_user` (POST `api/OrganizationEmployees/ApplyUser`).
    EMPLOYEES_APPLY_USER = "cargorun.employees.apply_user", "api/OrganizationEmployees/ApplyUser", "user" ("Пользователь"): USER_ADD,
    "Creates (id 0) or updates an employee's user.", "employees.apply_user", "ApplyEmployee", "ЗаписатьСотрудника"
}
post_model! {
    /// `cargorun.employees.invite` (POST `api/OrganizationEmployees/Invite`).
    EMPLOYEES_INVITE = "cargorun.employees.invite", "api/OrganizationEmployees/Invite", "invitation" ("Приглашение"): INVITE_USER,
    "Invites a user by e-mail or phone.", "employees.invite", "InviteEmployee", "ПригласитьСотрудника"
}
post_fields! {
    /// `cargorun.employees.remove_invite` (POST `api/OrganizationEmployees/RemoveInvite`).
    EMPLOYEES_REMOVE_INVITE = "cargorun.employees.remove_invite", "api/OrganizationEmployees/RemoveInvite", [USER_ID],
    "Withdraws an invitation.", "employees.remove_invite", "RemoveInvitation", "ОтозватьПриглашение", idempotent true
}
list! {
    /// `cargorun.employees.invitations` (GET `api/OrganizationEmployees/GetInvitationList`, OData).
    EMPLOYEES_INVITATIONS = "cargorun.employees.invitations", "api/OrganizationEmployees/GetInvitationList", USER_SIMPLE,
    "Pending invitations.", "employees.invitations", "Invitations", "Приглашения",
}
post_model! {
    /// `cargorun.employees.add_role` (POST `api/OrganizationEmployees/AddUserRole`).
    EMPLOYEES_ADD_ROLE = "cargorun.employees.add_role", "api/OrganizationEmployees/AddUserRole", "role" ("Роль"): USER_ROLE,
    "Gives an employee a role (`{userId, role}`).", "employees.add_role", "AddEmployeeRole", "ДобавитьРольСотрудника"
}
post_model! {
    /// `cargorun.employees.remove_role` (POST `api/OrganizationEmployees/RemoveUserRole`).
    EMPLOYEES_REMOVE_ROLE = "cargorun.employees.remove_role", "api/OrganizationEmployees/RemoveUserRole", "role" ("Роль"): USER_ROLE,
    "Takes a role from an employee (`{userId, role}`).", "employees.remove_role", "RemoveEmployeeRole", "УдалитьРольСотрудника"
}
post_fields! {
    /// `cargorun.employees.ban` (POST `api/OrganizationEmployees/Ban`).
    EMPLOYEES_BAN = "cargorun.employees.ban", "api/OrganizationEmployees/Ban", [USER_ID],
    "Blocks an employee's sign-in.", "employees.ban", "BanEmployee", "ЗаблокироватьСотрудника", idempotent true
}
post_fields! {
    /// `cargorun.employees.unban` (POST `api/OrganizationEmployees/Unban`).
    EMPLOYEES_UNBAN = "cargorun.employees.unban", "api/OrganizationEmployees/Unban", [USER_ID],
    "Unblocks an employee's sign-in.", "employees.unban", "UnbanEmployee", "РазблокироватьСотрудника", idempotent true
}
list! {
    /// `cargorun.employees.logists` (GET `api/OrganizationEmployees/GetLogists`, OData).
    EMPLOYEES_LOGISTS = "cargorun.employees.logists", "api/OrganizationEmployees/GetLogists", LOGIST_SIMPLE,
    "The logists.", "employees.logists", "Logists", "Логисты",
}
/// `cargorun.employees.logist` (GET `api/OrganizationEmployees/GetLogist?id=`).
pub const EMPLOYEES_LOGIST: &Endpoint = &Endpoint {
    summary: "One logist.",
    params: &[Param::new("id", Location::Query, Type::Integer).required().range(Some(1), Some(i64::MAX)).doc("Идентификатор", "The logist's id.")],
    response: Response::one(&LOGIST),
    names: FaceNames { python: "employees.logist", onec_en: "GetLogist", onec_ru: "ПолучитьЛогиста" },
    ..Endpoint::new("cargorun.employees.logist", S, Method::Get, "api/OrganizationEmployees/GetLogist")
};

/// Every row, in the order of ENDPOINTS.md.
pub static ENDPOINTS: &[&Endpoint] = &[
    AUTH_GENERATE_TOKEN, AUTH_REFRESH_TOKEN,
    DRIVERS_APPLY, DRIVERS_DELETE, DRIVERS_RESTORE, DRIVERS_LIST,
    CARS_APPLY, CARS_DELETE, CARS_LIST, CARS_GET_FOR_EDIT, CARS_MILEAGE,
    TRAILERS_APPLY, TRAILERS_DELETE, TRAILERS_LIST,
    COUNTERPARTIES_APPLY, COUNTERPARTIES_DELETE, COUNTERPARTIES_LIST, COUNTERPARTIES_GET,
    CONTRACTS_APPLY, CONTRACTS_LIST, CONTRACTS_GET, CONTRACTS_DELETE,
    COUNTERPARTY_POINTS_APPLY, COUNTERPARTY_POINTS_LIST, COUNTERPARTY_POINTS_GET, COUNTERPARTY_POINTS_DELETE, COUNTERPARTY_POINTS_RESTORE,
    LEGAL_PERSONS_APPLY, LEGAL_PERSONS_DELETE, LEGAL_PERSONS_LIST,
    CATALOGS_GET_SIMPLE, CATALOGS_GET, CATALOGS_LIST, CATALOGS_ITEMS,
    BIDS_APPLY, BIDS_PATCH, BIDS_SET_STATUS, BIDS_FORCE_COMPLETE, BIDS_REVERT, BIDS_APPLY_PAYMENT, BIDS_TRAILER_REPLACEMENTS,
    BIDS_CANCEL, BIDS_DELETE, BIDS_RESTORE, BIDS_GET, BIDS_LIST_FOR_EXTERNAL, BIDS_DOCUMENTS,
    DISTRIBUTION_BIDS_APPLY, DISTRIBUTION_BIDS_LIST_FOR_EXTERNAL, DISTRIBUTION_BIDS_EXTERNAL_INFO, DISTRIBUTION_BIDS_EXTERNAL_STATUSES,
    DISTRIBUTION_BIDS_GET, DISTRIBUTION_BIDS_GET_FOR_BID, DISTRIBUTION_BIDS_CANCEL, DISTRIBUTION_BIDS_DELETE, DISTRIBUTION_BIDS_RESTORE, DISTRIBUTION_BIDS_REVERT,
    TRACKERS_LIST, TRACKERS_ATTACH,
    ETRN_TITLES, ETRN_TITLE, ETRN_APPLY_STATUS,
    MAP_GEOCODE,
    EMPLOYEES_LIST, EMPLOYEES_APPLY_USER, EMPLOYEES_INVITE, EMPLOYEES_REMOVE_INVITE, EMPLOYEES_INVITATIONS, EMPLOYEES_ADD_ROLE,
    EMPLOYEES_REMOVE_ROLE, EMPLOYEES_BAN, EMPLOYEES_UNBAN, EMPLOYEES_LOGISTS, EMPLOYEES_LOGIST,
];

// ---- the rows' checks: the pages' rules on the body (already in the wire form) ----

/// Runs `rule` on the body parameter `name`, when given.
fn on_body(params: &Map<String, Value>, name: &str, rule: fn(&str, &Value) -> std::result::Result<(), crate::error::ValidationError>) -> Result<()> {
    params.get(name).map_or(Ok(()), |v| rule(name, v).map_err(Error::from))
}

fn check_driver(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "driver", rules::check_driver)
}
fn check_car(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "car", rules::check_car)
}
fn check_trailer(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "trailer", rules::check_trailer)
}
fn check_counterparty(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "counterparty", rules::check_counterparty)
}
fn check_contract(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "contract", rules::check_contract)
}
fn check_counterparty_point(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "point", rules::check_counterparty_point)
}
fn check_legal_person(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "legal_person", rules::check_legal_person)
}
fn check_bid(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "bid", rules::check_bid)
}
fn check_bid_patch(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "patch", rules::check_bid_patch)
}

fn check_distribution_bids(p: &Map<String, Value>) -> Result<()> {
    let body = serde_json::json!({ "items": p.get("items").cloned().unwrap_or(Value::Null) });
    rules::check_distribution_bid_batch("", &body).map_err(Error::from)
}
fn check_payment(p: &Map<String, Value>) -> Result<()> {
    on_body(p, "payment", |path, v| rules::check_required(path, v, &rules::PAYMENT))
}

/// The mileage period: a date or a date-time without a zone (directories.md).
fn check_mileage_period(p: &Map<String, Value>) -> Result<()> {
    for name in ["start", "end"] {
        let Some(Value::String(text)) = p.get(name) else { continue };
        let ok = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
            || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok()
            || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").is_ok();
        if !ok {
            let shown = crate::shown_input(text);
            return Err(crate::error::ValidationError::new(
                name,
                "cargorun.mileage_period",
                format!("\"{shown}\" is not a date (YYYY-MM-DD) or a date-time without a time zone (YYYY-MM-DDTHH:MM:SS): the mileage call takes its period without a zone (directories.md)"),
                format!("«{shown}» — не дата (ГГГГ-ММ-ДД) и не дата и время без часового пояса (ГГГГ-ММ-ДДTЧЧ:ММ:СС): период пробега передаётся без пояса (directories.md)"),
            ).into());
        }
    }
    Ok(())
}

/// The production base URL of the shared installation; each customer may have its own
/// (`https://api.<customer>.cargorun.ru/`, auth.md §2).
pub const DEFAULT_BASE_URL: &str = "https://api.app.cargorun.ru/";

/// The CARGO.RUN service: a JWT from the user name and password, date-times as
/// `YYYY-MM-DDTHH:mm:ssZ`, errors as plain text (400) or `errorMessage`.
pub static SERVICE: ServiceSpec = ServiceSpec {
    prefix: S,
    name: "CargoRun",
    default_base_url: DEFAULT_BASE_URL,
    auth: AuthSpec::Jwt { username: "username", password: "password", generate: "cargorun.auth.generate_token", refresh: "cargorun.auth.refresh_token" },
    credentials: &[
        Credential { name: "username", onec_en: "Login", onec_ru: "Логин", secret: false, required: true },
        Credential { name: "password", onec_en: "Password", onec_ru: "Пароль", secret: true, required: true },
    ],
    common_params: &[],
    errors: ErrorFormat::keys(&["errorMessage", "message", "error", "title"]),
    dates: DateFormat::Rfc3339Utc,
    endpoints: ENDPOINTS,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{check, request};
    use serde_json::json;

    fn args(ep: &'static Endpoint, params: Value) -> Result<crate::call::Args> {
        check(ep, &SERVICE, &Map::new(), params)
    }

    /// Every typed id of ENDPOINTS.md § CARGO.RUN is a row, with the method and the path
    /// (case-insensitively: the service ignores case) of its "Swagger path" column, or of
    /// the pages' path where the Swagger lacks the call; and no row is missing from it.
    #[test]
    fn the_rows_are_the_seventy_four_ids_of_the_inventory() {
        assert_eq!(ENDPOINTS.len(), 74);
        let Some(inventory) = crate::endpoints::tests::inventory() else { return };
        let mut seen = 0;
        for line in inventory.lines().filter(|l| l.starts_with("| cargorun.")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (id, method, docs, swagger) = (cells[1], cells[2], cells[3], cells[4]);
            let row = ENDPOINTS.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} has no row"));
            assert_eq!(row.method.as_str(), method, "{id}");
            let path = match swagger.split('`').nth(1) {
                Some(p) => p.trim_start_matches('/').to_owned(),
                None => docs.split_whitespace().next().unwrap().to_owned(),
            };
            assert!(row.path.eq_ignore_ascii_case(&path), "{id}: {} vs {path}", row.path);
            seen += 1;
        }
        assert_eq!(seen, 74);
    }

    /// 1C finds a method by either name case-insensitively, and BSL can only call one whose
    /// name is an identifier.
    #[test]
    fn onec_names_are_identifiers_and_unique_in_either_language() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            for name in [e.names.onec_en, e.names.onec_ru] {
                assert!(name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()), "{}: {name}", e.id);
                assert!(seen.insert(name.to_lowercase()), "{}: {name} twice", e.id);
            }
            assert_eq!(e.names.python, e.id.trim_start_matches("cargorun."), "{}", e.id);
        }
    }

    #[test]
    fn lists_page_by_fifty_with_the_total_in_x_meta_count_and_refuse_a_larger_top() {
        for e in ENDPOINTS.iter().filter(|e| e.paging != Paging::None) {
            assert_eq!(e.paging, Paging::OData { size: 50 }, "{}", e.id);
            assert_eq!(e.response.count_header, Some("X-MetaCount"), "{}", e.id);
        }
        let err = args(DRIVERS_LIST, json!({"top": 500})).unwrap_err();
        assert!(err.to_string().contains("50"), "{err}");
        let ok = args(DRIVERS_LIST, json!({"top": 500, "allow_large_top": true, "filter": "lastName eq 'Иванов'", "orderby": "updatedAt"})).unwrap();
        let req = request(DRIVERS_LIST, &SERVICE, &ok).unwrap();
        let q: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert!(q.contains(&("$top", "500")) && q.contains(&("$filter", "lastName eq 'Иванов'")) && q.contains(&("$orderby", "updatedAt")), "{q:?}");
        assert!(!q.iter().any(|(k, _)| k.contains("allow")), "{q:?}");
    }

    #[test]
    fn id_bodies_use_the_pages_names() {
        let a = args(BIDS_SET_STATUS, json!({"bid_id": 7, "status": "Started"})).unwrap();
        let req = request(BIDS_SET_STATUS, &SERVICE, &a).unwrap();
        assert_eq!(req.body, Some(json!({"bidId": 7, "status": "Started"})));
        let a = args(DISTRIBUTION_BIDS_CANCEL, json!({"id": 3, "comment": "нет машины"})).unwrap();
        assert_eq!(request(DISTRIBUTION_BIDS_CANCEL, &SERVICE, &a).unwrap().body, Some(json!({"id": 3, "comment": "нет машины"})));
        assert!(args(BIDS_SET_STATUS, json!({"bid_id": 7, "status": "Finished"})).is_err());
        assert!(args(DRIVERS_DELETE, json!({"id": 0})).is_err(), "ids start at 1");
    }

    #[test]
    fn a_path_id_goes_into_the_path() {
        let a = args(BIDS_GET, json!({"bid_id": 42, "main_data_only": true})).unwrap();
        let req = request(BIDS_GET, &SERVICE, &a).unwrap();
        assert_eq!(req.path_params, [("bidId", "42".to_owned())]);
        assert_eq!(req.query, [("MainDataOnly".to_owned(), "true".to_owned())]);
        let a = args(COUNTERPARTIES_GET, json!({"id": 5})).unwrap();
        assert_eq!(request(COUNTERPARTIES_GET, &SERVICE, &a).unwrap().path_params, [("id", "5".to_owned())]);
    }

    #[test]
    fn the_mileage_period_is_sent_without_a_zone_and_one_with_a_zone_is_refused() {
        assert!(args(CARS_MILEAGE, json!({"car_id": 1, "start": "2026-01-01", "end": "2026-01-31T23:59:59"})).is_ok());
        let err = args(CARS_MILEAGE, json!({"car_id": 1, "start": "2026-01-01T00:00:00Z", "end": "2026-01-31"})).unwrap_err();
        assert!(err.to_string().contains("without a time zone"), "{err}");
    }
}
