//! The `server` binary's command line: the clap definition is sound, every
//! command line the README documents and `./desk` runs parses, and the README
//! and `main.rs`'s module doc name every command there is — so the docs
//! cannot drift from the definition unnoticed.

use std::path::PathBuf;

use clap::{CommandFactory, Parser};
use server::commands::Cli;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every command and `bench` subcommand the definition has, as written on
/// the command line (`serve`, `bench http`, …); clap's own `help` left out.
fn defined_commands() -> Vec<String> {
    let cli = Cli::command();
    let mut names = Vec::new();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let nested: Vec<&str> = sub
            .get_subcommands()
            .map(|s| s.get_name())
            .filter(|n| *n != "help")
            .collect();
        if nested.is_empty() {
            names.push(name.to_string());
        } else {
            names.extend(nested.iter().map(|n| format!("{name} {n}")));
        }
    }
    names
}

/// The first cells of the table in the README's "The `server` binary"
/// section: one usage pattern per command, e.g.
/// `create-admin --username U --name N [--password P]`.
fn readme_usages() -> Vec<String> {
    let readme = repo_file("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("The `server` binary"))
        .expect("README has a section \"The `server` binary\"");
    let mut usages = Vec::new();
    for line in section.lines() {
        let Some(row) = line.strip_prefix("| `") else {
            continue;
        };
        let usage = row.split('`').next().unwrap_or_default();
        usages.push(usage.to_string());
    }
    assert!(!usages.is_empty(), "no command table in the README");
    usages
}

/// A usage pattern made into command lines: optional parts included,
/// `a\|b\|c` alternatives each once, placeholders (`N`, `URL`, `YYYY-MM`…)
/// given a value of the kind they stand for.
fn usage_to_argvs(usage: &str) -> Vec<Vec<String>> {
    let mut argvs = vec![vec!["server".to_string()]];
    for token in usage.split_whitespace() {
        let token = token.trim_matches(|c| c == '[' || c == ']');
        let alternatives: Vec<&str> = token.split("\\|").collect();
        let mut next = Vec::new();
        for argv in &argvs {
            for alt in &alternatives {
                let mut argv = argv.clone();
                argv.push(placeholder_value(alt));
                next.push(argv);
            }
        }
        argvs = next;
    }
    argvs
}

fn placeholder_value(token: &str) -> String {
    let is_placeholder = !token.starts_with('-')
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '-' || c.is_ascii_digit());
    if !is_placeholder {
        return token.to_string();
    }
    match token {
        "N" | "S" => "3".into(),
        "YYYY-MM" => "2026-01".into(),
        _ => "x".into(),
    }
}

/// The `server` command lines in `./desk` (after `target/release/server` or
/// `target/debug/server`), with shell variables given a value and
/// `"${args[@]}"` both empty and as the script fills it.
fn desk_command_lines() -> Vec<Vec<String>> {
    let desk = repo_file("desk");
    let joined = desk.replace("\\\n", " ");
    let args_array = joined
        .lines()
        .find_map(|l| l.trim().strip_prefix("args=(")?.strip_suffix(')'))
        .map(str::to_string);
    let mut lines = Vec::new();
    for line in joined.lines() {
        let Some(at) = line
            .find("target/release/server ")
            .or_else(|| line.find("target/debug/server "))
        else {
            continue;
        };
        let rest = line[at..]
            .split_once(' ')
            .map(|(_, r)| r)
            .unwrap_or_default();
        // The command ends where the shell's redirections (`>x`, `2>&1`) or `&` begin.
        let words: Vec<&str> = rest
            .split_whitespace()
            .take_while(|w| {
                let w = w.trim_start_matches(|c: char| c.is_ascii_digit());
                !(w.starts_with('>') || w.starts_with('&') || w.starts_with(';'))
            })
            .collect();
        let rest = words.join(" ");
        let variants: Vec<String> = if rest.contains("\"${args[@]}\"") {
            let filled = args_array.clone().expect("desk sets args=(…)");
            vec![
                rest.replace("\"${args[@]}\"", ""),
                rest.replace("\"${args[@]}\"", &filled),
            ]
        } else {
            vec![rest.to_string()]
        };
        for v in variants {
            let mut argv = vec!["server".to_string()];
            argv.extend(v.split_whitespace().map(shell_word));
            lines.push(argv);
        }
    }
    assert!(
        lines.len() >= 4,
        "desk runs demo, serve, generate and bench http: {lines:?}"
    );
    lines
}

