//! Rate limiting of failed logins, per account and per source address.
//!
//! The first failure for a key opens a window of [`WINDOW`]. Once the key
//! has reached its limit of failures inside that window, it stays blocked
//! until the window ends: [`MAX_FAILURES_PER_ACCOUNT`] for an account (the
//! e-mail address, compared case-insensitively) and
//! [`MAX_FAILURES_PER_ADDRESS`] for a source address, so one address cannot
//! try passwords on many accounts either.
//!
//! NOTE: the counts live in this process's memory. Several server instances
//! each keep their own counts, so behind a load balancer an attacker gets
//! the limits once per instance, and a restart clears them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Length of the window that failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failures that block an account for the rest of its window.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;

/// Failures that block a source address for the rest of its window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;

/// Maximum number of accounts, and separately of addresses, tracked at once.
/// Past it, expired windows are dropped first, then the oldest tenth.
pub const MAX_TRACKED_KEYS: usize = 100_000;

/// Keys are cut to this many characters so that an oversized login name
/// cannot inflate memory. E-mail addresses are at most 254 characters.
const MAX_KEY_CHARS: usize = 254;

/// In-memory login failure counts, cheap to clone and share between
/// handlers.
///
/// Callers pass the client address they trust (behind a proxy, the one the
/// proxy reports). For IPv6 clients, passing the /64 prefix stops one host
/// from cycling through its own addresses.
#[derive(Clone)]
pub struct LoginLimiter {
    counts: Arc<Mutex<Counts>>,
}

struct Counts {
    accounts: FailureWindows,
    addresses: FailureWindows,
}

struct FailureWindows {
    limit: u32,
    capacity: usize,
    windows: HashMap<String, Window>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl LoginLimiter {
    pub fn new() -> Self {
        Self::with_capacity(MAX_TRACKED_KEYS)
    }

    /// Creates a limiter that tracks at most `capacity` accounts and
    /// `capacity` addresses.
    pub fn with_capacity(capacity: usize) -> Self {
        let counts = Counts {
            accounts: FailureWindows::new(MAX_FAILURES_PER_ACCOUNT, capacity),
            addresses: FailureWindows::new(MAX_FAILURES_PER_ADDRESS, capacity),
        };
        Self { counts: Arc::new(Mutex::new(counts)) }
    }

    /// Checks whether a login attempt may proceed. A blocked attempt gets
    /// the time until the longer of the account and address blocks ends.
    pub fn check(&self, account: &str, source_ip: &str, now: Instant) -> Result<(), Duration> {
        let counts = self.lock();
        let account_block = counts.accounts.blocked_for(&account_key(account), now);
        let address_block = counts.addresses.blocked_for(&address_key(source_ip), now);
        match account_block.max(address_block) {
            Some(retry_after) => Err(retry_after),
            None => Ok(()),
        }
    }

    /// Counts a failed login against the account and the source address.
    pub fn record_failure(&self, account: &str, source_ip: &str, now: Instant) {
        let mut counts = self.lock();
        counts.accounts.record(account_key(account), now);
        counts.addresses.record(address_key(source_ip), now);
    }

    /// Clears the account's failures after a successful login. The source
    /// address keeps its count, because an attacker who owns one account
    /// could otherwise reset the address limit between guesses at others.
    pub fn record_success(&self, account: &str, _source_ip: &str) {
        self.lock().accounts.windows.remove(&account_key(account));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay usable after a panic elsewhere, and losing a few
        // of them does no harm.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn account_key(account: &str) -> String {
    account.trim().chars().take(MAX_KEY_CHARS).collect::<String>().to_lowercase()
}

fn address_key(source_ip: &str) -> String {
    source_ip.trim().chars().take(MAX_KEY_CHARS).collect()
}

impl Window {
    fn is_open(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.started) < WINDOW
    }

    fn remaining(&self, now: Instant) -> Duration {
        WINDOW.saturating_sub(now.saturating_duration_since(self.started))
    }
}

impl FailureWindows {
    fn new(limit: u32, capacity: usize) -> Self {
        Self { limit, capacity, windows: HashMap::new() }
    }

    fn blocked_for(&self, key: &str, now: Instant) -> Option<Duration> {
        let window = self.windows.get(key)?;
        (window.is_open(now) && window.failures >= self.limit).then(|| window.remaining(now))
    }

    fn record(&mut self, key: String, now: Instant) {
        if let Some(window) = self.windows.get_mut(&key) {
            if window.is_open(now) {
                window.failures = window.failures.saturating_add(1);
            } else {
                *window = Window { started: now, failures: 1 };
            }
            return;
        }

        if self.windows.len() >= self.capacity {
            self.make_room(now);
        }
        self.windows.insert(key, Window { started: now, failures: 1 });
    }

