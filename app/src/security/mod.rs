//! The server's defences that hold no domain knowledge, below every area
//! (server only): the password hasher's bounded queue ([`hashing`]) and the
//! failure budgets every password check spends ([`limiter`], whose doc
//! states the throttling rule). `auth` signs people in with them; the
//! application state owns one of each.

pub mod hashing;
pub mod limiter;
