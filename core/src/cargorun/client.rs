//! The typed CARGO.RUN client: every row of [`crate::endpoints::cargorun`] as a Rust method
//! over the generated models, on the one generic [`crate::Client`]. The directories that
//! share one shape (apply, delete, list; drivers also restore) are one generic
//! [`Directory`].

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::generated as m;
use crate::endpoints::cargorun::{self as rows, SERVICE};
use crate::endpoints::Endpoint;
use crate::error::Result;
use crate::pager::Pager;
use super::odata::Query;

/// A model as the rows take it: date-times in the callers' form (RFC 3339, `…Z`).
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    crate::serde_ext::in_callers_form(|| crate::call::to_json(value))
}

/// The pages of a list row; a query that cannot be rendered is the first page's error.
fn pages<T: DeserializeOwned>(client: &crate::Client, row: &'static Endpoint, query: Query) -> Pager<T> {
    match query.params() {
        Ok(params) => client.pages(row, params),
        Err(e) => Pager::failed(client.clone(), row, e),
    }
}

/// The id a write answered: CARGO.RUN answers `Apply` with the new (or updated) id, as a
/// number or inside an object; `None` when it answered nothing.
fn answered_id(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.get("id").and_then(Value::as_i64)).or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Builds a [`Client`] ([`crate::TypedClientBuilder`]: base URL, timeouts, deadline,
/// retries).
pub type ClientBuilder = crate::TypedClientBuilder<Client>;

/// A CARGO.RUN client: signs in by itself (JWT, shared by every client of the same base URL
/// and user in the process, renewed before it expires). Cheap to clone; clones share the
/// connection pool and the session.
///
/// ```no_run
/// # async fn run() -> logibridge::Result<()> {
/// use logibridge::cargorun::{Client, DriverEditModel, Query};
/// let cr = Client::builder("integration@example.com", "password").base_url("https://api.app.cargorun.ru/").build()?;
/// let mut driver = DriverEditModel::default();
/// driver.id = Some(0);
/// driver.first_name = Some("Иван".into());
/// driver.last_name = Some("Петров".into());
/// driver.phone_number = Some("8 (999) 123-45-67".into()); // sent as +79991234567
/// let id = cr.drivers().apply(&driver).await?;
/// let all = cr.drivers().list(Query::new().orderby("updatedAt")).collect_all().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl From<crate::Client> for Client {
    /// A CARGO.RUN client over a generic one built for [`SERVICE`].
    fn from(inner: crate::Client) -> Client {
        Client { inner }
    }
}

impl From<Client> for crate::Client {
    fn from(c: Client) -> crate::Client {
        c.inner
    }
}

/// A directory of CARGO.RUN (drivers, cars, trailers, legal persons, counterparties): an
/// entity written as `E` (`id` 0 creates, > 0 updates), listed as `L`.
#[derive(Clone, Debug)]
pub struct Directory<E, L> {
    client: crate::Client,
    apply: &'static Endpoint,
    delete: &'static Endpoint,
    restore: Option<&'static Endpoint>,
    list: &'static Endpoint,
    _models: std::marker::PhantomData<fn() -> (E, L)>,
}

impl<E: Serialize, L: DeserializeOwned> Directory<E, L> {
    fn new(client: &crate::Client, apply: &'static Endpoint, delete: &'static Endpoint, restore: Option<&'static Endpoint>, list: &'static Endpoint) -> Self {
        Directory { client: client.clone(), apply, delete, restore, list, _models: std::marker::PhantomData }
    }

    /// Creates (`id` 0) or updates (`id` > 0) the entity after the pages' rules (required
    /// fields, INN check digits, phones as `+7XXXXXXXXXX`) are checked; the id the service
    /// answered (`None` when it answered nothing). Not retried.
    pub async fn apply(&self, entity: &E) -> Result<Option<i64>> {
        let name = self.apply.params[0].name;
        let answer: Value = self.client.fetch(self.apply, json!({ name: to_json(entity)? })).await?;
        Ok(answered_id(&answer))
    }

    /// Deletes by id (a business rule may refuse it: a driver with active bids, HTTP 400).
    pub async fn delete(&self, id: i64) -> Result<()> {
        self.client.fetch::<Value>(self.delete, json!({ "id": id })).await.map(drop)
    }

