//! Slowing down password guessing: failure budgets per account and per
//! address, in maps of bounded size, and the addresses each account signed in
//! from before.
//!
//! # The rule
//!
//! Every password check (signing in, and the current password when changing
//! it) spends from two budgets, and waits once either is spent:
//!
//! - **the address's**: 20 failures, then one more every 6 s, whatever the
//!   account (an office behind one NAT shares it). An IPv6 address counts as
//!   its /64: one home or phone is given a whole /64 and can pick any address in it.
//! - **the account's**: 5 failures, then one more every 30 s. An address (or
//!   /64) this account signed in from successfully before — the last
//!   [`KNOWN_PER_ACCOUNT`] of them — has a budget of its own of the same size
//!   instead of the account-wide one. Everywhere else shares the account-wide one.
//!
//! So a stranger who fails once every 30 s keeps the account waiting for
//! everyone new, but not its owner at the desk or phone they signed in from
//! before; and guessing an account gets at most five tries plus one per 30 s
//! per budget — one budget for the whole internet, one per known address —
//! never more because the guesser moves. A correct password waits like a wrong
//! one (the answer must not tell a guesser they were right).
//!
//! A check spends from the budgets before it is hashed, not after: each attempt
//! in flight counts as a failure until it is settled, and one is refused
//! unheard when the failures spent plus those in flight leave no room — so a
//! thousand guesses sent at once cost the hasher what six sent one by one do,
//! not a thousand argon2 checks. A right password gives its share back.
//!
//! The known addresses outlive a restart: the first time an account is
//! checked, its last [`KNOWN_PER_ACCOUNT`] addresses (or /64s) are read from
//! the audit log's successful sign-ins (`action = 'login'`), so a stranger
//! cannot lock the owner out by waiting for the server to restart.
//!
//! The maps are bounded whatever the keys: budgets back to full are dropped
//! when the map fills, and if it is still full, those closest to full go
//! first. Each entry needs a failed argon2 check (tens of ms on a hashing slot),
//! so the caps are far above what can fill in a budget's lifetime (150 s).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Successful addresses remembered per account.
pub const KNOWN_PER_ACCOUNT: usize = 4;
/// Budgets kept at once (accounts, known addresses and addresses together).
const MAX_BUDGETS: usize = 50_000;
/// Accounts whose known addresses are kept (the most recently signed in).
const MAX_KNOWN_ACCOUNTS: usize = 100_000;

/// The address part of a key: an IPv4 address, or an IPv6 address's /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => AddressKey(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey(IpAddr::V4(v4)),
                None => AddressKey(IpAddr::V6(Ipv6Addr::from(
                    u128::from(v6) & !u128::from(u64::MAX),
                ))),
            },
        }
    }
}

/// A budget: `burst` failures at once, then one more every `every`.
#[derive(Debug, Clone, Copy)]
struct Budget {
    burst: u32,
    every: Duration,
}

/// Whose budget.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// An account, from anywhere but its known addresses.
    Account(String),
    /// An account, from one of its known addresses.
    AccountAt(String, AddressKey),
    Address(AddressKey),
}

/// One budget's state (GCRA): when it is full again, and when a spent one may try again.
#[derive(Debug, Clone, Copy)]
struct Spent {
    full_at: Instant,
    blocked_until: Option<Instant>,
}

impl Spent {
    /// Counts one failure; a failure beyond the budget blocks until a slot frees.
    fn fail(&mut self, budget: Budget, now: Instant) {
        let next = self.full_at.max(now) + budget.every;
        let window = budget.every * budget.burst;
        if next.saturating_duration_since(now) <= window {
            self.full_at = next;
        } else {
            let until = next
                .checked_sub(window)
                .unwrap_or(now)
                .max(now + Duration::from_secs(1));
            self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
        }
    }

    /// When this budget is as good as new (and may be forgotten).
    fn fresh_at(&self) -> Instant {
        self.blocked_until
            .map_or(self.full_at, |b| b.max(self.full_at))
    }
}

struct Known {
    at: Instant,
    /// Most recent first.
    addresses: Vec<AddressKey>,
}

