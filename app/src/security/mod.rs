//! The server's defences that hold no domain knowledge, below every area
//! (server only): the password hasher's bounded queue ([`hashing`]) and the
//! failure budgets every password check spends ([`limiter`], whose doc
//! states the throttling rule). `auth` signs people in with them; the
//! application state owns one of each.

pub mod hashing;
pub mod limiter;

/// A fresh unguessable token for a QR code's address (a goods-release pass,
/// a renovation permit): 128 random bits, hex.
pub fn random_token() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