    /// Restores a deleted entity; [`crate::Error::InvalidArgument`] for a directory the
    /// service cannot restore (only drivers have the call).
    pub async fn restore(&self, id: i64) -> Result<()> {
        let Some(row) = self.restore else {
            return Err(crate::Error::invalid_argument(format!("{} has no restore call", self.apply.resource()), format!("у справочника {} нет вызова восстановления", self.apply.resource())));
        };
        self.client.fetch::<Value>(row, json!({ "id": id })).await.map(drop)
    }

    /// Every entity matching the query, 50 a page, fetched as the pager is walked; its
    /// [`Pager::total`] is the service's `X-MetaCount`.
    pub fn list(&self, query: Query) -> Pager<L> {
        pages(&self.client, self.list, query)
    }

    /// One page as the query says (`top`, `skip`).
    pub async fn page(&self, query: Query) -> Result<Vec<L>> {
        self.client.fetch(self.list, query.params()?).await
    }
}

impl Client {
    /// A builder with the user name and password (auth.md §3: `GenerateToken` is called
    /// once, then the token is renewed with `RefreshToken`).
    pub fn builder(username: impl Into<String>, password: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(crate::Client::builder(&SERVICE).credential("username", username).credential("password", password))
    }

    /// The generic client inside (call any CARGO.RUN id by name).
    pub fn as_client(&self) -> &crate::Client {
        &self.inner
    }

    /// `cargorun.drivers.*`.
    pub fn drivers(&self) -> Directory<m::DriverEditModel, m::DriverListViewModel> {
        Directory::new(&self.inner, rows::DRIVERS_APPLY, rows::DRIVERS_DELETE, Some(rows::DRIVERS_RESTORE), rows::DRIVERS_LIST)
    }
    /// `cargorun.cars.*` (and [`Client::car_for_edit`], [`Client::car_mileage`]).
    pub fn cars(&self) -> Directory<m::CarEditModel, m::CarListViewModel> {
        Directory::new(&self.inner, rows::CARS_APPLY, rows::CARS_DELETE, None, rows::CARS_LIST)
    }
    /// `cargorun.trailers.*`.
    pub fn trailers(&self) -> Directory<m::TrailerEditModel, m::TrailerListViewModel> {
        Directory::new(&self.inner, rows::TRAILERS_APPLY, rows::TRAILERS_DELETE, None, rows::TRAILERS_LIST)
    }
    /// `cargorun.legal_persons.*`.
    pub fn legal_persons(&self) -> Directory<m::LegalPersonEditModel, m::LegalPersonViewModel> {
        Directory::new(&self.inner, rows::LEGAL_PERSONS_APPLY, rows::LEGAL_PERSONS_DELETE, None, rows::LEGAL_PERSONS_LIST)
    }
    /// `cargorun.counterparties.*` (and [`Client::counterparty`]).
    pub fn counterparties(&self) -> Directory<m::CounterpartyEditModel, m::CounterpartyListModel> {
        Directory::new(&self.inner, rows::COUNTERPARTIES_APPLY, rows::COUNTERPARTIES_DELETE, None, rows::COUNTERPARTIES_LIST)
    }

    /// `cargorun.counterparties.get`: one counterparty.
    pub async fn counterparty(&self, id: i64) -> Result<m::CounterpartyModel> {
        self.inner.fetch(rows::COUNTERPARTIES_GET, json!({ "id": id })).await
    }
    /// `cargorun.cars.get_for_edit`.
    pub async fn car_for_edit(&self, id: i64) -> Result<m::CarGetModel> {
        self.inner.fetch(rows::CARS_GET_FOR_EDIT, json!({ "id": id })).await
    }
    /// `cargorun.cars.mileage`: `start`/`end` as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`
    /// without a zone (directories.md).
    pub async fn car_mileage(&self, car_id: i64, start: &str, end: &str) -> Result<m::CarMileageForPeriodModel> {
        self.inner.fetch(rows::CARS_MILEAGE, json!({ "car_id": car_id, "start": start, "end": end })).await
    }