struct Inner {
    spent: HashMap<Key, Spent>,
    /// Checks begun and not yet settled, per budget (as many as requests in
    /// flight, so bounded by them; an entry goes when it falls to zero).
    in_flight: HashMap<Key, u32>,
    known: HashMap<String, Known>,
}

/// A password check the budgets have room for: it counts against them until
/// it is settled — [`Attempt::failed`], [`Attempt::right`], or dropped before
/// its hash began (refused, busy).
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    keys: Vec<(Key, bool)>,
    /// Set once the password is being hashed. From then on an attempt dropped
    /// unsettled counts as a failure: a client that hangs up mid-check drops
    /// the request, but its hash still runs on a slot — were that free, one
    /// address could keep the hasher full of guesses nobody pays for.
    hashing: bool,
}

impl Attempt<'_> {
    /// How long the budgets this attempt spends from must still wait, if they
    /// were spent meanwhile (by checks that finished while this one queued).
    pub fn wait(&self) -> Option<Duration> {
        let now = Instant::now();
        let inner = self.limiter.lock();
        self.keys
            .iter()
            .filter_map(|(k, _)| inner.spent.get(k)?.blocked_until)
            .filter_map(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    /// The password is about to be hashed: settle it, or it counts as failed.
    pub fn hashing(&mut self) {
        self.hashing = true;
    }

    /// The password was right: its place in the budgets is given back.
    pub fn right(mut self) {
        self.hashing = false;
    }

    /// The password was wrong: the failure is counted for good.
    pub fn failed(mut self) {
        self.hashing = false;
        self.limiter.count_failure(&self.keys);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.hashing {
            // Abandoned while its hash ran: as good as a wrong guess.
            self.limiter.count_failure(&self.keys);
        }
        let mut inner = self.limiter.lock();
        for (key, _) in &self.keys {
            if let Some(n) = inner.in_flight.get_mut(key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    inner.in_flight.remove(key);
                }
            }
        }
    }
}

/// The failure budgets of sign-in and password checks (see the module's rule).
pub struct LoginLimiter {
    account: Budget,
    address: Budget,
    max_budgets: usize,
    max_known: usize,
    inner: Mutex<Inner>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(5, Duration::from_secs(30), 20, Duration::from_secs(6))
    }
}

/// Drops entries until `map` has room for one more: first the ones `done`
/// says are over, then the quarter `age` puts first.
fn make_room<K: Clone + Eq + std::hash::Hash, V, T: Ord + Copy>(
    map: &mut HashMap<K, V>,
    cap: usize,
    done: impl Fn(&V) -> bool,
    age: impl Fn(&V) -> T,
) {
    if map.len() < cap {
        return;
    }
    map.retain(|_, v| !done(v));
    if map.len() < cap {
        return;
    }
    let mut ages: Vec<(T, K)> = map.iter().map(|(k, v)| (age(v), k.clone())).collect();
    ages.sort_unstable_by_key(|(t, _)| *t);
    for (_, k) in ages.into_iter().take(cap / 4 + 1) {
        map.remove(&k);
    }
}

impl LoginLimiter {
    pub fn new(
        account_burst: u32,
        account_every: Duration,
        address_burst: u32,
        address_every: Duration,
    ) -> Self {
        LoginLimiter {
            account: Budget {
                burst: account_burst.max(1),
                every: account_every,
            },
            address: Budget {
                burst: address_burst.max(1),
                every: address_every,
            },
            max_budgets: MAX_BUDGETS,
            max_known: MAX_KNOWN_ACCOUNTS,
            inner: Mutex::new(Inner {
                spent: HashMap::new(),
                in_flight: HashMap::new(),
                known: HashMap::new(),
            }),
        }
    }

