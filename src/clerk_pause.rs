//! The clerk's pause: when she last pressed a key, for the counter's
//! background work (the district's forwarder, the settler of imported
//! people) to wait until she stops typing.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Background work goes while the clerk is not typing: it waits until no
/// key came for this long ...
const CLERK_PAUSE: Duration = Duration::from_secs(2);
/// ... or until it has waited this long (a clerk who types without a pause
/// still has her backlog go, one request at a time).
const LONGEST_HOLD: Duration = Duration::from_secs(30);

/// When the clerk last pressed a key, as the counter's screen tells its
/// workers: the two cores of a kiosk are shared, and a request in flight
/// (encoding, TLS, the district's answer, the outbox's commit) or a commit
/// of the settler is work beside the clerk's keystroke, whatever core it
/// runs on; and a commit holds the lock her own save needs.
#[derive(Debug)]
pub struct ClerkKeys {
    since: Instant,
    /// Milliseconds from `since` to the last key, plus one (0: no key yet).
    last_ms: std::sync::atomic::AtomicU64,
}

impl Default for ClerkKeys {
    fn default() -> ClerkKeys {
        ClerkKeys { since: Instant::now(), last_ms: std::sync::atomic::AtomicU64::new(0) }
    }
}

impl ClerkKeys {
    /// A key was pressed now.
    pub fn pressed(&self) {
        let ms = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms.saturating_add(1), Ordering::Relaxed);
    }

    /// How long ago the last key was pressed (None: none yet).
    fn quiet_for(&self) -> Option<Duration> {
        let last = self.last_ms.load(Ordering::Relaxed).checked_sub(1)?;
        Some(self.since.elapsed().saturating_sub(Duration::from_millis(last)))
    }

    /// Waits for the clerk's pause before a piece of work: until no key came
    /// for `CLERK_PAUSE`, or `LONGEST_HOLD` at most.
    pub fn wait_for_a_pause(&self) {
        let started = Instant::now();
        while let Some(wait) = self.still_to_wait(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }

    /// How much longer a piece of work that has waited `held` for the
    /// clerk's pause waits still (None: it goes now), for a worker that
    /// waits in its own way.
    pub fn still_to_wait(&self, held: Duration) -> Option<Duration> {
        hold(self.quiet_for(), held)
    }
}

/// How much longer a piece of work waits, the clerk's keys having been quiet for
/// `quiet` (None: no key yet) and the work having waited `held`.
fn hold(quiet: Option<Duration>, held: Duration) -> Option<Duration> {
    let quiet = quiet?;
    let until_pause = CLERK_PAUSE.checked_sub(quiet).filter(|d| !d.is_zero())?;
    let until_given_up = LONGEST_HOLD.checked_sub(held).filter(|d| !d.is_zero())?;
    Some(until_pause.min(until_given_up))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work waits while the clerk types, goes after her pause, and goes
    /// anyway once it has waited long enough; with no key yet it never waits.
    #[test]
    fn a_request_waits_for_the_clerks_pause_but_not_for_ever() {
        let ms = Duration::from_millis;
        assert_eq!(hold(None, ms(0)), None, "no key yet: no wait");
        assert_eq!(hold(Some(ms(100)), ms(0)), Some(CLERK_PAUSE - ms(100)), "a key 100 ms ago: wait for the pause");
        assert_eq!(hold(Some(CLERK_PAUSE), ms(0)), None, "the pause came: go");
        assert_eq!(hold(Some(ms(0)), LONGEST_HOLD - ms(500)), Some(ms(500)), "no longer than the longest hold");
        assert_eq!(hold(Some(ms(0)), LONGEST_HOLD), None, "held long enough: go, the clerk typing or not");
        let keys = ClerkKeys::default();
        assert_eq!(keys.quiet_for(), None);
        keys.pressed();
        assert!(keys.quiet_for().is_some_and(|q| q < CLERK_PAUSE), "{:?}", keys.quiet_for());
    }
}
