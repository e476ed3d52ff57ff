//! Settings, from flags or environment variables (documented in `--help` and README).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`. Default: a SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// The data directory (the default SQLite database lives here).
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => format!(
                "sqlite://{}",
                self.data_dir.join("estate-desk.db").display()
            ),
        }
    }
}

/// How the web server behaves.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// The address to listen on (default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000).
    #[arg(long, env = "ADDR")]
    pub addr: Option<SocketAddr>,
    /// Served over HTTPS (behind TLS): the session cookie becomes `Secure` and
    /// `__Host-desk_session`, and responses carry HSTS. See README, "Deployment behind TLS".
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Behind exactly one reverse proxy of your own: take the caller's address
    /// from the last `X-Forwarded-For` entry, the one that proxy appended.
    #[arg(long, env = "TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Sign out after this many minutes without a request.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: u64,
    /// Sign out this many hours after signing in, however active.
    #[arg(long, env = "SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u64,
    /// The largest request body accepted, in bytes (larger gets 413).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Password hashes computed at once (argon2id, 19 MiB each); sign-in checks
    /// beyond them wait in a bounded queue (16 per slot, at most 2 s), then are told "busy".
    #[arg(long, env = "HASH_SLOTS", default_value_t = 1)]
    pub hash_slots: usize,
}

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "desk_session";
/// Its name behind TLS: the `__Host-` prefix makes browsers accept it only if
/// `Secure`, with `Path=/` and no `Domain`, so neither a sibling subdomain nor a
/// plain-HTTP page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-desk_session";

/// The HTTP stack's settings, as the router needs them.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            secure_cookies: false,
            trust_proxy: false,
            session_idle: Duration::from_secs(120 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            max_body_bytes: 1024 * 1024,
        }
    }
}

impl HttpConfig {
    /// The session cookie's name under these settings.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }
}

impl From<&HttpArgs> for HttpConfig {
    fn from(a: &HttpArgs) -> Self {
        HttpConfig {
            secure_cookies: a.secure_cookies,
            trust_proxy: a.trust_proxy,
            session_idle: Duration::from_secs(a.session_idle_minutes.max(1) * 60),
            session_absolute: Duration::from_secs(a.session_max_hours.max(1) * 3600),
            max_body_bytes: a.max_body_bytes,
        }
    }
}