    /// `cargorun.contracts.apply`: the contract's id.
    pub async fn apply_contract(&self, contract: &m::CounterpartyContractEditModel) -> Result<Option<i64>> {
        let v: Value = self.inner.fetch(rows::CONTRACTS_APPLY, json!({ "contract": to_json(contract)? })).await?;
        Ok(answered_id(&v))
    }
    /// `cargorun.contracts.list`: a counterparty's contracts, 50 a page.
    pub fn contracts(&self, counterparty_id: i64, query: Query) -> Pager<m::CounterpartyContractModel> {
        pages(&self.inner, rows::CONTRACTS_LIST, query.param("counterparty_id", counterparty_id))
    }
    /// `cargorun.contracts.get`.
    pub async fn contract(&self, counterparty_id: i64, contract_id: i64) -> Result<m::CounterpartyContractModel> {
        self.inner.fetch(rows::CONTRACTS_GET, json!({ "counterparty_id": counterparty_id, "contract_id": contract_id })).await
    }
    /// `cargorun.contracts.delete`.
    pub async fn delete_contract(&self, counterparty_id: i64, contract_id: i64) -> Result<()> {
        self.inner.fetch::<Value>(rows::CONTRACTS_DELETE, json!({ "id": contract_id, "counterparty_id": counterparty_id })).await.map(drop)
    }
    /// `cargorun.counterparty_points.apply`: the point's id.
    pub async fn apply_counterparty_point(&self, point: &m::CounterpartyPointEditModel) -> Result<Option<i64>> {
        let v: Value = self.inner.fetch(rows::COUNTERPARTY_POINTS_APPLY, json!({ "point": to_json(point)? })).await?;
        Ok(answered_id(&v))
    }
    /// `cargorun.counterparty_points.list`: a counterparty's points, 50 a page.
    pub fn counterparty_points(&self, counterparty_id: i64, query: Query) -> Pager<m::CounterpartyPointModel> {
        pages(&self.inner, rows::COUNTERPARTY_POINTS_LIST, query.param("counterparty_id", counterparty_id))
    }

    /// `cargorun.bids.apply`: creates (`id` 0) or updates a trucking bid after the pages'
    /// rules (two points at least, a loading and an unloading one; commercial fields unless
    /// an empty-mileage bid); the bid's id.
    pub async fn apply_bid(&self, bid: &m::BidTruckingEditModel) -> Result<Option<i64>> {
        let v: Value = self.inner.fetch(rows::BIDS_APPLY, json!({ "bid": to_json(bid)? })).await?;
        Ok(answered_id(&v))
    }
    /// `cargorun.bids.get`.
    pub async fn bid(&self, bid_id: i64) -> Result<m::BidViewModel> {
        self.inner.fetch(rows::BIDS_GET, json!({ "bid_id": bid_id })).await
    }
    /// `cargorun.bids.set_status` (`New`, `Planned`, `Started`, `Canceled`, `Done`).
    pub async fn set_bid_status(&self, bid_id: i64, status: m::BidStatus) -> Result<()> {
        self.inner.fetch::<Value>(rows::BIDS_SET_STATUS, json!({ "bid_id": bid_id, "status": status.to_string() })).await.map(drop)
    }
    /// `cargorun.bids.cancel`.
    pub async fn cancel_bid(&self, bid_id: i64) -> Result<()> {
        self.inner.fetch::<Value>(rows::BIDS_CANCEL, json!({ "bid_id": bid_id })).await.map(drop)
    }
    /// `cargorun.bids.list_for_external`: the bids for an external system, 50 a page (the
    /// incremental sync filters on `updatedAt`).
    pub fn bids_for_external(&self, query: Query) -> Pager<m::BidForExternalSyncModel> {
        pages(&self.inner, rows::BIDS_LIST_FOR_EXTERNAL, query)
    }

    /// Any other row by id, with its parameters by the rows' names (`docs/endpoints.md`),
    /// read into `T`.
    pub async fn call<T: DeserializeOwned>(&self, id: &str, params: Value) -> Result<T> {
        let ep = crate::endpoints::require(id)?;
        self.inner.fetch(ep, params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    #[test]
    fn an_apply_answer_gives_its_id_in_any_of_its_shapes() {
        assert_eq!(answered_id(&json!(42)), Some(42));
        assert_eq!(answered_id(&json!({"id": 7})), Some(7));
        assert_eq!(answered_id(&json!("15")), Some(15));
        assert_eq!(answered_id(&Value::Null), None);
    }

    #[test]
    fn a_query_uses_the_rows_parameter_names() {
        let q = Query::new().filter("id eq 1").top(60);
        let args = crate::call::check(rows::DRIVERS_LIST, &SERVICE, &Map::new(), q.params().unwrap());
        assert!(args.unwrap_err().to_string().contains("50"), "top 60 is refused without the opt-out");
        assert!(crate::call::check(rows::DRIVERS_LIST, &SERVICE, &Map::new(), Query::new().top(60).allow_large_top().params().unwrap()).is_ok());
    }
}
