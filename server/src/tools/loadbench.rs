//! `server bench http`: the load benchmarks. Starts the release server on a
//! generated database (`server generate`), signs in a clerk, a maintenance
//! worker and a resident, and drives the pages people wait on with oha (a
//! Rust HTTP load generator, installed by `./desk bench`): each scenario
//! closed-loop at 64 connections and open-loop at a fixed 200 requests/s
//! (latency measured from when each request was due, so a stall is not
//! hidden). Then a login storm (argon2) while the portal page is measured,
//! the server's idle and peak RSS, its cold start, and the release wasm size.
//! Prints one line per scenario and writes `BENCHMARKS.md`. Asserts nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use app::db::Database;

/// What `server bench http` is told.
#[derive(Debug, Clone)]
pub struct Options {
    /// The generated database the scenarios run on (`server generate`).
    pub database_url: String,
    /// A second, bigger generated database (the company profile): the search
    /// scenario and a cold start are measured on it too.
    pub company_url: Option<String>,
    pub site_root: PathBuf,
    pub port: u16,
    /// Seconds of load per run.
    pub seconds: u64,
    /// The generated accounts' password.
    pub password: String,
    /// Where the report goes (`None`: the terminal only).
    pub out: Option<PathBuf>,
    /// The oha binary.
    pub oha: String,
    /// A smoke run (tests): tiny load, no report unless `out` says so.
    pub smoke: bool,
}

/// One scenario's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: String,
    pub rps: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub total: u64,
    /// Responses with another status than expected, and transport errors.
    pub unexpected: u64,
}

impl Figures {
    /// The issue's line: `<scenario>: <rps> req/s, p50 <ms> ms, p99 <ms> ms, p99.9 <ms> ms`.
    pub fn line(&self) -> String {
        format!(
            "{}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms",
            self.name, self.rps, self.p50, self.p99, self.p999
        )
    }
}

/// The server under test, a child process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `server serve` and waits for the sign-in page; returns it with
    /// the time from spawn to the first page.
    async fn start(opts: &Options, url: &str, log: &Path) -> anyhow::Result<(Server, Duration)> {
        // A server left over from an interrupted run would answer in this
        // one's place: refuse to start on a port that is taken.
        std::net::TcpListener::bind(("127.0.0.1", opts.port)).with_context(|| {
            format!(
                "port {} is taken (a server left from an earlier run?); stop it or pass --port",
                opts.port
            )
        })?;
        let exe = std::env::current_exe().context("the server binary")?;
        let log = std::fs::File::create(log)?;
        let started = Instant::now();
        let child = Command::new(exe)
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", opts.port))
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ROOT", &opts.site_root)
            .env("LEPTOS_OUTPUT_NAME", "estate-desk")
            .env("LEPTOS_ENV", "PROD")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start the server")?;
        let mut server = Server {
            child,
            port: opts.port,
        };
        loop {
            if let Ok(r) = http(server.port, "GET", "/login", "", "").await {
                if r.status == 200 && server.child.try_wait()?.is_none() {
                    return Ok((server, started.elapsed()));
                }
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("the server exited ({status}) before serving; see its log");
            }
            if started.elapsed() > Duration::from_secs(60) {
                server.stop();
                bail!("the server did not answer within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Resident set size now, at its peak, and now split into anonymous
    /// memory (the heap) and file pages (SQLite's memory-mapped database), in
    /// MiB (Linux /proc).
    fn rss(&self) -> (f64, f64, f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(0.0)
        };
        (
            field("VmRSS:"),
            field("VmHWM:"),
            field("RssAnon:"),
            field("RssFile:") + field("RssShmem:"),
        )
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A response of the tiny client below.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
}

/// One HTTP/1.1 request on its own connection: enough to sign in and to poll
/// for readiness (the load itself is oha's).
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    form: &str,
) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nConnection: close\r\n"
    );
    if !cookie.is_empty() {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(form);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no HTTP status line")?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Response { status, headers })
}

/// Form-encodes a value (the identifiers and password are ASCII here, but a
/// password may hold `&` or `+`).
fn form_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in and returns the session cookie header value.
async fn sign_in(port: u16, identifier: &str, password: &str) -> anyhow::Result<String> {
    let body = format!(
        "identifier={}&password={}",
        form_value(identifier),
        form_value(password)
    );
    let r = http(port, "POST", "/auth/login", "", &body).await?;
    let location = r
        .headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !(300..400).contains(&r.status) || location.starts_with("/login") {
        bail!(
            "signing in as {identifier} failed ({} → {location})",
            r.status
        );
    }
    let cookies: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .collect();
    Ok(cookies.join("; "))
}

/// Where a load's requests go.
enum Target {
    Url(String),
    /// A regex of URLs (`rand_regex`: `.` literal, `?` escaped).
    Regex(String),
    /// A file of URLs, one a line (ids spread evenly over a range).
    File(PathBuf),
}

/// A load: what oha sends.
struct Load<'a> {
    name: String,
    method: &'a str,
    url: Target,
    cookie: &'a str,
    body: Option<String>,
    /// 64 connections flat out (`None`), or this many requests a second.
    rate: Option<u32>,
    connections: u32,
    /// The status a good answer has (pages 200; a sign-in 303).
    expect: u16,
}

