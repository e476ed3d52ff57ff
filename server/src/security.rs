//! Web security the framework does not give: refusing cross-site state changes
//! (Leptos has no CSRF protection of its own), the response headers (HSTS
//! behind TLS), and the one check of a path to redirect back to.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether a request may change state: safe methods always; otherwise the
/// browser must say it came from this origin. `Sec-Fetch-Site` is asked first
/// (every current browser sends it); without it, `Origin` must match `Host`.
/// A request with neither is not from a browser, so there is no victim
/// whose cookies could be ridden (curl, scripts).
pub fn same_origin(method: &Method, headers: &axum::http::HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return !host.is_empty() && origin_host.eq_ignore_ascii_case(host);
    }
    true
}

/// A path of this site to redirect to, or `None`. Browsers drop tabs and
/// newlines inside a URL and read `\` as `/`, so `"/\t/evil.example"` and
/// `"/\\evil.example"` go to evil.example like `"//evil.example"` does:
/// control characters and backslashes are refused anywhere, not only up front.
pub fn safe_local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains("://")
        && !path.chars().any(|c| c == '\\' || c.is_control());
    ok.then_some(path)
}

/// Refuses cross-site state changes with 403.
pub async fn csrf(req: Request, next: Next) -> Response {
    if same_origin(req.method(), req.headers()) {
        next.run(req).await
    } else {
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    }
}

/// The policy for responses that are not pages (server functions, redirects,
/// errors): nothing may run or embed them.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The policy for pages: scripts only from this origin or inline with this
/// response's nonce (the hydration script), WebAssembly allowed, nothing foreign.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Whether the desk is served over HTTPS (`--secure-cookies`): only then is
/// HSTS sent — over plain HTTP it would be ignored, or wrongly pin a test host.
#[derive(Debug, Clone, Copy)]
pub struct Tls(pub bool);

/// A year, and subdomains too: once a browser has seen the desk over HTTPS it
/// never tries plain HTTP again, so a network in between cannot strip the TLS.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Security headers on every response; `no-store` on all but static assets,
/// so a signed-in page never sits in a shared or back-button cache.
pub async fn headers(State(Tls(tls)): State<Tls>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
    }
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let cache = if is_asset { "no-cache" } else { "no-store" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn safe_methods_pass() {
        assert!(same_origin(
            &Method::GET,
            &h(&[("sec-fetch-site", "cross-site")])
        ));
    }

    #[test]
    fn fetch_metadata_decides_first() {
        assert!(same_origin(
            &Method::POST,
            &h(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(same_origin(
            &Method::POST,
            &h(&[("sec-fetch-site", "none")])
        ));
        assert!(!same_origin(
            &Method::POST,
            &h(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(!same_origin(
            &Method::POST,
            &h(&[("sec-fetch-site", "same-site")])
        ));
        // Even with a matching Origin, a cross-site fetch is refused.
        assert!(!same_origin(
            &Method::POST,
            &h(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://desk"),
                ("host", "desk")
            ])
        ));
    }

    #[test]
    fn origin_must_match_host_without_fetch_metadata() {
        assert!(same_origin(
            &Method::POST,
            &h(&[("origin", "http://desk:3000"), ("host", "desk:3000")])
        ));
        assert!(!same_origin(
            &Method::POST,
            &h(&[("origin", "http://evil.example"), ("host", "desk:3000")])
        ));
        assert!(!same_origin(
            &Method::POST,
            &h(&[("origin", "null"), ("host", "desk:3000")])
        ));
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(safe_local_path("/desk/repairs/3"), Some("/desk/repairs/3"));
        assert_eq!(safe_local_path("/portal?x=1#y"), Some("/portal?x=1#y"));
        for evil in [
            "/\t/evil.example",
            "/\n/evil",
            "/\r\n/evil",
            "/\\evil",
            "/a\\..\\\\evil",
            "//evil",
            "/\u{7f}/evil",
            "https://evil.example",
            "/x?u=https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_local_path(evil), None, "{evil:?}");
        }
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(same_origin(&Method::POST, &h(&[])));
    }
}