/// One shell word: quotes dropped, each `$VAR` / `${VAR}` given a value.
fn shell_word(word: &str) -> String {
    let word = word.replace('"', "");
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
            }
        } else {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                chars.next();
            }
        }
        out.push_str("value");
    }
    out
}

fn assert_parses(argv: &[String], from: &str) {
    if let Err(e) = Cli::try_parse_from(argv) {
        panic!("{from}: `{}` does not parse:\n{e}", argv.join(" "));
    }
}

#[test]
fn the_clap_definition_passes_clap_s_own_checks() {
    Cli::command().debug_assert();
}

#[test]
fn every_command_line_the_readme_documents_parses() {
    for usage in readme_usages() {
        for argv in usage_to_argvs(&usage) {
            assert_parses(&argv, "README");
        }
    }
    // The global settings, before and after the command.
    let global = "server --database-url sqlite://x.db --data-dir d migrate";
    assert_parses(
        &global.split(' ').map(String::from).collect::<Vec<_>>(),
        "README",
    );
    let after = "server migrate --database-url sqlite://x.db --data-dir d";
    assert_parses(
        &after.split(' ').map(String::from).collect::<Vec<_>>(),
        "README",
    );
    // The development section's `cargo run -p server -- demo --password …`.
    let dev = "server demo --password Demo-Estate-2026!";
    assert_parses(
        &dev.split(' ').map(String::from).collect::<Vec<_>>(),
        "README",
    );
}

#[test]
fn every_command_line_desk_runs_parses() {
    for argv in desk_command_lines() {
        assert_parses(&argv, "./desk");
    }
}

#[test]
fn the_command_lines_the_benchmarks_run_parse() {
    // tools/loadbench.rs starts `server serve --addr 127.0.0.1:<port>`;
    // tests/bench_smoke.rs runs `generate` and `bench http --smoke`.
    for line in [
        "server serve --addr 127.0.0.1:3990",
        "server generate --profile tiny --database-url sqlite://x.db",
        "server bench http --smoke --database-url sqlite://x.db --port 4000 --site-root s --out o.md",
    ] {
        let argv: Vec<String> = line.split(' ').map(String::from).collect();
        assert_parses(&argv, "benchmarks");
    }
}

#[test]
fn the_readme_documents_exactly_the_commands_there_are() {
    let documented: Vec<String> = readme_usages()
        .iter()
        .map(|usage| {
            let words: Vec<&str> = usage.split_whitespace().collect();
            match words.as_slice() {
                ["bench", what, ..] => format!("bench {what}"),
                [first, ..] => first.to_string(),
                [] => String::new(),
            }
        })
        .collect();
    let defined = defined_commands();
    let missing: Vec<&String> = defined.iter().filter(|c| !documented.contains(c)).collect();
    let stale: Vec<&String> = documented.iter().filter(|c| !defined.contains(c)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README's command table: missing {missing:?}, not a command {stale:?}"
    );
}

#[test]
fn main_rs_s_module_doc_names_every_command() {
    let main = repo_file("server/src/main.rs");
    let doc: String = main
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let missing: Vec<String> = defined_commands()
        .into_iter()
        .filter(|command| match command.split_once(' ') {
            // `bench search | photos | http | billing`: each name once.
            Some((group, what)) => {
                !doc.contains(&format!("`{group} "))
                    || !doc
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                        .any(|w| w == what)
            }
            None => !doc.contains(&format!("`{command}`")),
        })
        .collect();
    assert!(
        missing.is_empty(),
        "server/src/main.rs's //! does not name {missing:?}"
    );
}
