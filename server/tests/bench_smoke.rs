//! A smoke run of the load benchmarks so the harness does not rot: a tiny
//! generated company, the server binary serving it, oha driving every
//! scenario for a second. Checks that each scenario ran and printed its line
//! with every answer as expected — never how fast (benchmarks assert nothing).

use std::process::Command;

const SCENARIOS: [&str; 7] = [
    "house page",
    "house list, 50 rows with arrears",
    "desk search as you type",
    "portal bills",
    "maintenance queue",
    "login storm",
    "portal bills during the login storm",
];

/// `<scenario>: <rps> req/s, p50 <ms> ms, p99 <ms> ms, p99.9 <ms> ms` → rps.
fn parse_line(line: &str) -> Option<(&str, f64)> {
    let (name, rest) = line.split_once(": ")?;
    let mut parts = rest.split(", ");
    let rps: f64 = parts.next()?.strip_suffix(" req/s")?.parse().ok()?;
    for label in ["p50 ", "p99 ", "p99.9 "] {
        let ms = parts.next()?.strip_prefix(label)?.strip_suffix(" ms")?;
        ms.parse::<f64>().ok().filter(|v| v.is_finite())?;
    }
    parts.next().is_none().then_some((name, rps))
}

#[test]
fn every_scenario_runs_and_prints_its_line() {
    let exe = env!("CARGO_BIN_EXE_server");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let generated = Command::new(exe)
        .args(["generate", "--profile", "tiny", "--database-url", &url])
        .output()
        .expect("server generate");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let report = dir.path().join("BENCHMARKS.md");
    let out = Command::new(exe)
        .args(["bench", "http", "--smoke", "--database-url", &url])
        .args(["--port", &port.to_string()])
        .arg("--site-root")
        .arg(dir.path().join("no-site"))
        .arg("--out")
        .arg(&report)
        .output()
        .expect("server bench http");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench failed (oha is installed by ./desk test):\n{stderr}"
    );
    assert!(
        !stderr.contains("not the expected status"),
        "some answers were wrong:\n{stdout}\n{stderr}"
    );
    let lines: Vec<(&str, f64)> = stdout.lines().filter_map(parse_line).collect();
    for scenario in SCENARIOS {
        let runs: Vec<&(&str, f64)> = lines
            .iter()
            .filter(|(name, _)| name.starts_with(&format!("{scenario} (")))
            .collect();
        let want = if scenario.starts_with("login") || scenario.contains("during") {
            1
        } else {
            2
        };
        assert_eq!(runs.len(), want, "{scenario}:\n{stdout}");
        assert!(
            runs.iter().all(|(_, rps)| *rps > 0.0),
            "{scenario}:\n{stdout}"
        );
    }
    for other in ["cold start", "idle RSS", "peak RSS", "wasm"] {
        assert!(stdout.contains(other), "{other}:\n{stdout}");
    }
    let md = std::fs::read_to_string(&report).expect("BENCHMARKS.md");
    assert!(
        md.contains("## Figures") && md.contains("portal bills (4"),
        "{md}"
    );
}

#[test]
fn the_line_parser_accepts_only_the_issue_s_form() {
    assert_eq!(
        parse_line(
            "portal bills (64 connections): 2345 req/s, p50 12.3 ms, p99 25.0 ms, p99.9 40.0 ms"
        ),
        Some(("portal bills (64 connections)", 2345.0))
    );
    assert_eq!(parse_line("portal bills: 2345 req/s, p50 12.3 ms"), None);
    assert_eq!(parse_line("idle RSS: 40 MiB"), None);
}