/// Runs oha and reads its JSON summary.
fn run_oha(opts: &Options, load: &Load, seconds: u64) -> anyhow::Result<Figures> {
    let mut cmd = Command::new(&opts.oha);
    cmd.args(["--no-tui", "--output-format", "json", "--redirect", "0"])
        .arg("-z")
        .arg(format!("{seconds}s"))
        .arg("-c")
        .arg(load.connections.to_string())
        .arg("-m")
        .arg(load.method);
    if let Some(rate) = load.rate {
        cmd.arg("-q")
            .arg(rate.to_string())
            .arg("--latency-correction");
    }
    if !load.cookie.is_empty() {
        cmd.arg("-H").arg(format!("Cookie: {}", load.cookie));
    }
    cmd.arg("-H")
        .arg(format!("Origin: http://127.0.0.1:{}", opts.port));
    if let Some(body) = &load.body {
        cmd.arg("-T")
            .arg("application/x-www-form-urlencoded")
            .arg("-d")
            .arg(body);
    }
    match &load.url {
        Target::Url(url) => cmd.arg(url),
        Target::Regex(re) => cmd.arg("--rand-regex-url").arg(re),
        Target::File(path) => cmd.arg("--urls-from-file").arg(path),
    };
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {} (./desk bench installs it)", opts.oha))?;
    if !out.status.success() {
        bail!(
            "oha failed on {}: {}",
            load.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json: Value = serde_json::from_slice(&out.stdout).context("oha's JSON")?;
    let ms = |key: &str| json["latencyPercentiles"][key].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let statuses = json["statusCodeDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let count = |v: &Value| v.as_u64().unwrap_or(0);
    let expected = statuses
        .get(&load.expect.to_string())
        .map(count)
        .unwrap_or(0);
    let answered: u64 = statuses.values().map(count).sum();
    // Requests still in flight when the time is up are cut off by oha itself
    // ("aborted due to deadline"): not the server's errors.
    let errors: u64 = json["errorDistribution"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.contains("deadline"))
                .map(|(_, v)| count(v))
                .sum()
        })
        .unwrap_or(0);
    for (kind, n) in json["errorDistribution"].as_object().into_iter().flatten() {
        if !kind.contains("deadline") {
            eprintln!("  ! {}: {} × {kind}", load.name, count(n));
        }
    }
    let seconds_run = json["summary"]["total"].as_f64().unwrap_or(seconds as f64);
    Ok(Figures {
        name: load.name.clone(),
        // Good answers per second: a page that answered with an error does not count.
        rps: expected as f64 / seconds_run.max(0.001),
        p50: ms("p50"),
        p95: ms("p95"),
        p99: ms("p99"),
        p999: ms("p99.9"),
        total: answered + errors,
        unexpected: answered - expected + errors,
    })
}

/// Who and what the scenarios use, read from the generated database.
struct Cast {
    resident: String,
    house_ids: (i64, i64),
    building_ids: (i64, i64),
    counts: String,
}

async fn cast(url: &str) -> anyhow::Result<Cast> {
    let db = Database::connect(url).await?;
    let (resident,): (String,) = sqlx::query_as(
        "select a.mobile from account a join resident r on r.id = a.resident_id \
         where a.role = 'resident' and r.estate_id = 1 order by a.id limit 1",
    )
    .fetch_optional(&db.pool)
    .await?
    .context("no resident account in estate 1: generate the database with `server generate`")?;
    let house_ids: (i64, i64) =
        sqlx::query_as("select min(id), max(id) from house where estate_id = 1")
            .fetch_one(&db.pool)
            .await?;
    let building_ids: (i64, i64) =
        sqlx::query_as("select min(id), max(id) from building where estate_id = 1")
            .fetch_one(&db.pool)
            .await?;
    let mut counts = Vec::new();
    for (label, table) in [
        ("estates", "estate"),
        ("houses", "house"),
        ("residents", "resident"),
        ("bill lines", "bill_line"),
        ("payments", "payment"),
        ("repair tickets", "repair_ticket"),
    ] {
        let (n,): (i64,) = sqlx::query_as(&format!("select count(*) from {table}"))
            .fetch_one(&db.pool)
            .await?;
        counts.push(format!("{n} {label}"));
    }
    db.pool.close().await;
    Ok(Cast {
        resident,
        house_ids,
        building_ids,
        counts: counts.join(", "),
    })
}

/// Writes `count` URLs whose ids are spread evenly over `min..=max` (in a
/// scrambled order), so a run touches the whole estate, not a hot corner.
fn url_file(
    dir: &Path,
    name: &str,
    template: &str,
    (min, max): (i64, i64),
    count: i64,
) -> anyhow::Result<PathBuf> {
    let span = (max - min + 1).max(1);
    let count = count.min(span);
    let mut lines = String::new();
    for i in 0..count {
        // 7919 is prime, so i ↦ i·7919 mod count visits every slot once.
        let slot = (i * 7_919) % count;
        let id = min + slot * span / count;
        lines.push_str(&template.replace("{id}", &id.to_string()));
        lines.push('\n');
    }
    let path = dir.join(format!("estate-desk-bench-{name}.txt"));
    std::fs::write(&path, lines)?;
    Ok(path)
}

/// The whole run: returns the lines printed.
pub async fn run(opts: &Options) -> anyhow::Result<()> {
    let version = Command::new(&opts.oha)
        .arg("--version")
        .output()
        .with_context(|| format!("cannot run {} (./desk bench installs it)", opts.oha))?;
    let oha_version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let seconds = if opts.smoke { 1 } else { opts.seconds };
    let log_dir = std::env::temp_dir();
    let mut report = Report::default();
    let cast_large = cast(&opts.database_url).await?;
    report
        .data
        .push(format!("scenarios: {}", cast_large.counts));

    let dropped = drop_page_cache();
    let (server, cold) = Server::start(
        opts,
        &opts.database_url,
        &log_dir.join("estate-desk-bench.log"),
    )
    .await?;
    report.other.push(format!(
        "cold start (spawn to first page, {}): {:.0} ms",
        if dropped {
            "page cache dropped"
        } else {
            "page cache warm"
        },
        cold.as_secs_f64() * 1000.0
    ));
    let base = server.base();
    let clerk = sign_in(server.port, "clerk", &opts.password).await?;
    let worker = sign_in(server.port, "maintenance", &opts.password).await?;
    let resident = sign_in(server.port, &cast_large.resident, &opts.password).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, _, anon, file) = server.rss();
    report.other.push(format!(
        "idle RSS (signed in, before load): {idle:.1} MiB ({anon:.1} MiB heap, {file:.1} MiB file-backed: the mapped database and the binary)"
    ));

    let houses = url_file(
        &log_dir,
        "houses",
        &format!("{base}/desk/houses/{{id}}"),
        cast_large.house_ids,
        5_000,
    )?;
    let buildings = url_file(
        &log_dir,
        "buildings",
        &format!("{base}/desk/houses?estate=1&building={{id}}"),
        cast_large.building_ids,
        5_000,
    )?;
    // Search as you type: the first characters of a name, a surname, a room,
    // the tail of a mobile — what a clerk types before the list appears.
    let search_terms =
        "(%E7%8E%8B|%E6%9D%8E%E4%BC%9F|%E6%AC%A7%E9%98%B3|%E5%BC%A0%E6%B6%9B|1201|3-2-12|[0-9]{4})";
    let pages: Vec<(&str, Target, &str)> = vec![
        ("house page", Target::File(houses), &clerk),
        (
            "house list, 50 rows with arrears",
            Target::File(buildings),
            &clerk,
        ),
        (
            "desk search as you type",
            Target::Regex(format!("{base}/api/desk_search\\?q={search_terms}")),
            &clerk,
        ),
        (
            "portal bills",
            Target::Url(format!("{base}/portal/bills")),
            &resident,
        ),
        (
            "maintenance queue",
            Target::Url(format!("{base}/jobs")),
            &worker,
        ),
    ];
    for (name, target, cookie) in &pages {
        for rate in [None, Some(if opts.smoke { 20 } else { 200 })] {
            let connections = if opts.smoke && rate.is_none() { 4 } else { 64 };
            let load = Load {
                name: match rate {
                    None => format!("{name} ({connections} connections)"),
                    Some(r) => format!("{name} ({r} req/s)"),
                },
                method: "GET",
                url: match target {
                    Target::Url(u) => Target::Url(u.clone()),
                    Target::Regex(r) => Target::Regex(r.clone()),
                    Target::File(f) => Target::File(f.clone()),
                },
                cookie,
                body: None,
                rate,
                connections,
                expect: 200,
            };
            report.add(run_oha(opts, &load, seconds)?);
        }
    }

    // The login storm: residents signing in (argon2id, 19 MiB, t = 2) at a
    // steady rate while the portal page is measured at 200/s.
    let storm_rate = if opts.smoke { 5 } else { 40 };
    let storm = Load {
        name: format!("login storm (argon2, {storm_rate}/s offered)"),
        method: "POST",
        url: Target::Url(format!("{base}/auth/login")),
        cookie: "",
        body: Some(format!(
            "identifier={}&password={}",
            form_value(&cast_large.resident),
            form_value(&opts.password)
        )),
        rate: Some(storm_rate),
        connections: 32,
        expect: 303,
    };
    let portal = Load {
        name: format!(
            "portal bills during the login storm ({} req/s)",
            if opts.smoke { 20 } else { 200 }
        ),
        method: "GET",
        url: Target::Url(format!("{base}/portal/bills")),
        cookie: &resident,
        body: None,
        rate: Some(if opts.smoke { 20 } else { 200 }),
        connections: 64,
        expect: 200,
    };
    // Every sign-in answers 303, good or not: count the sessions it opened.
    let sessions_before = sessions(&opts.database_url).await?;
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_oha(opts, &storm, seconds));
        let b = s.spawn(|| run_oha(opts, &portal, seconds));
        (a.join(), b.join())
    });
    let mut storm_figures = a.map_err(|_| anyhow::anyhow!("the storm's thread panicked"))??;
    let signed_in = (sessions(&opts.database_url).await? - sessions_before).max(0) as u64;
    storm_figures.rps = signed_in as f64 / seconds as f64;
    storm_figures.unexpected = storm_figures.total.saturating_sub(signed_in);
    report.add(storm_figures);
    report.add(b.map_err(|_| anyhow::anyhow!("the portal's thread panicked"))??);
    let (_, peak, anon, file) = server.rss();
    report.other.push(format!(
        "peak RSS (over every scenario above): {peak:.1} MiB (after them: {anon:.1} MiB heap, {file:.1} MiB file-backed)"
    ));
    drop(server);

    // The company: search over every estate's residents, and a cold start.
    if let Some(url) = &opts.company_url {
        let company = cast(url).await?;
        report.data.push(format!("company: {}", company.counts));
        let dropped = drop_page_cache();
        let (server, cold) =
            Server::start(opts, url, &log_dir.join("estate-desk-bench-company.log")).await?;
        report.other.push(format!(
            "cold start on the company database ({}): {:.0} ms",
            if dropped {
                "page cache dropped"
            } else {
                "page cache warm"
            },
            cold.as_secs_f64() * 1000.0
        ));
        let manager = sign_in(server.port, "manager", &opts.password).await?;
        let (idle, _, anon, file) = server.rss();
        report.other.push(format!(
            "idle RSS on the company database: {idle:.1} MiB ({anon:.1} MiB heap, {file:.1} MiB file-backed)"
        ));
        for rate in [None, Some(200)] {
            let load = Load {
                name: match rate {
                    None => "company search, every estate (64 connections)".to_string(),
                    Some(r) => format!("company search, every estate ({r} req/s)"),
                },
                method: "GET",
                url: Target::Regex(format!(
                    "{}/api/desk_search\\?q={search_terms}",
                    server.base()
                )),
                cookie: &manager,
                body: None,
                rate,
                connections: 64,
                expect: 200,
            };
            report.add(run_oha(opts, &load, seconds)?);
        }
    }

    report.other.push(match wasm_size(&opts.site_root) {
        Ok((raw, brotli)) => format!(
            "wasm (the one bundle the desk and the portal load): {:.0} KB raw, {:.0} KB brotli",
            raw as f64 / 1024.0,
            brotli as f64 / 1024.0
        ),
        Err(e) => format!("wasm: not measured ({e:#})"),
    });
    for line in &report.other {
        println_figures(line);
    }
    if let Some(out) = &opts.out {
        std::fs::write(out, report.markdown(opts, &oha_version, seconds))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// How many sessions the session store holds (tower-sessions' table).
async fn sessions(url: &str) -> anyhow::Result<i64> {
    let db = Database::connect(url).await?;
    let table = match db.backend {
        app::db::Backend::Sqlite => "tower_sessions",
        app::db::Backend::Postgres => "tower_sessions.session",
    };
    let (n,): (i64,) = sqlx::query_as(&format!("select count(*) from {table}"))
        .fetch_one(&db.pool)
        .await?;
    db.pool.close().await;
    Ok(n)
}

/// Empties the kernel's page cache (root only) so the cold start reads the
/// database from disk. Returns whether it could.
fn drop_page_cache() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// The release bundle's size, raw and brotli-compressed (quality 11, as a
/// build would precompress it).
fn wasm_size(site_root: &Path) -> anyhow::Result<(u64, u64)> {
    let pkg = site_root.join("pkg");
    let wasm = std::fs::read_dir(&pkg)
        .with_context(|| format!("no {} (build the site first)", pkg.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        .with_context(|| format!("no .wasm in {}", pkg.display()))?;
    let raw = std::fs::metadata(&wasm)?.len();
    let out = Command::new("brotli")
        .args(["-c", "-q", "11"])
        .arg(&wasm)
        .output()
        .context("cannot run brotli (./desk bench installs Debian's brotli)")?;
    Ok((raw, out.stdout.len() as u64))
}

/// The figures line, on stdout (the rest of the bench talks on stderr).
fn println_figures(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

#[derive(Default)]
struct Report {
    data: Vec<String>,
    scenarios: Vec<Figures>,
    other: Vec<String>,
}

impl Report {
    fn add(&mut self, f: Figures) {
        println_figures(&f.line());
        if f.unexpected > 0 {
            eprintln!(
                "  ! {} of {} answers were not the expected status",
                f.unexpected, f.total
            );
        }
        self.scenarios.push(f);
    }

    fn markdown(&self, opts: &Options, oha: &str, seconds: u64) -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .next()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
            .unwrap_or_default();
        let commit = Command::new("git")
            .args(["describe", "--always", "--dirty"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let date = chrono::Utc::now()
            .with_timezone(&app::db::time::desk_offset())
            .format("%Y-%m-%d %H:%M (UTC+8)");
        let engine = if opts.database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        let mut md = String::new();
        md.push_str("# Benchmarks\n\n");
        md.push_str("Written by `./desk bench` (which runs `server bench http`); the next run replaces this file.\n\n");
        md.push_str(&format!(
            "- Machine: {cpu}, {cores} cores, {memory}; the server and the load generator share it\n\
             - Commit: `{commit}`; date: {date}\n\
             - Database: {engine}, generated by `server generate` ({})\n\
             - Load: {oha}, {seconds} s per run; `64 connections` is closed-loop (each connection sends its next request when the last is answered), `200 req/s` is open-loop (requests are sent on a fixed schedule and latency counts from when each was due)\n\
             - req/s counts good answers only (200 for pages; for the login storm, the sessions actually opened)\n\n",
            self.data.join("; ")
        ));
        md.push_str("## Figures\n\n```\n");
        for f in &self.scenarios {
            md.push_str(&f.line());
            md.push('\n');
        }
        for line in &self.other {
            md.push_str(line);
            md.push('\n');
        }
        md.push_str("```\n\n");
        md.push_str("| scenario | req/s | p50 ms | p95 ms | p99 ms | p99.9 ms | requests | not as expected |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for f in &self.scenarios {
            md.push_str(&format!(
                "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |\n",
                f.name, f.rps, f.p50, f.p95, f.p99, f.p999, f.total, f.unexpected
            ));
        }
        md.push_str(
            "\n## What each scenario asks for\n\n\
             - **house page**: `GET /desk/houses/{id}` as the estate's clerk, a random house each time (the desk's hub, server-rendered)\n\
             - **house list, 50 rows with arrears**: `GET /desk/houses?estate=1&building={id}`, a random building: 50 houses with owners and each one's arrears\n\
             - **desk search as you type**: `GET /api/desk_search?q=…` (the server function the search box calls on each keystroke) with a surname, a full name, a compound surname, a room, a house-number prefix or four mobile digits\n\
             - **portal bills**: `GET /portal/bills` as a resident (their houses' bills, paid and unpaid, and receipts)\n\
             - **maintenance queue**: `GET /jobs` as a maintenance worker (their jobs and the estate's pool)\n\
             - **login storm**: `POST /auth/login` with a resident's correct password at a fixed rate (each an argon2id verification, 19 MiB, t = 2, on the hashing slots), while the portal page is measured at 200 req/s\n\
             - **company search** (when run with the company database): the search as a manager who sees every estate's residents\n\n\
             ## Reproduce\n\n```sh\n./desk bench            # release build, generate the large estate, run every scenario, write BENCHMARKS.md\n\
             ./desk bench company    # the same, plus the company profile (200 estates, ~1.5 M residents) for search and cold start\n```\n\n\
             By hand: `target/release/server generate --profile large --database-url sqlite://data/bench/large.db`, then\n\
             `target/release/server bench http --database-url sqlite://data/bench/large.db [--company-database-url …] --out BENCHMARKS.md`.\n",
        );
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_files_spread_over_the_whole_range() {
        let dir = tempfile_dir();
        let path = url_file(&dir, "t", "http://h/x/{id}", (1, 50_000), 5_000).expect("file");
        let ids: Vec<i64> = std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .map(|l| l.trim_start_matches("http://h/x/").parse().expect("id"))
            .collect();
        assert_eq!(ids.len(), 5_000);
        assert!(ids.iter().all(|i| (1..=50_000).contains(i)));
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), 5_000);
        // Every tenth of the estate gets a tenth of the requests.
        for tenth in 0..10 {
            let n = ids.iter().filter(|i| (*i - 1) / 5_000 == tenth).count();
            assert_eq!(n, 500, "tenth {tenth}");
        }
        // A small range: each id once.
        let path = url_file(&dir, "u", "{id}", (3, 7), 5_000).expect("file");
        let mut small: Vec<i64> = std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .map(|l| l.parse().expect("id"))
            .collect();
        small.sort();
        assert_eq!(small, vec![3, 4, 5, 6, 7]);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("estate-desk-urls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn the_line_has_the_issue_s_form() {
        let f = Figures {
            name: "portal bills (64 connections)".into(),
            rps: 2345.4,
            p50: 12.34,
            p95: 20.0,
            p99: 24.96,
            p999: 40.0,
            total: 1,
            unexpected: 0,
        };
        assert_eq!(
            f.line(),
            "portal bills (64 connections): 2345 req/s, p50 12.3 ms, p99 25.0 ms, p99.9 40.0 ms"
        );
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_value("Bench-Estate-2026!"), "Bench-Estate-2026%21");
        assert_eq!(form_value("a&b+c"), "a%26b%2Bc");
    }
}
