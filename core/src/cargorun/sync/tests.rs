//! Unit tests of the keyset steps, the filter text, the row reader and the store.

use super::*;

fn row(updated_at: &str, id: i64) -> Row {
    Row { at: instant(updated_at).unwrap(), updated_at: updated_at.to_owned(), id, value: json!({"id": id, "updatedAt": updated_at}) }
}

const X: &str = "2026-01-23T21:00:00.1234567Z";
const X_NEXT_TICK: &str = "2026-01-23T21:00:00.1234568Z";

#[test]
fn the_filter_keeps_every_fractional_digit_and_adds_the_zone_only_when_missing() {
    let f = |c: Cond<'_>, extra: Option<&str>| filter_text(Some(&c), extra).unwrap().unwrap();
    assert_eq!(f(Cond::AtOrAfter(X), None), "updatedAt ge 2026-01-23T21:00:00.1234567Z");
    assert_eq!(f(Cond::AtOrAfter("2026-01-23T21:00:00.1234567"), None), "updatedAt ge 2026-01-23T21:00:00.1234567Z");
    assert_eq!(f(Cond::AtOrAfter("2026-01-24T00:00:00.5+03:00"), None), "updatedAt ge 2026-01-23T21:00:00.5Z");
    assert_eq!(f(Cond::AtOrAfter("2026-01-23T21:00:00.1230000Z"), None), "updatedAt ge 2026-01-23T21:00:00.1230000Z", "trailing zeros kept");
    assert_eq!(
        f(Cond::After(X, 1042), Some("status eq 'Done'")),
        "(updatedAt gt 2026-01-23T21:00:00.1234567Z or (updatedAt eq 2026-01-23T21:00:00.1234567Z and id gt 1042)) and (status eq 'Done')"
    );
    assert_eq!(f(Cond::TickUpTo(X, 9, None), None), "updatedAt eq 2026-01-23T21:00:00.1234567Z and id le 9");
    assert_eq!(f(Cond::TickUpTo(X, 9, Some(3)), None), "updatedAt eq 2026-01-23T21:00:00.1234567Z and id le 9 and id gt 3");
    assert_eq!(filter_text(None, Some("status eq 'Done'")).unwrap().unwrap(), "status eq 'Done'");
    assert_eq!(filter_text(None, None).unwrap(), None);
    assert!(filter_text(Some(&Cond::AtOrAfter("2026-01-23T21:00:00.123456789Z")), None).is_err(), "finer than the service's 100 ns");
}

#[test]
fn rows_one_tick_apart_are_different_instants() {
    // 100 ns apart: a millisecond (or microsecond) truncation would make them equal.
    assert!(instant(X).unwrap() < instant(X_NEXT_TICK).unwrap());
    assert_eq!(instant("2026-01-23T21:00:00.1234567Z"), instant("2026-01-24T00:00:00.12345670+03:00"));
}

#[test]
fn the_checkpoint_keeps_the_ids_handed_at_its_tick_and_resets_them_at_a_new_one() {
    let start = Checkpoint { updated_at: X.into(), id: 7, seen_ids: vec![3, 7] };
    let x = start.instant().unwrap();
    // Still at X: a straggler (id 5) and a new row (id 9) join the seen ids; the keyset id
    // stays the largest read in order.
    let s = Step::after(Some((&start, x)), vec![row(X, 5), row(X, 9)], false);
    assert_eq!(s.checkpoint, Checkpoint { updated_at: X.into(), id: 9, seen_ids: vec![3, 5, 7, 9] });
    let s = Step::after(Some((&start, x)), vec![row(X, 5)], true);
    assert_eq!(s.checkpoint.id, 7, "a straggler's smaller id does not move the keyset back");
    // A later tick: only its ids.
    let s = Step::after(Some((&start, x)), vec![row(X, 5), row(X_NEXT_TICK, 2), row(X_NEXT_TICK, 4)], true);
    assert_eq!(s.checkpoint, Checkpoint { updated_at: X_NEXT_TICK.into(), id: 4, seen_ids: vec![2, 4] });
    assert_eq!(s.items.len(), 3);
    assert!(s.caught_up);
    // Nothing handed: the position stays.
    let s = Step::after(Some((&start, x)), vec![], true);
    assert_eq!(s.checkpoint, start);
    assert!(s.items.is_empty());
}

