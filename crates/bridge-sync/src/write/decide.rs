//! What to do with a journal entry, and which state what happened leads to.
//!
//! Both functions are pure, so the whole exactly-once behaviour is the tables in the tests
//! below. The rule they keep: a request is sent again only after a read of Personio showed
//! that the earlier one left no trace; a write whose answer was lost (a timeout, a reset, a
//! 5xx after the body went out, a mangled 2xx, a crash between sending and recording) is
//! `unknown` until such a read says what became of it.

use bridge_store::JournalState;

/// How often one call may send, and read to resolve, before it gives the entry back
/// unfinished (a later call, or the next start, carries on from the journal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub sends: u32,
    pub reads: u32,
}

/// What this call has spent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    pub sends: u32,
    pub reads: u32,
}

/// The next step for an entry in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Final: answer the stored outcome, send nothing.
    Replay,
    /// Nothing was sent (or Personio certainly did not act): send the request.
    Send,
    /// A request may have reached Personio: read Personio to learn what became of it.
    Resolve,
    /// Personio took it: store the record with the outcome (write-through).
    Store,
    /// The budget is spent: leave the entry as it is, and say the outcome is not known yet.
    Stop,
}

/// What a send came back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A 2xx that could be read.
    Accepted,
    /// A 4xx refusal (validation, conflict, missing access, no such record): Personio did
    /// not act and will not.
    Refused,
    /// Certainly not acted on, but worth trying later: a 429, nothing listening.
    NotSent,
    /// Perhaps acted on: timeout, reset, truncated or invalid body, 5xx.
    Ambiguous,
}

/// What a resolving read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Personio shows the write's effect (the created record, the changed fields, the
    /// record gone).
    Applied,
    /// Personio shows no trace of it.
    Absent,
    /// The read failed: nothing learnt.
    Failed,
}

/// Something that happened to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Sent(Answer),
    Read(Found),
}

/// The next step for an entry in `state`, given what this call has spent.
pub fn next(state: JournalState, spent: Spent, budget: Budget) -> Action {
    match state {
        JournalState::Succeeded | JournalState::Refused => Action::Replay,
        JournalState::Accepted => Action::Store,
        JournalState::Pending if spent.sends >= budget.sends => Action::Stop,
        JournalState::Pending => Action::Send,
        JournalState::Sending | JournalState::Unknown if spent.reads >= budget.reads => {
            Action::Stop
        }
        JournalState::Sending | JournalState::Unknown => Action::Resolve,
    }
}

/// The state `event` leads to.
pub fn after(event: Event) -> JournalState {
    match event {
        Event::Sent(Answer::Accepted) | Event::Read(Found::Applied) => JournalState::Accepted,
        Event::Sent(Answer::Refused) => JournalState::Refused,
        Event::Sent(Answer::NotSent) | Event::Read(Found::Absent) => JournalState::Pending,
        Event::Sent(Answer::Ambiguous) | Event::Read(Found::Failed) => JournalState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JournalState::*;

    const BUDGET: Budget = Budget { sends: 3, reads: 3 };

    fn spent(sends: u32, reads: u32) -> Spent {
        Spent { sends, reads }
    }

    #[test]
    fn each_state_has_its_next_step() {
        let table = [
            ("a new entry is sent", Pending, spent(0, 0), Action::Send),
            (
                "a refused-for-now one is sent again",
                Pending,
                spent(1, 0),
                Action::Send,
            ),
            (
                "until the sends run out",
                Pending,
                spent(3, 0),
                Action::Stop,
            ),
            (
                "a crash while sending is resolved first",
                Sending,
                spent(0, 0),
                Action::Resolve,
            ),
            (
                "an unknown answer is resolved",
                Unknown,
                spent(1, 0),
                Action::Resolve,
            ),
            (
                "until the reads run out",
                Unknown,
                spent(1, 3),
                Action::Stop,
            ),
            ("accepted is stored", Accepted, spent(1, 0), Action::Store),
            (
                "accepted is stored whatever was spent",
                Accepted,
                spent(3, 3),
                Action::Store,
            ),
            ("success replays", Succeeded, spent(0, 0), Action::Replay),
            ("a refusal replays", Refused, spent(0, 0), Action::Replay),
        ];
        for (case, state, spent, expected) in table {
            assert_eq!(next(state, spent, BUDGET), expected, "{case}");
        }
    }

    #[test]
    fn events_lead_to_states() {
        let table = [
            (Event::Sent(Answer::Accepted), Accepted),
            (Event::Sent(Answer::Refused), Refused),
            (Event::Sent(Answer::NotSent), Pending),
            (Event::Sent(Answer::Ambiguous), Unknown),
            (Event::Read(Found::Applied), Accepted),
            (Event::Read(Found::Absent), Pending),
            (Event::Read(Found::Failed), Unknown),
        ];
        for (event, expected) in table {
            assert_eq!(after(event), expected, "{event:?}");
        }
    }

    #[test]
    fn nothing_is_sent_twice_without_a_read_in_between() {
        // Walk every sequence of events up to six long: a Send may follow a Send only if a
        // Read(Absent) or a certain non-send lies between them.
        let events = [
            Event::Sent(Answer::Accepted),
            Event::Sent(Answer::Refused),
            Event::Sent(Answer::NotSent),
            Event::Sent(Answer::Ambiguous),
            Event::Read(Found::Applied),
            Event::Read(Found::Absent),
            Event::Read(Found::Failed),
        ];
        fn walk(
            state: JournalState,
            spent: Spent,
            maybe_applied: bool,
            depth: u32,
            events: &[Event],
        ) {
            let action = next(state, spent, Budget { sends: 4, reads: 4 });
            if action == Action::Send {
                assert!(!maybe_applied, "a send after an unresolved one");
            }
            if depth == 0 || !matches!(action, Action::Send | Action::Resolve) {
                return;
            }
            for event in events {
                let fits = matches!(
                    (action, event),
                    (Action::Send, Event::Sent(_)) | (Action::Resolve, Event::Read(_))
                );
                if !fits {
                    continue;
                }
                let mut spent = spent;
                let maybe = match event {
                    Event::Sent(Answer::Ambiguous) => true,
                    Event::Sent(_) => false,
                    Event::Read(Found::Failed) => maybe_applied,
                    Event::Read(_) => false,
                };
                match event {
                    Event::Sent(_) => spent.sends += 1,
                    Event::Read(_) => spent.reads += 1,
                }
                walk(after(*event), spent, maybe, depth - 1, events);
            }
        }
        walk(Pending, Spent::default(), false, 6, &events);
        walk(Sending, Spent::default(), true, 6, &events);
    }
}