    /// Drops expired windows, and if that frees nothing, the oldest tenth.
    fn make_room(&mut self, now: Instant) {
        self.windows.retain(|_, window| window.is_open(now));
        if self.windows.len() < self.capacity {
            return;
        }

        let mut starts: Vec<Instant> = self.windows.values().map(|window| window.started).collect();
        let evict = (starts.len() / 10).max(1);
        let (_, cutoff, _) = starts.select_nth_unstable(evict - 1);
        let cutoff = *cutoff;
        self.windows.retain(|_, window| window.started > cutoff);
        tracing::warn!(
            tracked = self.windows.len(),
            "login limiter reached {} tracked keys and dropped the oldest failure counts",
            self.capacity
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: &str = "192.0.2.10";

    fn fail(limiter: &LoginLimiter, account: &str, ip: &str, times: u32, now: Instant) {
        for _ in 0..times {
            limiter.record_failure(account, ip, now);
        }
    }

    #[test]
    fn four_failures_do_not_block() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "ada@example.com", IP, 4, start);
        assert_eq!(limiter.check("ada@example.com", IP, start), Ok(()));
    }

    #[test]
    fn fifth_failure_blocks_account() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "ada@example.com", IP, 5, start);

        let later = start + Duration::from_secs(60);
        assert_eq!(limiter.check("ada@example.com", "198.51.100.7", later), Err(WINDOW - Duration::from_secs(60)));
    }

    #[test]
    fn account_compared_case_insensitively() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "Ada@Example.com", IP, 3, start);
        fail(&limiter, "ada@example.COM ", IP, 2, start);
        assert!(limiter.check("ADA@EXAMPLE.COM", IP, start).is_err());
    }

    #[test]
    fn window_expiry_unblocks() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "ada@example.com", IP, 5, start);
        assert!(limiter.check("ada@example.com", IP, start + WINDOW - Duration::from_secs(1)).is_err());
        assert_eq!(limiter.check("ada@example.com", IP, start + WINDOW), Ok(()));
    }

    #[test]
    fn failure_after_expiry_starts_new_window() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "ada@example.com", IP, 4, start);
        let next_window = start + WINDOW;
        fail(&limiter, "ada@example.com", IP, 1, next_window);
        assert_eq!(limiter.check("ada@example.com", IP, next_window), Ok(()));
    }

    #[test]
    fn success_resets_account_count() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        fail(&limiter, "ada@example.com", IP, 4, start);
        limiter.record_success("ADA@example.com", IP);
        fail(&limiter, "ada@example.com", IP, 4, start);
        assert_eq!(limiter.check("ada@example.com", IP, start), Ok(()));
    }

    #[test]
    fn success_keeps_address_count() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        for n in 0..19 {
            limiter.record_failure(&format!("user{n}@example.com"), IP, start);
        }
        limiter.record_success("owner@example.com", IP);
        limiter.record_failure("user19@example.com", IP, start);
        assert!(limiter.check("owner@example.com", IP, start).is_err());
    }

    #[test]
    fn address_limit_independent_of_account() {
        let limiter = LoginLimiter::new();
        let start = Instant::now();
        for n in 0..19 {
            limiter.record_failure(&format!("user{n}@example.com"), IP, start);
        }
        assert_eq!(limiter.check("someone@example.com", IP, start), Ok(()));

        limiter.record_failure("user19@example.com", IP, start);
        assert_eq!(limiter.check("someone@example.com", IP, start), Err(WINDOW));
        assert_eq!(limiter.check("someone@example.com", "198.51.100.7", start), Ok(()));
    }

    #[test]
    fn capacity_bounds_tracked_keys() {
        let limiter = LoginLimiter::with_capacity(100);
        let start = Instant::now();
        for n in 0..1_000u64 {
            let at = start + Duration::from_millis(n);
            limiter.record_failure(&format!("user{n}@example.com"), &format!("10.0.{}.{}", n / 256, n % 256), at);
        }
        let counts = limiter.lock();
        assert!(counts.accounts.windows.len() <= 100, "{} accounts", counts.accounts.windows.len());
        assert!(counts.addresses.windows.len() <= 100, "{} addresses", counts.addresses.windows.len());
        assert!(counts.accounts.windows.contains_key("user999@example.com"));
    }

    #[test]
    fn expired_windows_pruned_first() {
        let limiter = LoginLimiter::with_capacity(10);
        let start = Instant::now();
        fail(&limiter, "blocked@example.com", "10.0.0.1", 5, start + WINDOW);
        for n in 0..9 {
            limiter.record_failure(&format!("old{n}@example.com"), "10.0.0.2", start);
        }
        limiter.record_failure("new@example.com", "10.0.0.3", start + WINDOW);

        let counts = limiter.lock();
        assert_eq!(counts.accounts.windows.len(), 2);
        drop(counts);
        assert!(limiter.check("blocked@example.com", "10.0.0.9", start + WINDOW).is_err());
    }
}
