//! The shape of `app/src`, checked on its source text (issue 13's done-when):
//! no dependency circle between the top-level modules, every server function
//! behind `guarded`, audit entries only through the vocabulary and the
//! builder, no `[&str; N]` value sets, no file over 800 lines, no `query_as`
//! into a tuple wider than four fields. Each rule is one test that lists every
//! offender with its file and line.
//!
//! The source is read as text, not parsed: comments and the contents of
//! string and character literals are blanked first (same length, newlines
//! kept, so offsets and line numbers still hold), then each rule looks for its
//! pattern. Where that is a heuristic, the rule's documentation says how.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// Longest file allowed in `app/src`.
const MAX_LINES: usize = 800;
/// Widest tuple a `query_as` may decode into.
const MAX_TUPLE: usize = 4;
/// The crate root as a node of the dependency graph.
const ROOT: &str = "lib.rs";

/// One source file of `app/src`.
struct Source {
    /// Relative to `app/src`, with `/` (e.g. `billing/db.rs`).
    path: String,
    text: String,
    /// Comments and literal contents blanked; quotes kept.
    code: String,
    /// The top-level module (`billing`), or [`ROOT`] for `lib.rs`.
    module: String,
    /// The module path of the file (`["billing", "db"]`; empty for `lib.rs`).
    mod_path: Vec<String>,
}

impl Source {
    fn line_of(&self, offset: usize) -> usize {
        self.code[..offset].bytes().filter(|b| *b == b'\n').count() + 1
    }

    fn at(&self, offset: usize) -> String {
        format!("app/src/{}:{}", self.path, self.line_of(offset))
    }
}

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src")
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read app/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = app_src();
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("read source");
            let path = file
                .strip_prefix(&root)
                .expect("under app/src")
                .to_string_lossy()
                .replace('\\', "/");
            let mut mod_path: Vec<String> = path
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if matches!(mod_path.last().map(String::as_str), Some("mod" | "lib")) {
                mod_path.pop();
            }
            let module = mod_path.first().cloned().unwrap_or_else(|| ROOT.into());
            Source {
                code: blank(&text),
                path,
                text,
                module,
                mod_path,
            }
        })
        .collect()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `src` with comments and the contents of string and character literals