    /// The same limiter with smaller maps (tests).
    pub fn with_caps(mut self, max_budgets: usize, max_known: usize) -> Self {
        self.max_budgets = max_budgets.max(1);
        self.max_known = max_known.max(1);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The budgets an attempt on `account` from `ip` spends, each with whether
    /// it is an account's (or else an address's).
    fn keys(inner: &Inner, account: &str, ip: Option<IpAddr>) -> Vec<(Key, bool)> {
        let address = ip.map(AddressKey::of);
        let known = address.filter(|a| {
            inner
                .known
                .get(account)
                .is_some_and(|k| k.addresses.contains(a))
        });
        let account_key = match known {
            Some(a) => Key::AccountAt(account.to_string(), a),
            None => Key::Account(account.to_string()),
        };
        let mut keys = vec![(account_key, true)];
        keys.extend(address.map(|a| (Key::Address(a), false)));
        keys
    }

    /// How long an attempt on this account from this address must still wait, if at all.
    pub fn wait(&self, account: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let inner = self.lock();
        Self::keys(&inner, account, ip)
            .iter()
            .filter_map(|(k, _)| inner.spent.get(k)?.blocked_until)
            .filter_map(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    fn budget(&self, is_account: bool) -> Budget {
        if is_account {
            self.account
        } else {
            self.address
        }
    }

    /// Starts a password check on this account from this address, or says how
    /// long to wait: a budget waits when it is blocked, or when the checks in
    /// flight, were they all to fail, would spend it (the first of them to
    /// spend it is allowed, as it would be one after another).
    pub fn begin(&self, account: &str, ip: Option<IpAddr>) -> Result<Attempt<'_>, Duration> {
        let now = Instant::now();
        let mut inner = self.lock();
        let keys = Self::keys(&inner, account, ip);
        let mut wait = Duration::ZERO;
        for (key, is_account) in &keys {
            let budget = self.budget(*is_account);
            let window = budget.every * budget.burst;
            let spent = inner.spent.get(key);
            if let Some(until) = spent.and_then(|s| s.blocked_until) {
                wait = wait.max(until.saturating_duration_since(now));
            }
            let in_flight = inner.in_flight.get(key).copied().unwrap_or(0);
            let full_at = spent.map_or(now, |s| s.full_at.max(now));
            let after_all = full_at + budget.every * in_flight;
            if after_all.saturating_duration_since(now) > window {
                let free_at = after_all.checked_sub(window).unwrap_or(now);
                wait = wait.max(free_at.saturating_duration_since(now));
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for (key, _) in &keys {
            *inner.in_flight.entry(key.clone()).or_insert(0) += 1;
        }
        Ok(Attempt {
            limiter: self,
            keys,
            hashing: false,
        })
    }

    /// Counts one failure against the account and the address.
    pub fn failed(&self, account: &str, ip: Option<IpAddr>) {
        let keys = Self::keys(&self.lock(), account, ip);
        self.count_failure(&keys);
    }

    fn count_failure(&self, keys: &[(Key, bool)]) {
        let now = Instant::now();
        let mut inner = self.lock();
        for (key, is_account) in keys {
            let budget = self.budget(*is_account);
            if !inner.spent.contains_key(key) {
                make_room(
                    &mut inner.spent,
                    self.max_budgets,
                    |s| s.fresh_at() <= now,
                    Spent::fresh_at,
                );
            }
            inner
                .spent
                .entry(key.clone())
                .or_insert(Spent {
                    full_at: now,
                    blocked_until: None,
                })
                .fail(budget, now);
        }
    }

    /// Whether this account's known addresses are held (else they are to be
    /// read from the audit log and given to [`Self::remember`]).
    pub fn knows(&self, account: &str) -> bool {
        self.lock().known.contains_key(account)
    }

    /// Fills an account's known addresses from its earlier sign-ins, most
    /// recent first (after a restart, or once the account was dropped from
    /// the map); addresses already held stay first.
    pub fn remember(&self, account: &str, addresses: impl IntoIterator<Item = IpAddr>) {
        let now = Instant::now();
        let mut inner = self.lock();
        if !inner.known.contains_key(account) {
            make_room(&mut inner.known, self.max_known, |_| false, |k| k.at);
        }
        let known = inner.known.entry(account.to_string()).or_insert(Known {
            at: now,
            addresses: Vec::new(),
        });
        for address in addresses.into_iter().map(AddressKey::of) {
            if known.addresses.len() >= KNOWN_PER_ACCOUNT {
                break;
            }
            if !known.addresses.contains(&address) {
                known.addresses.push(address);
            }
        }
    }

    /// Remembers a successful sign-in's address for the account.
    pub fn succeeded(&self, account: &str, ip: Option<IpAddr>) {
        let Some(address) = ip.map(AddressKey::of) else {
            return;
        };
        let now = Instant::now();
        let mut inner = self.lock();
        if !inner.known.contains_key(account) {
            make_room(&mut inner.known, self.max_known, |_| false, |k| k.at);
        }
        let known = inner.known.entry(account.to_string()).or_insert(Known {
            at: now,
            addresses: Vec::new(),
        });
        known.at = now;
        known.addresses.retain(|a| *a != address);
        known.addresses.insert(0, address);
        known.addresses.truncate(KNOWN_PER_ACCOUNT);
    }

    /// How many budgets and accounts' known addresses are held (tests).
    pub fn sizes(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.spent.len(), inner.known.len())
    }

    /// How many budgets have checks in flight (tests).
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn blocks_an_account_after_its_burst_of_failures() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60), 100, Duration::from_secs(1));
        let from = ip("10.0.0.1");
        for _ in 0..3 {
            assert_eq!(limiter.wait("clerk", from), None);
            limiter.failed("clerk", from);
        }
        assert_eq!(
            limiter.wait("clerk", from),
            None,
            "the burst itself is allowed"
        );
        limiter.failed("clerk", from);
        let wait = limiter.wait("clerk", from).expect("blocked");
        assert!(
            wait > Duration::from_secs(30) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        // The account waits from anywhere new…
        assert!(limiter.wait("clerk", ip("10.0.0.2")).is_some());
        assert!(limiter.wait("clerk", None).is_some());
        // …another account from another address is not affected.
        assert_eq!(limiter.wait("manager", ip("10.0.0.2")), None);
    }

    #[test]
    fn blocks_an_address_across_accounts() {
        let limiter = LoginLimiter::new(100, Duration::from_secs(1), 2, Duration::from_secs(60));
        let from = ip("10.0.0.9");
        for name in ["a", "b", "c"] {
            limiter.failed(name, from);
        }
        assert!(limiter.wait("someone-else", from).is_some());
        assert_eq!(limiter.wait("someone-else", ip("10.0.0.10")), None);
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        let limiter = LoginLimiter::new(100, Duration::from_secs(1), 2, Duration::from_secs(60));
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            limiter.failed(name, ip(&format!("2001:db8:1:2::{}", i + 1)));
        }
        assert!(limiter
            .wait("d", ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
            .is_some());
        assert_eq!(limiter.wait("d", ip("2001:db8:1:3::1")), None);
        assert_eq!(
            AddressKey::of("::ffff:10.1.2.3".parse().expect("ip")),
            AddressKey::of("10.1.2.3".parse().expect("ip")),
            "an IPv4-mapped address is its IPv4 address"
        );
    }

    #[test]
    fn the_owner_at_a_known_address_has_a_budget_of_their_own() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60), 100, Duration::from_secs(1));
        limiter.succeeded("clerk", ip("2001:db8:aa:bb::1"));
        for i in 0..10 {
            limiter.failed("clerk", ip(&format!("203.0.113.{i}")));
        }
        assert!(limiter.wait("clerk", ip("203.0.113.200")).is_some());
        assert_eq!(
            limiter.wait("clerk", ip("2001:db8:aa:bb::2")),
            None,
            "the owner's /64 is not locked out by strangers"
        );
        // A guesser at the known address is held to the same size of budget.
        for _ in 0..4 {
            limiter.failed("clerk", ip("2001:db8:aa:bb::3"));
        }
        assert!(limiter.wait("clerk", ip("2001:db8:aa:bb::1")).is_some());
    }

    #[test]
    fn only_the_last_few_successful_addresses_are_known() {
        let limiter = LoginLimiter::new(1, Duration::from_secs(60), 100, Duration::from_secs(1));
        for i in 0..=KNOWN_PER_ACCOUNT {
            limiter.succeeded("clerk", ip(&format!("10.0.1.{i}")));
        }
        limiter.failed("clerk", ip("198.51.100.1"));
        limiter.failed("clerk", ip("198.51.100.1"));
        assert!(
            limiter.wait("clerk", ip("10.0.1.0")).is_some(),
            "the oldest was forgotten"
        );
        assert_eq!(limiter.wait("clerk", ip("10.0.1.1")), None);
    }

    #[test]
    fn the_maps_stay_bounded_whatever_the_keys() {
        let limiter = LoginLimiter::new(5, Duration::from_secs(30), 20, Duration::from_secs(6))
            .with_caps(1_000, 100);
        for i in 0..20_000u32 {
            let from = Some(IpAddr::from(i.to_be_bytes()));
            limiter.failed(&format!("guess-{i}"), from);
            limiter.succeeded(&format!("owner-{i}"), from);
        }
        let (budgets, known) = limiter.sizes();
        assert!(budgets <= 1_000, "{budgets}");
        assert!(known <= 100, "{known}");
    }

    #[test]
    fn checks_in_flight_spend_the_budget_before_they_are_hashed() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60), 100, Duration::from_secs(1));
        let from = ip("10.0.0.1");
        // Three failures and the one that spends the budget, as one after another.
        let begun: Vec<Attempt<'_>> = (0..4)
            .map(|_| limiter.begin("clerk", from).expect("room"))
            .collect();
        let refused = limiter.begin("clerk", from).err().expect("no room left");
        assert!(refused >= Duration::from_secs(1), "{refused:?}");
        assert!(
            limiter.begin("clerk", ip("10.0.0.2")).is_err(),
            "the account's budget"
        );
        assert!(limiter.begin("manager", from).is_ok(), "another account");
        // A right password gives its share back…
        let mut begun = begun.into_iter();
        drop(begun.next());
        let fifth = limiter.begin("clerk", from).expect("room again");
        // …a wrong one keeps it spent.
        for attempt in begun {
            attempt.failed();
        }
        fifth.failed();
        assert!(
            limiter.wait("clerk", from).is_some(),
            "the fourth failure blocks"
        );
        assert!(limiter.begin("clerk", from).is_err());
        assert_eq!(limiter.in_flight(), 0, "every attempt settled");
    }

    #[test]
    fn an_attempt_sees_a_budget_spent_while_it_queued() {
        let limiter = LoginLimiter::new(1, Duration::from_secs(60), 100, Duration::from_secs(1));
        let from = ip("10.0.0.1");
        let first = limiter.begin("clerk", from).expect("room");
        let second = limiter.begin("clerk", from).expect("room");
        assert_eq!(second.wait(), None);
        first.failed();
        limiter.failed("clerk", from);
        assert!(second.wait().is_some());
    }

    #[test]
    fn known_addresses_read_back_count_like_remembered_ones() {
        let limiter = LoginLimiter::new(1, Duration::from_secs(60), 100, Duration::from_secs(1));
        assert!(!limiter.knows("clerk"));
        let earlier = [
            "2001:db8:1:2::5",
            "2001:db8:1:2::6",
            "10.0.0.1",
            "10.0.0.2",
            "10.0.0.3",
            "10.0.0.4",
        ];
        limiter.remember("clerk", earlier.iter().filter_map(|a| a.parse().ok()));
        assert!(limiter.knows("clerk"));
        for _ in 0..3 {
            limiter.failed("clerk", ip("198.51.100.1"));
        }
        assert!(limiter.wait("clerk", ip("198.51.100.2")).is_some());
        assert_eq!(
            limiter.wait("clerk", ip("2001:db8:1:2::99")),
            None,
            "its /64"
        );
        assert_eq!(limiter.wait("clerk", ip("10.0.0.3")), None);
        assert!(
            limiter.wait("clerk", ip("10.0.0.4")).is_some(),
            "only the last four distinct are known"
        );
    }

    #[test]
    fn an_attempt_abandoned_while_hashing_counts_as_a_failure() {
        let limiter = LoginLimiter::default();
        let from = ip("10.0.0.9");
        // Six checks whose clients hung up mid-hash: the budget is spent.
        for _ in 0..6 {
            let mut attempt = limiter.begin("clerk", from).expect("room");
            attempt.hashing();
            drop(attempt);
        }
        assert!(
            limiter.begin("clerk", from).is_err(),
            "abandoned checks were paid for"
        );
        assert_eq!(limiter.in_flight(), 0, "and none is left in flight");
        // Dropped before hashing (busy, refused): free, as before.
        let other = ip("10.0.0.10");
        for _ in 0..20 {
            drop(limiter.begin("manager", other).expect("room"));
        }
        assert!(limiter.begin("manager", other).is_ok());
    }
}
