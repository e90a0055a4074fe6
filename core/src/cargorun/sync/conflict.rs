//! The conflict rule of `cargorun/integration/examples-1c.md` §3–§4 (the older page: the
//! newest copy is cut at §3.2, CHANGES.md), and sync.md §9.
//!
//! Three times decide: CARGO.RUN's `updatedAt`, the local update time, and the last sync.
//! A side changed when its time is after the last sync:
//!
//! | §   | CARGO.RUN changed | local changed | [`SyncState`] |
//! |-----|---|---|---|
//! | 3.1 | no  | no  | `Unchanged` |
//! | 3.2 | no  | yes | `PushLocal` (update CARGO.RUN from the local data) |
//! | 3.3 | yes | no  | `PullRemote` (update the local data from CARGO.RUN) |
//! | 3.4 | yes | yes | `Conflict` |
//!
//! The page writes its conditions strictly ("Дата последней синхронизации > Дата
//! обновления") and leaves equality open. Here a time *equal* to the last sync is "not
//! changed": [`IdMap::mark_synced`](super::IdMap::mark_synced) records the last sync as the
//! later of the two update times it wrote, so equality means "this is the state that was
//! synced". A side with no time (the object is not there yet) has not changed; with no
//! last sync, a side that has the object has changed (it was never synced), so an object
//! on one side only is pushed or pulled, and one on both sides is a conflict.
//!
//! §4 resolves a conflict by a [`ConflictPolicy`]: CARGO.RUN wins, the local system wins
//! (automatic, §4.1), or manual (§4.2: record it, show both versions, let a user choose).
//!
//! The two systems' clocks are compared as they are: a local clock far off UTC shifts the
//! verdict, as it would in the page's own scheme.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the three times say about one object (examples-1c.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// §3.1: changed on neither side since the last sync: nothing to do.
    Unchanged,
    /// §3.2: changed only locally: send it to CARGO.RUN.
    PushLocal,
    /// §3.3: changed only in CARGO.RUN: update the local copy.
    PullRemote,
    /// §3.4: changed on both sides: a conflict, resolved by a [`ConflictPolicy`].
    Conflict,
}

/// How a conflict is resolved (examples-1c.md §4, sync.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    /// §4.1, priority CARGO.RUN: the local data is updated from CARGO.RUN.
    CargorunWins,
    /// §4.1, priority of the local system (1С): CARGO.RUN is updated from it.
    LocalWins,
    /// §4.2: the conflict is recorded and reported for a user to resolve.
    Manual,
}

/// What to do with one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing.
    Nothing,
    /// Send the local data to CARGO.RUN (`bids.apply`/`patch`, a directory's `apply`).
    PushLocal,
    /// Take CARGO.RUN's data into the local system.
    PullRemote,
    /// Show both versions to a user (the id map marks the conflict pending).
    Manual,
}

/// Classifies one object by the rule of examples-1c.md §3 (table in the module doc).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use logibridge::cargorun::sync::{classify, SyncState};
/// let t = |m| Some(Utc.with_ymd_and_hms(2026, 1, 23, 21, m, 0).unwrap());
/// assert_eq!(classify(t(10), t(5), t(0)), SyncState::Conflict);
/// assert_eq!(classify(t(0), t(5), t(0)), SyncState::PushLocal); // equal to the last sync: unchanged
/// ```
pub fn classify(cargorun_updated_at: Option<DateTime<Utc>>, local_updated_at: Option<DateTime<Utc>>, last_sync_at: Option<DateTime<Utc>>) -> SyncState {
    let changed = |t: Option<DateTime<Utc>>| match (t, last_sync_at) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(t), Some(s)) => t > s,
    };
    match (changed(cargorun_updated_at), changed(local_updated_at)) {
        (false, false) => SyncState::Unchanged,
        (false, true) => SyncState::PushLocal,
        (true, false) => SyncState::PullRemote,
        (true, true) => SyncState::Conflict,
    }
}