#[test]
fn a_row_without_id_or_updated_at_or_out_of_order_stops_the_sync() {
    let ok = read_rows("e", br#"[{"id": 1, "updatedAt": "2026-01-23T21:00:00Z"}, {"id": "2", "updatedAt": "2026-01-23T21:00:00.0000001"}]"#).unwrap();
    assert_eq!(ok.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(read_rows("e", br#"{"totalCount": 1, "collection": [{"id": 1, "updatedAt": "2026-01-23T21:00:00Z"}]}"#).unwrap().len(), 1);
    let e = read_rows("e", br#"[{"id": 1}]"#).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Decode);
    assert!(e.to_string().contains("[0].updatedAt"), "{e}");
    let e = read_rows("e", br#"[{"updatedAt": "2026-01-23T21:00:00Z"}]"#).unwrap_err();
    assert!(e.to_string().contains("[0].id"), "{e}");
    assert!(read_rows("e", br#"{"rows": []}"#).is_err());
    let rows = vec![row(X_NEXT_TICK, 1), row(X, 2)];
    let e = check_order(SyncEntity::Bids, &rows, |r| (r.at, r.id)).unwrap_err();
    assert!(e.to_string().contains("$orderby"), "{e}");
    assert!(check_order(SyncEntity::Bids, &[row(X, 1), row(X, 2), row(X_NEXT_TICK, 1)], |r| (r.at, r.id)).is_ok());
}

#[test]
fn entity_names_round_trip_and_an_unknown_one_names_the_field() {
    for e in SyncEntity::ALL {
        assert_eq!(e.name().parse::<SyncEntity>().unwrap(), e);
        assert!(e.endpoint().id.starts_with("cargorun."));
    }
    let err = "orders".parse::<SyncEntity>().unwrap_err();
    assert_eq!((err.field(), err.code()), (Some("entity"), "sync.entity"));
    assert!(err.message_ru().contains("не синхронизируемый"));
}

fn scope(account: &str) -> SyncScope {
    SyncScope::new("http://127.0.0.1:1/cargorun/", account).unwrap()
}

#[test]
fn checkpoints_are_kept_per_account_and_stream_with_the_raw_time() {
    let store = SyncStore::open_in_memory().unwrap();
    let c = Checkpoint { updated_at: X.into(), id: 42, seen_ids: vec![40, 42] };
    store.set_checkpoint(&scope("a@x.ru"), "bids", &c).unwrap();
    assert_eq!(store.checkpoint(&scope("A@x.ru "), "bids").unwrap(), Some(c.clone()));
    assert_eq!(store.checkpoint(&scope("b@x.ru"), "bids").unwrap(), None, "another account has its own");
    assert_eq!(store.checkpoint(&scope("a@x.ru"), "drivers").unwrap(), None);
    let other_url = SyncScope::new("https://api.app.cargorun.ru/", "a@x.ru").unwrap();
    assert_eq!(store.checkpoint(&other_url, "bids").unwrap(), None);
    store.reset_checkpoint(&scope("a@x.ru"), "bids").unwrap();
    assert_eq!(store.checkpoint(&scope("a@x.ru"), "bids").unwrap(), None);
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lb-sync-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("sync.db")
}

#[test]
fn a_store_of_a_newer_schema_is_refused_and_left_alone() {
    let path = temp_path("schema");
    SyncStore::open(&path).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let e = SyncStore::open(&path).unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("store"), "store.schema"));
    assert!(e.to_string().contains("schema version 2, newer than this library's 1"), "{e}");
    assert!(e.message_ru().contains("версия схемы 2"), "{}", e.message_ru());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1, "the refused file was not rewritten");
}

#[test]
fn a_file_that_is_no_database_is_refused_with_its_name() {
    let path = temp_path("garbage");
    std::fs::write(&path, b"this is not SQLite, just text long enough to be read as a header").unwrap();
    let e = SyncStore::open(&path).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("sync.db"), "{e}");
}

#[test]
fn a_write_interrupted_before_commit_leaves_the_previous_checkpoint() {
    let path = temp_path("interrupted");
    let store = SyncStore::open(&path).unwrap();
    let s = scope("a@x.ru");
    let first = Checkpoint { updated_at: X.into(), id: 1, seen_ids: vec![1] };
    store.set_checkpoint(&s, "bids", &first).unwrap();
    {
        // Another connection (a process that dies mid-transaction): its write never commits.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute("UPDATE checkpoints SET updated_at = 'torn', last_id = 999", []).unwrap();
        drop(tx); // rolled back, as a killed process's open transaction is
    }
    drop(store);
    let store = SyncStore::open(&path).unwrap();
    assert_eq!(store.checkpoint(&s, "bids").unwrap(), Some(first));
    let mode: String = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_id_map_links_both_ids_once_and_classifies_by_its_times() {
    use chrono::TimeZone;
    let store = SyncStore::open_in_memory().unwrap();
    let map = store.id_map(&scope("a@x.ru"), SyncEntity::Bids);
    let local = Utc.with_ymd_and_hms(2026, 1, 23, 21, 0, 0).unwrap();
    let e = map.mark_synced("1c-1", 1042, "2026-01-23T20:59:59.9999999Z", local).unwrap();
    assert_eq!(e.last_sync_at, Some(local), "the later of the two times");
    assert_eq!(map.by_cargorun_id(1042).unwrap().unwrap(), e);
    assert_eq!(map.by_external_id("1c-1").unwrap().unwrap().cargorun_updated_at.as_deref(), Some("2026-01-23T20:59:59.9999999Z"));
    // Same CARGO.RUN id for another external id: refused.
    let mut dup = IdMapEntry::new("1c-2");
    dup.cargorun_id = Some(1042);
    let err = map.put(&dup).unwrap_err();
    assert_eq!((err.field(), err.code()), (Some("cargorun_id"), "idmap.cargorun_id"));
    // Other scopes and entities do not see it.
    assert!(store.id_map(&scope("b@x.ru"), SyncEntity::Bids).by_cargorun_id(1042).unwrap().is_none());
    assert!(store.id_map(&scope("a@x.ru"), SyncEntity::Drivers).by_cargorun_id(1042).unwrap().is_none());
    // The rule: unchanged at the synced state, pulled after a remote change one tick later.
    assert_eq!(e.state(Some("2026-01-23T20:59:59.9999999Z")).unwrap(), SyncState::Unchanged);
    assert_eq!(e.state(Some("2026-01-23T21:00:00.0000001Z")).unwrap(), SyncState::PullRemote);
    assert!(e.state(Some("soon")).is_err());
    // A conflict under the manual policy is recorded and listed.
    assert!(map.set_conflict("1c-1", ConflictMark::Pending).unwrap());
    assert_eq!(map.entries(true).unwrap().len(), 1);
    map.mark_synced("1c-1", 1042, "2026-01-23T21:00:00.0000001Z", local).unwrap();
    assert!(map.entries(true).unwrap().is_empty(), "a sync clears the mark");
    assert!(map.remove("1c-1").unwrap());
    assert!(map.entries(false).unwrap().is_empty());
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

fn syncer_logs(options: SyncOptions, entity: SyncEntity) -> String {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(captured.clone()).with_ansi(false).finish();
    let client = Client::for_service("cargorun").unwrap().credential("username", "u@x.ru").credential("password", "p").base_url("http://127.0.0.1:9/").build().unwrap();
    tracing::subscriber::with_default(subscriber, || {
        Syncer::new(client, SyncStore::open_in_memory().unwrap(), entity, options).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    text
}

#[test]
fn polling_faster_than_the_pages_allow_is_a_warning() {
    let fast = syncer_logs(SyncOptions::new("u@x.ru").poll_interval(Duration::from_secs(10)), SyncEntity::Bids);
    assert!(fast.contains("WARN") && fast.contains("poll interval under 60 s"), "{fast}");
    let fast_dir = syncer_logs(SyncOptions::new("u@x.ru").poll_interval(Duration::from_secs(59)), SyncEntity::Drivers);
    assert!(fast_dir.contains("WARN"), "{fast_dir}");
    let ok = syncer_logs(SyncOptions::new("u@x.ru"), SyncEntity::Bids);
    assert!(!ok.contains("WARN"), "{ok}");
    let ok = syncer_logs(SyncOptions::new("u@x.ru").poll_interval(Duration::from_secs(300)), SyncEntity::Drivers);
    assert!(!ok.contains("WARN"), "{ok}");
}

#[test]
fn a_syncer_needs_an_account_and_a_readable_start() {
    let client = Client::for_service("cargorun").unwrap().credential("username", "u@x.ru").credential("password", "p").base_url("http://127.0.0.1:9/").build().unwrap();
    let store = SyncStore::open_in_memory().unwrap();
    let e = Syncer::new(client.clone(), store.clone(), SyncEntity::Bids, SyncOptions::new("  ")).unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("account"), "sync.account"));
    let e = Syncer::new(client.clone(), store.clone(), SyncEntity::Bids, SyncOptions::new("u@x.ru").since("23.01.2026")).unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("since"), "sync.since"));
    let s = Syncer::new(client, store, SyncEntity::Bids, SyncOptions::new("u@x.ru").filter("status eq 'Done'")).unwrap();
    assert_eq!(s.stream(), "bids?status eq 'Done'");
    assert_eq!(s.poll_interval(), Duration::from_secs(60));
}

#[test]
fn acknowledging_a_batch_never_handed_out_is_refused() {
    let client = Client::for_service("cargorun").unwrap().credential("username", "u@x.ru").credential("password", "p").base_url("http://127.0.0.1:9/").build().unwrap();
    let mut s = Syncer::new(client, SyncStore::open_in_memory().unwrap(), SyncEntity::Bids, SyncOptions::new("u@x.ru")).unwrap();
    let e = s.acknowledge_seq(1).unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("batch"), "sync.acknowledge"));
}

#[test]
fn a_store_path_sqlite_would_keep_in_memory_is_refused() {
    for path in ["", "  ", ":memory:", "file:sync.db?mode=memory"] {
        let e = SyncStore::open(path).unwrap_err();
        assert!(e.to_string().contains("must be a file path"), "{path:?}: {e}");
        assert!(e.message_ru().contains("путём к файлу"), "{path:?}: {}", e.message_ru());
    }
}

#[test]
fn a_since_the_keyset_could_not_send_is_refused_as_since() {
    for text in ["2026-01-23T21:00:00.12345678Z", "2026-01-23T21:00:00 Z", "yesterday"] {
        let e = Checkpoint::since(text).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("since"), "sync.since"), "{text:?}: {e}");
    }
    assert!(Checkpoint::since("2026-01-23T21:00:00.1234567Z").is_ok());
    assert!(Checkpoint::since("2026-01-23T21:00:00").is_ok(), "a naive time is the service's UTC");
}

/// Reviewer's case: two syncers of one stream acknowledge in turn, the further one first.
#[test]
fn a_stored_checkpoint_is_never_moved_back() {
    let store = SyncStore::open_in_memory().unwrap();
    let s = scope("a@x.ru");
    let far = Checkpoint { updated_at: "2026-01-23T21:00:00.0000002Z".into(), id: 7, seen_ids: vec![7] };
    let near = Checkpoint { updated_at: "2026-01-23T21:00:00.0000001Z".into(), id: 90, seen_ids: vec![90] };
    store.set_checkpoint(&s, "bids", &far).unwrap();
    store.set_checkpoint(&s, "bids", &near).unwrap();
    assert_eq!(store.checkpoint(&s, "bids").unwrap(), Some(far.clone()), "the later tick stays");
    let same_tick_further = Checkpoint { updated_at: far.updated_at.clone(), id: 9, seen_ids: vec![7, 9] };
    store.set_checkpoint(&s, "bids", &same_tick_further).unwrap();
    assert_eq!(store.checkpoint(&s, "bids").unwrap(), Some(same_tick_further), "a higher id in the same tick moves on");
}
