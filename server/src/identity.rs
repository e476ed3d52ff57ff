//! Who is calling, resolved once per request before any page or server
//! function runs, and the page guard that turns it into redirects and 403s.
//!
//! The guard and the app shell ask the same rule (`app::common::page_permission`);
//! the server functions behind every page authorise again on their own.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::auth::session;
use app::common::{allows, home_path, page_permission, Caller, Lang};
use app::guard::RequestIdentity;
use app::state::AppState;

/// Whether to believe `X-Forwarded-For` (set from configuration).
#[derive(Debug, Clone, Copy)]
pub struct TrustProxy(pub bool);

/// Whether the desk is served over HTTPS (`--secure-cookies`), so the cookies
/// the sign-in routes set themselves are `Secure` like the session's.
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

/// The caller's address: the socket peer, or — behind the one reverse proxy
/// `TRUST_PROXY` vouches for — the address that proxy appended to
/// `X-Forwarded-For`: the last entry (of the last such header). Everything
/// before it was sent by the client and proves nothing. One proxy is assumed;
/// behind a chain, the last hop must be the only one that appends.
pub fn client_ip(req: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        if let Some(ip) = last_forwarded_for(req.headers()) {
            return Some(ip);
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip())
}

/// The last address of `X-Forwarded-For`, with or without a port.
fn last_forwarded_for(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The `lang` cookie of a signed-out visitor.
pub fn cookie_lang(req: &Request) -> Option<Lang> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("lang="))
        .find_map(Lang::parse)
}

/// What the page guard does with a page request.
#[derive(Debug, PartialEq, Eq)]
pub enum PageDecision {
    Pass,
    Redirect(String),
    Forbidden,
}

/// The guard's rule for a GET of `path` by `caller`.
pub fn decide(path: &str, caller: Option<&Caller>) -> PageDecision {
    match (path, caller) {
        ("/", Some(c)) | ("/login", Some(c)) => {
            PageDecision::Redirect(home_path(c.role).to_string())
        }
        ("/", None) => PageDecision::Redirect("/login".to_string()),
        _ => match (page_permission(path), caller) {
            (None, _) => PageDecision::Pass,
            (Some(_), None) => PageDecision::Redirect(format!("/login?next={}", escape_path(path))),
            (Some(p), Some(c)) if !allows(c.role, p) => PageDecision::Forbidden,
            (Some(_), Some(_)) => PageDecision::Pass,
        },
    }
}

fn escape_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Static files need no identity.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// Resolves the caller into the request's extensions, then guards pages.
pub async fn resolve(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if is_asset(&path) {
        return next.run(req).await;
    }
    let trust = req.extensions().get::<TrustProxy>().is_some_and(|t| t.0);
    let ip = client_ip(&req, trust);
    let caller = match session::caller(&state, &session).await {
        Ok(caller) => caller,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let lang = caller
        .as_ref()
        .map(|c| c.lang)
        .or_else(|| cookie_lang(&req))
        .unwrap_or_default();
    let is_page =
        (req.method() == Method::GET || req.method() == Method::HEAD) && !path.starts_with("/api/");
    let decision = if is_page {
        decide(&path, caller.as_ref())
    } else {
        PageDecision::Pass
    };
    req.extensions_mut()
        .insert(RequestIdentity { lang, caller, ip });
    match decision {
        PageDecision::Redirect(to) => Redirect::to(&to).into_response(),
        PageDecision::Pass => next.run(req).await,
        PageDecision::Forbidden => {
            // The shell renders the refusal in the user's language; the status says it too.
            let mut response = next.run(req).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::common::{EstateScope, Role};

    fn request(forwarded: &[&str]) -> Request {
        let mut req = Request::new(axum::body::Body::empty());
        for value in forwarded {
            req.headers_mut()
                .append("x-forwarded-for", value.parse().expect("header"));
        }
        let peer: SocketAddr = "10.9.9.9:40000".parse().expect("peer");
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    }

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn behind_the_proxy_the_address_it_appended_counts() {
        let spoofed = request(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_ip(&spoofed, true), ip("203.0.113.7"));
        let two_headers = request(&["6.6.6.6", "203.0.113.8"]);
        assert_eq!(client_ip(&two_headers, true), ip("203.0.113.8"));
        let v6 = request(&["[2001:db8::1]:443, 2001:db8::2"]);
        assert_eq!(client_ip(&v6, true), ip("2001:db8::2"));
        let with_port = request(&["203.0.113.9:5555"]);
        assert_eq!(client_ip(&with_port, true), ip("203.0.113.9"));
    }

    #[test]
    fn without_trust_or_a_usable_header_the_peer_counts() {
        assert_eq!(client_ip(&request(&["203.0.113.7"]), false), ip("10.9.9.9"));
        assert_eq!(client_ip(&request(&[]), true), ip("10.9.9.9"));
        assert_eq!(
            client_ip(&request(&["203.0.113.7, junk"]), true),
            ip("10.9.9.9")
        );
    }

    fn caller(role: Role) -> Caller {
        Caller {
            account_id: 1,
            role,
            display_name: "x".into(),
            lang: Lang::Zh,
            scope: EstateScope::All,
            resident_id: None,
            residences: Vec::new(),
        }
    }

    #[test]
    fn signed_out_visitors_are_sent_to_sign_in() {
        assert_eq!(decide("/", None), PageDecision::Redirect("/login".into()));
        assert_eq!(
            decide("/desk", None),
            PageDecision::Redirect("/login?next=/desk".into())
        );
        assert_eq!(decide("/login", None), PageDecision::Pass);
    }

    #[test]
    fn signed_in_callers_land_on_their_home() {
        assert_eq!(
            decide("/", Some(&caller(Role::Clerk))),
            PageDecision::Redirect("/desk".into())
        );
        assert_eq!(
            decide("/login", Some(&caller(Role::Resident))),
            PageDecision::Redirect("/portal".into())
        );
    }

    #[test]
    fn a_resident_is_refused_staff_pages() {
        let resident = caller(Role::Resident);
        assert_eq!(decide("/desk", Some(&resident)), PageDecision::Forbidden);
        assert_eq!(
            decide("/admin/staff", Some(&resident)),
            PageDecision::Forbidden
        );
        assert_eq!(decide("/portal", Some(&resident)), PageDecision::Pass);
    }

    #[test]
    fn next_is_escaped() {
        assert_eq!(
            decide("/desk/a b", None),
            PageDecision::Redirect("/login?next=/desk/a%20b".into())
        );
    }
}