/// The action for a state under a policy (examples-1c.md §4): only a conflict depends on
/// the policy.
///
/// ```
/// use logibridge::cargorun::sync::{resolve, Action, ConflictPolicy, SyncState};
/// assert_eq!(resolve(SyncState::Conflict, ConflictPolicy::CargorunWins), Action::PullRemote);
/// assert_eq!(resolve(SyncState::Conflict, ConflictPolicy::Manual), Action::Manual);
/// assert_eq!(resolve(SyncState::PushLocal, ConflictPolicy::CargorunWins), Action::PushLocal);
/// ```
pub fn resolve(state: SyncState, policy: ConflictPolicy) -> Action {
    match (state, policy) {
        (SyncState::Unchanged, _) => Action::Nothing,
        (SyncState::PushLocal, _) => Action::PushLocal,
        (SyncState::PullRemote, _) => Action::PullRemote,
        (SyncState::Conflict, ConflictPolicy::CargorunWins) => Action::PullRemote,
        (SyncState::Conflict, ConflictPolicy::LocalWins) => Action::PushLocal,
        (SyncState::Conflict, ConflictPolicy::Manual) => Action::Manual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64, ticks: u32) -> Option<DateTime<Utc>> {
        Some(Utc.timestamp_opt(1_769_202_000 + seconds, ticks * 100).unwrap())
    }

    /// Every case of §3 with the boundaries: strictly before, equal to (to the 100 ns
    /// tick), one tick after the last sync, and absent times.
    #[test]
    fn the_table_of_examples_1c_section_3() {
        use SyncState::*;
        let sync = at(100, 5);
        let before = at(99, 0);
        let equal = at(100, 5);
        let tick_after = at(100, 6);
        let after = at(200, 0);
        #[rustfmt::skip]
        let table = [
            // §3.1: last sync after both, or equal to either.
            (before, before, sync, Unchanged),
            (equal, before, sync, Unchanged),
            (before, equal, sync, Unchanged),
            (equal, equal, sync, Unchanged),
            // §3.2: only local after the last sync.
            (before, after, sync, PushLocal),
            (equal, tick_after, sync, PushLocal),
            (before, tick_after, sync, PushLocal),
            // §3.3: only CARGO.RUN after the last sync.
            (after, before, sync, PullRemote),
            (tick_after, equal, sync, PullRemote),
            // §3.4: both after.
            (after, after, sync, Conflict),
            (tick_after, tick_after, sync, Conflict),
            (after, tick_after, sync, Conflict),
            // Absent times: the side does not have the object (not changed there).
            (None, after, sync, PushLocal),
            (after, None, sync, PullRemote),
            (None, None, sync, Unchanged),
            // Never synced: whoever has it changed it.
            (after, None, None, PullRemote),
            (None, after, None, PushLocal),
            (after, before, None, Conflict),
            (None, None, None, Unchanged),
        ];
        for (i, (remote, local, last, want)) in table.into_iter().enumerate() {
            assert_eq!(classify(remote, local, last), want, "row {i}: remote {remote:?}, local {local:?}, last sync {last:?}");
        }
    }

    #[test]
    fn every_policy_only_changes_a_conflict() {
        use ConflictPolicy::*;
        for policy in [CargorunWins, LocalWins, Manual] {
            assert_eq!(resolve(SyncState::Unchanged, policy), Action::Nothing);
            assert_eq!(resolve(SyncState::PushLocal, policy), Action::PushLocal);
            assert_eq!(resolve(SyncState::PullRemote, policy), Action::PullRemote);
        }
        assert_eq!(resolve(SyncState::Conflict, CargorunWins), Action::PullRemote);
        assert_eq!(resolve(SyncState::Conflict, LocalWins), Action::PushLocal);
        assert_eq!(resolve(SyncState::Conflict, Manual), Action::Manual);
    }
}
