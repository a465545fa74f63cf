//! A sink's pause: when a destination answers `Retry-After`, it asked for
//! quiet, not for one request to wait. Every delivery to that sink, the
//! retry and the alerts queued behind it alike, waits until the pause is
//! over.

use parking_lot::Mutex;
use tokio::time::{Instant, sleep_until};

/// Until when a sink is paused (shared by its delivery tasks).
#[derive(Debug, Default)]
pub(crate) struct Pause {
    until: Mutex<Option<Instant>>,
}

impl Pause {
    /// Pauses the sink until at least `until` (a pause already longer
    /// stays as it is).
    pub(crate) fn extend_to(&self, until: Instant) {
        let mut current = self.until.lock();
        *current = Some(current.map_or(until, |c| c.max(until)));
    }

    /// Returns once the sink is not paused; waits again if the pause was
    /// extended meanwhile.
    pub(crate) async fn wait(&self) {
        loop {
            let until = *self.until.lock();
            match until {
                Some(at) if at > Instant::now() => sleep_until(at).await,
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_longest_pause_asked() {
        let pause = Pause::default();
        let start = Instant::now();
        pause.wait().await;
        assert_eq!(Instant::now(), start, "no pause, no wait");
        pause.extend_to(start + Duration::from_secs(5));
        pause.extend_to(start + Duration::from_secs(2));
        pause.wait().await;
        assert_eq!(Instant::now(), start + Duration::from_secs(5));
    }
}