/// replaced by spaces (newlines kept), so that patterns and brackets are only
/// found in code. Quotes stay, so a literal's start can still be matched.
fn blank(src: &str) -> String {
    let s = src.as_bytes();
    let mut out = s.to_vec();
    let clear = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(s.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let prev_ident = i > 0 && is_ident(s[i - 1]);
        match s[i] {
            b'/' if s.get(i + 1) == Some(&b'/') => {
                let end = s[i..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(s.len(), |p| i + p);
                clear(&mut out, i, end);
                i = end;
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                let (mut depth, mut j) = (1, i + 2);
                while j < s.len() && depth > 0 {
                    if s[j] == b'/' && s.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if s[j] == b'*' && s.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                clear(&mut out, i, j);
                i = j;
            }
            // Raw strings: r"…", r#"…"#, br#"…"#.
            b'r' if !prev_ident
                || (i > 0 && s[i - 1] == b'b' && (i < 2 || !is_ident(s[i - 2]))) =>
            {
                let hashes = s[i + 1..].iter().take_while(|b| **b == b'#').count();
                if s.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let open = i + 1 + hashes + 1;
                let mut close = String::from("\"");
                close.push_str(&"#".repeat(hashes));
                let end = src[open..].find(&close).map_or(s.len(), |p| open + p);
                clear(&mut out, open, end);
                i = end + close.len();
            }
            b'"' => {
                let mut j = i + 1;
                while j < s.len() && s[j] != b'"' {
                    j += if s[j] == b'\\' { 2 } else { 1 };
                }
                clear(&mut out, i + 1, j);
                i = j + 1;
            }
            b'\'' => {
                // A character literal ('x', '\n', '\u{..}', '中') or a lifetime.
                if s.get(i + 1) == Some(&b'\\') {
                    // The escaped character itself may be a quote ('\'').
                    let end = s[i + 3..]
                        .iter()
                        .position(|b| *b == b'\'')
                        .map_or(s.len(), |p| i + 3 + p);
                    clear(&mut out, i + 1, end);
                    i = end + 1;
                } else if let Some(c) = src[i + 1..].chars().next() {
                    let after = i + 1 + c.len_utf8();
                    if s.get(after) == Some(&b'\'') {
                        clear(&mut out, i + 1, after);
                        i = after + 1;
                    } else {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8")
}

/// Whether `text` ends with the whole word (or symbol) `w`.
fn ends_with_word(text: &str, w: &str) -> bool {
    text.ends_with(w)
        && (!w.bytes().all(is_ident)
            || text.len() == w.len()
            || !is_ident(text.as_bytes()[text.len() - w.len() - 1]))
}

/// Offsets where `word` starts as a whole word in `code`.
fn words<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    code.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let b = code.as_bytes();
        (i == 0 || !is_ident(b[i - 1])) && b.get(i + word.len()).is_none_or(|c| !is_ident(*c))
    })
}

/// The identifier starting at `i` (after spaces), and the offset after it.
fn ident_at(code: &str, i: usize) -> Option<(&str, usize)> {
    let b = code.as_bytes();
    let start = i + b[i..]
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    let len = b[start..].iter().take_while(|c| is_ident(**c)).count();
    (len > 0).then(|| (&code[start..start + len], start + len))
}

/// The offset just past the bracket that closes the one at `open`.
fn matching(code: &str, open: usize) -> usize {
    let b = code.as_bytes();
    let (o, c) = (
        b[open],
        match b[open] {
            b'(' => b')',
            b'[' => b']',
            b'<' => b'>',
            _ => b'}',
        },
    );
    let mut depth = 0;
    for (j, &x) in b.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c && !(c == b'>' && j > 0 && matches!(b[j - 1], b'-' | b'=')) {
            depth -= 1;
            if depth == 0 {
                return j + 1;
            }
        }
    }
    b.len()
}

/// How many elements the tuple (type or pattern) opening at `open` has:
/// commas at its own level, a trailing one not counted.
fn tuple_width(code: &str, open: usize) -> usize {
    let b = code.as_bytes();
    let end = matching(code, open) - 1;
    let inner = code[open + 1..end].trim();
    if inner.is_empty() {
        return 0;
    }
    let mut depth = 0i32;
    let mut commas = 0;
    for j in open + 1..end {
        match b[j] {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'>' if !matches!(b[j - 1], b'-' | b'=') => depth -= 1,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas + usize::from(!inner.ends_with(','))
}

// ---- a. the dependency graph -------------------------------------------------

/// A dependency of one module on another, where it is written.
type Edges = BTreeMap<(String, String), Vec<String>>;

/// The edges between top-level modules: every `crate::<m>` path (also in a
/// `use crate::{a, b::c}` group), every `super::` path that climbs to the
/// crate root, and in `lib.rs` every bare `<m>::` path. A path to an item of
/// the root counts for the module it is re-exported from (`pub use
/// crate::common::CurrentUser` in lib.rs) or, for an exported macro
/// (`crate::value_set!`), the module that defines it; other root items
/// (`crate::App`) are edges to `lib.rs`.
fn dependency_edges(sources: &[Source]) -> Edges {
    let modules: BTreeSet<String> = sources
        .iter()
        .filter(|s| s.module != ROOT)
        .map(|s| s.module.clone())
        .collect();
    let mut root_items: HashMap<String, String> = HashMap::new();
    for s in sources {
        for at in words(&s.code, "macro_rules") {
            if let Some((name, _)) = s.code[at..]
                .strip_prefix("macro_rules!")
                .and_then(|_| ident_at(&s.code, at + "macro_rules!".len()))
            {
                root_items.insert(name.to_string(), s.module.clone());
            }
        }
        if s.module == ROOT {
            for at in words(&s.code, "use") {
                let stmt_end = s.code[at..].find(';').map_or(s.code.len(), |p| at + p);
                let stmt = &s.code[at..stmt_end];
                let path = stmt.trim_start_matches("use").trim();
                let path = path.strip_prefix("crate::").unwrap_or(path);
                let first = path.split("::").next().unwrap_or_default();
                let last = path.rsplit("::").next().unwrap_or_default();
                if modules.contains(first) && last.bytes().all(is_ident) {
                    root_items.insert(last.to_string(), first.to_string());
                }
            }
        }
    }
    let target = |first: &str| -> String {
        if modules.contains(first) {
            first.to_string()
        } else {
            root_items
                .get(first)
                .cloned()
                .unwrap_or_else(|| ROOT.to_string())
        }
    };
    let mut edges = Edges::new();
    for s in sources {
        let mut add = |to: String, offset: usize| {
            if to != s.module {
                edges
                    .entry((s.module.clone(), to))
                    .or_default()
                    .push(s.at(offset));
            }
        };
        let b = s.code.as_bytes();
        let inline = inline_modules(&s.code);
        for (at, _) in s.code.match_indices("::") {
            let (head_start, head) = {
                let len = b[..at].iter().rev().take_while(|c| is_ident(**c)).count();
                (at - len, &s.code[at - len..at])
            };
            if head.is_empty() || (head_start > 0 && matches!(b[head_start - 1], b'$' | b':')) {
                continue;
            }
            match head {
                "crate" => {
                    for (first, _) in path_heads(&s.code, at + 2) {
                        add(target(&first), head_start);
                    }
                }
                "super" => {
                    // Climb: the file's module path, its inline modules, one
                    // level per `super::`.
                    let mut path = s.mod_path.clone();
                    path.extend(
                        inline
                            .iter()
                            .filter(|(open, close, _)| *open < head_start && head_start < *close)
                            .map(|(_, _, name)| name.clone()),
                    );
                    let mut next = at + 2;
                    path.pop();
                    while s.code[next..].starts_with("super::") {
                        path.pop();
                        next += "super::".len();
                    }
                    if path.is_empty() {
                        for (first, _) in path_heads(&s.code, next) {
                            add(target(&first), head_start);
                        }
                    }
                }
                _ if s.module == ROOT && modules.contains(head) => {
                    add(head.to_string(), head_start)
                }
                _ => {}
            }
        }
    }
    edges
}

/// The inline `mod name { … }` blocks of a file: (open, close, name).
fn inline_modules(code: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    for at in words(code, "mod") {
        let Some((name, after)) = ident_at(code, at + 3) else {
            continue;
        };
        let rest = &code[after..];
        let brace = rest.len() - rest.trim_start().len();
        if rest.trim_start().starts_with('{') {
            let open = after + brace;
            found.push((open, matching(code, open), name.to_string()));
        }
    }
    found
}

/// The first segments of the path(s) continuing at `i`: one name, or each
/// item of a `{ … }` group, or `*` (a glob: the root itself).
fn path_heads(code: &str, i: usize) -> Vec<(String, usize)> {
    let rest = code[i..].trim_start();
    let i = i + (code[i..].len() - rest.len());
    if rest.starts_with('{') {
        let end = matching(code, i) - 1;
        let b = code.as_bytes();
        let mut heads = Vec::new();
        let mut depth = 0;
        let mut item_start = i + 1;
        for j in i + 1..=end {
            match b[j] {
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b',' | b'}' if depth == 0 => {
                    if let Some((name, _)) = ident_at(code, item_start).filter(|_| item_start < j) {
                        heads.push((name.to_string(), item_start));
                    }
                    item_start = j + 1;
                }
                _ => {}
            }
        }
        heads
    } else if rest.starts_with('*') {
        vec![(String::from("*"), i)]
    } else {
        ident_at(code, i)
            .map(|(name, _)| vec![(name.to_string(), i)])
            .unwrap_or_default()
    }
}

/// The strongly connected components of more than one module (Tarjan).
fn circles(edges: &Edges) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
        graph.entry(to).or_default();
    }
    struct Tarjan<'a> {
        graph: &'a BTreeMap<&'a str, Vec<&'a str>>,
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in &self.graph[v] {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph: &graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.found
}

/// The shortest way from `from` back to itself (breadth first), named.
fn shortest_cycle(edges: &Edges, from: &str) -> Option<Vec<String>> {
    let mut came: HashMap<String, String> = HashMap::new();
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(v) = queue.pop_front() {
        for (_, w) in edges.keys().filter(|(a, _)| *a == v) {
            if w == from {
                let mut path = vec![from.to_string()];
                let mut at = v.clone();
                while at != from {
                    path.push(at.clone());
                    at = came[&at].clone();
                }
                path.push(from.to_string());
                path.reverse();
                return Some(path);
            }
            if !came.contains_key(w) {
                came.insert(w.clone(), v.clone());
                queue.push_back(w.clone());
            }
        }
    }
    None
}

#[test]
fn the_top_level_modules_of_app_src_depend_on_each_other_without_a_circle() {
    let sources = sources();
    let edges = dependency_edges(&sources);
    let components = circles(&edges);
    if components.is_empty() {
        return;
    }
    let mut message = String::from("the dependencies between app/src's modules:\n");
    for ((from, to), sites) in &edges {
        message.push_str(&format!("  {from} -> {to} ({} uses)\n", sites.len()));
    }
    let mut named = BTreeSet::new();
    for component in &components {
        message.push_str(&format!("\na circle through {}:\n", component.join(", ")));
        for m in component {
            if let Some(cycle) = shortest_cycle(&edges, m) {
                let mut key = cycle[..cycle.len() - 1].to_vec();
                let min = key
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, v)| *v)
                    .map(|(i, _)| i);
                key.rotate_left(min.unwrap_or(0));
                if named.insert(key) {
                    message.push_str(&format!("  cycle: {}\n", cycle.join(" -> ")));
                }
            }
        }
        message.push_str("  its edges, where they are written:\n");
        for ((from, to), sites) in &edges {
            if component.contains(from) && component.contains(to) {
                let shown: Vec<&str> = sites.iter().take(4).map(String::as_str).collect();
                let more = sites.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                message.push_str(&format!("    {from} -> {to}: {}{more}\n", shown.join(", ")));
            }
        }
    }
    panic!(
        "{} circle(s), {} distinct cycle(s) (offenders).\n{message}",
        components.len(),
        named.len()
    );
}

// ---- b. server functions -----------------------------------------------------

#[test]
fn every_server_function_body_calls_guarded() {
    let mut offenders = Vec::new();
    let mut total = 0;
    for s in sources() {
        for (at, _) in s.code.match_indices("#[server") {
            total += 1;
            let Some(fn_at) = words(&s.code[at..], "fn").next().map(|p| at + p) else {
                continue;
            };
            let name = ident_at(&s.code, fn_at + 2).map_or("?", |(n, _)| n);
            let Some(open) = s.code[fn_at..].find('{').map(|p| fn_at + p) else {
                continue;
            };
            let body = &s.code[open..matching(&s.code, open)];
            if !body.contains("guarded(") {
                offenders.push(format!("{} {name}", s.at(fn_at)));
            }
        }
    }
    assert!(
        total > 0,
        "no #[server] function found: is app/src where it was?"
    );
    assert!(
        offenders.is_empty(),
        "{} of {total} server functions do not call guarded(…):\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---- c. the audit vocabulary ---------------------------------------------------

/// An audit action is an `AuditAction`, never text (`action: "create"`); an
/// entry is built with `Change::new(…)`, never a `Change { … }` literal,
/// except in `db/audit.rs` where the builder lives. A `Change {` after
/// `struct`, `enum`, `impl`, `for` or `->` is a definition, not a literal.
#[test]
fn audit_entries_use_the_action_vocabulary_and_the_change_builder() {
    let mut offenders = Vec::new();
    for s in sources() {
        for (at, _) in s.code.match_indices("action: \"") {
            let b = s.code.as_bytes();
            if at == 0 || !is_ident(b[at - 1]) {
                offenders.push(format!("{} free-text audit action", s.at(at)));
            }
        }
        if s.path == "db/audit.rs" {
            continue;
        }
        for at in words(&s.code, "Change") {
            let after = s.code[at + "Change".len()..].trim_start();
            if !after.starts_with('{') {
                continue;
            }
            let before = s.code[..at].trim_end();
            let definition = ["struct", "enum", "impl", "for", "->"]
                .iter()
                .any(|w| ends_with_word(before, w));
            if !definition {
                offenders.push(format!("{} Change {{ … }} literal", s.at(at)));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "{} audit entries bypass the vocabulary or the builder:\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---- d. closed value sets ----------------------------------------------------

/// Tables of words that are not a closed value set of the domain, allowed by
/// (file, constant). The Chinese capital-amount words (大写金额) are looked up
/// by a digit's position: 拾佰仟 within a group of four, 万亿 for the group.
/// Nothing stores, sends or translates them, and their order is the
/// arithmetic, so an enum would only hide the indexing.
const WORD_TABLES: [(&str, &str); 2] = [
    ("billing/money.rs", "UNITS"),
    ("billing/money.rs", "SECTIONS"),
];

/// A `const` or `static` of type `[&str; N]` or `[&'static str; N]` (a value
/// set written as text). Spreadsheet column tables, `[(&str, &str, &str); N]`,
/// are data and another shape.
#[test]
fn no_value_set_is_an_array_of_str() {
    let mut offenders = Vec::new();
    for s in sources() {
        let b = s.code.as_bytes();
        for (at, _) in s.code.match_indices('[') {
            let rest = s.code[at + 1..].trim_start();
            let Some(rest) = rest.strip_prefix('&') else {
                continue;
            };
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("'static").unwrap_or(rest).trim_start();
            let Some(rest) = rest.strip_prefix("str") else {
                continue;
            };
            if !rest.trim_start().starts_with(';') {
                continue;
            }
            // The item this type belongs to: back to the previous `;`, `{` or `}`.
            let start = b[..at]
                .iter()
                .rposition(|c| matches!(c, b';' | b'{' | b'}'))
                .map_or(0, |p| p + 1);
            let item = &s.code[start..at];
            let Some(kw) = words(item, "const").chain(words(item, "static")).next() else {
                continue;
            };
            let kw_len = if item[kw..].starts_with("const") {
                5
            } else {
                6
            };
            let name = ident_at(item, kw + kw_len).map_or("?", |(n, _)| n);
            if WORD_TABLES.contains(&(s.path.as_str(), name)) {
                continue;
            }
            offenders.push(format!("{} {name}", s.at(at)));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} [&str; N] constants (make each a crate::value_set! enum):\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---- e. file length ----------------------------------------------------------

#[test]
fn no_file_in_app_src_is_over_800_lines() {
    let offenders: Vec<String> = sources()
        .iter()
        .map(|s| (s.text.lines().count(), &s.path))
        .filter(|(n, _)| *n > MAX_LINES)
        .map(|(n, path)| format!("app/src/{path}: {n} lines"))
        .collect();
    assert!(
        offenders.is_empty(),
        "{} files over {MAX_LINES} lines (split them by workflow):\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---- f. tuple rows -----------------------------------------------------------

/// The tuple type aliases of a file (`type Row = (…);`): name, offset, width.
fn tuple_aliases(code: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for at in words(code, "type") {
        let Some((name, after)) = ident_at(code, at + 4) else {
            continue;
        };
        let rest = code[after..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let value = rest.trim_start();
        if value.starts_with('(') {
            let open = code.len() - value.len();
            found.push((name.to_string(), at, tuple_width(code, open)));
        }
    }
    found
}

/// A `query_as` whose rows are tuples of more than four fields. The
/// heuristic, per `query_as` (or `query_as_with`) call: its statement runs
/// from the previous `;`, `{` or `}` to the next `;` at its own level — and
/// when it is the first statement of a function, the signature's return type
/// joins it. In that text every tuple written as a type (after `:`, `->`,
/// `<` or `,` — so `: (…)`, `Vec<(…)>`, `Option<(…)>`, `query_as::<_, (…)>`)
/// or as a pattern (`let (…)`, `|(…)|`) is measured, and so is every name
/// that is a tuple alias of the file (`type Row = (…)`, the nearest one
/// before). The widest counts.
#[test]
fn no_query_as_decodes_into_a_tuple_of_more_than_four_fields() {
    let mut offenders = Vec::new();
    for s in sources() {
        let code = &s.code;
        let b = code.as_bytes();
        let aliases = tuple_aliases(code);
        for at in words(code, "query_as").chain(words(code, "query_as_with")) {
            let mut start = b[..at]
                .iter()
                .rposition(|c| matches!(c, b';' | b'{' | b'}'))
                .map_or(0, |p| p + 1);
            if start > 0 && b[start - 1] == b'{' {
                // The first statement of a body: a function's return type joins it.
                let before = b[..start - 1]
                    .iter()
                    .rposition(|c| matches!(c, b';' | b'{' | b'}'))
                    .map_or(0, |p| p + 1);
                if words(&code[before..start], "fn").next().is_some() {
                    start = before;
                }
            }
            let mut depth = 0i32;
            let mut end = code.len();
            for (j, &c) in b.iter().enumerate().skip(at) {
                match c {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => {
                        depth -= 1;
                        if depth < 0 {
                            end = j;
                            break;
                        }
                    }
                    b';' if depth == 0 => {
                        end = j;
                        break;
                    }
                    _ => {}
                }
            }
            let mut widest = (0, String::new());
            for (open, _) in code[start..end]
                .match_indices('(')
                .map(|(i, p)| (start + i, p))
            {
                let before = code[start..open].trim_end();
                let typed = [":", "->", "<", ","].iter().any(|p| before.ends_with(p))
                    && !before.ends_with("::");
                let pattern = ends_with_word(before, "let") || before.ends_with('|');
                if typed || pattern {
                    let width = tuple_width(code, open);
                    if width > widest.0 {
                        widest = (width, "a tuple".into());
                    }
                }
            }
            for (name, _, _) in &aliases {
                if words(&code[start..end], name).next().is_none() {
                    continue;
                }
                let nearest = aliases
                    .iter()
                    .filter(|(n, _, _)| n == name)
                    .filter(|(_, decl, _)| *decl < at)
                    .max_by_key(|(_, decl, _)| *decl)
                    .or_else(|| aliases.iter().find(|(n, _, _)| n == name));
                if let Some((_, _, width)) = nearest {
                    if *width > widest.0 {
                        widest = (*width, format!("the tuple alias {name}"));
                    }
                }
            }
            if widest.0 > MAX_TUPLE {
                offenders.push(format!("{} {} of {} fields", s.at(at), widest.1, widest.0));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "{} query_as calls decode rows into tuples of more than {MAX_TUPLE} fields \
         (use a #[derive(sqlx::FromRow)] struct):\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---- the reader itself ---------------------------------------------------------

#[test]
fn the_reader_blanks_comments_and_literals_but_keeps_code_and_lines() {
    let src = "let a = \"crate::x {\"; // crate::y\n/* crate::z */ let c = '{'; let d: &'static str = r#\"}\"#;\ncrate::w";
    let code = blank(src);
    assert_eq!(code.len(), src.len());
    assert_eq!(code.lines().count(), src.lines().count());
    assert!(!code.contains("crate::x") && !code.contains("crate::y") && !code.contains("crate::z"));
    assert!(code.contains("'static") && code.ends_with("crate::w"));
    assert_eq!(code.matches('{').count(), 0, "{code}");
    assert_eq!(
        tuple_width("(i64, Option<(i64, String)>, HashMap<K, V>,)", 0),
        3
    );
    assert_eq!(tuple_width("(i64,)", 0), 1);
    assert_eq!(
        path_heads("{common::Lang, i18n::{tr, I18n}, db}", 0)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>(),
        ["common", "i18n", "db"]
    );
}
