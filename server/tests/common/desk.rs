//! The whole desk in process for the HTTP tests (`http_*.rs`): the demo
//! estate loaded into a fresh database, the router the binary serves, and a
//! browser that keeps cookies and sends same-origin fetch metadata.

use axum::body::Body;
use axum::http::{header, Request, Response};
use axum::Router;
use leptos::config::LeptosOptions;
use server::config::HttpConfig;

use super::{CookieJar, TestDb};

/// Every demo account's password.
pub const PASSWORD: &str = "Demo-Estate-2026!";

/// The desk under test: its router, its state, and the database it lives on.
pub struct Desk {
    pub router: Router,
    pub state: app::state::AppState,
    pub store: server::session_store::DeskSessionStore,
    /// Kept until the test ends (a PostgreSQL database is dropped with it).
    _db: TestDb,
}

/// The demo desk on `db`, served with `config`.
pub async fn desk_on(db: TestDb, config: HttpConfig) -> Desk {
    let options = LeptosOptions::builder().output_name("estate-desk").build();
    let (state, store) = server::open_app(&db.url, options, &config, 2)
        .await
        .expect("open app");
    server::demo::load(&state.db, &state.hasher, PASSWORD)
        .await
        .expect("demo");
    let router = server::router::build(state.clone(), store.clone(), &config);
    Desk {
        router,
        state,
        store,
        _db: db,
    }
}

/// The demo desk on a fresh SQLite file, with the default settings.
pub async fn desk() -> Desk {
    desk_on(TestDb::sqlite().await, HttpConfig::default()).await
}

/// A browser: keeps cookies, sends same-origin fetch metadata unless told otherwise.
pub struct Browser<'a> {
    pub desk: &'a Desk,
    pub cookies: CookieJar,
}

impl<'a> Browser<'a> {
    pub fn new(desk: &'a Desk) -> Self {
        Browser {
            desk,
            cookies: CookieJar::default(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Response<Body> {
        self.cookies.send(&self.desk.router, req).await
    }

    pub async fn get(&mut self, path: &str) -> Response<Body> {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    pub async fn post_form(
        &mut self,
        path: &str,
        body: &str,
        site: Option<&str>,
    ) -> Response<Body> {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "desk.test")
            .body(Body::from(body.to_string()))
            .expect("request");
        if let Some(site) = site {
            req.headers_mut()
                .insert("sec-fetch-site", site.parse().expect("header"));
        }
        self.send(req).await
    }

    pub async fn login(&mut self, identifier: &str, password: &str) -> Response<Body> {
        let body = format!(
            "identifier={identifier}&password={}&next=",
            urlencode(password)
        );
        self.post_form("/auth/login", &body, Some("same-origin"))
            .await
    }

    /// Calls a server function (they live at /api/<name>).
    pub async fn call(&mut self, name: &str, body: &str) -> Response<Body> {
        self.post_form(&format!("/api/{name}"), body, Some("same-origin"))
            .await
    }
}

/// Percent-encodes every byte but ASCII letters and digits (for form bodies).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where an answer redirects to (empty when it does not).
pub fn location(r: &Response<Body>) -> String {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The body as text (lossy UTF-8, up to 4 MiB).
pub async fn text(r: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 4 * 1024 * 1024)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether a sign-in answer says to wait (the account's or the address's budget is spent).
pub fn is_throttled(location: &str) -> bool {
    location.starts_with("/login?error=throttled&wait=")
}

/// `len` bytes of noise from a small generator: compresses to nearly itself.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

/// A multipart body with one `back` field and the given `photo` files.
pub fn multipart(back: &str, photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----desk-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"back\"\r\n\r\n{back}\r\n")
            .as_bytes(),
    );
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn png_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

impl Browser<'_> {
    /// Posts a multipart upload (`photo` files, `back`) as a same-origin form does.
    pub async fn upload(
        &mut self,
        path: &str,
        back: &str,
        photos: &[(&str, &[u8])],
    ) -> Response<Body> {
        let (content_type, body) = multipart(back, photos);
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::HOST, "desk.test")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
}

/// One number from the desk's database (a count, an id).
pub async fn one(desk: &Desk, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect(sql);
    n
}

/// A browser signed in as `who` (the sign-in must succeed).
pub async fn signed_in<'a>(desk: &'a Desk, who: &str, password: &str) -> Browser<'a> {
    let mut b = Browser::new(desk);
    let r = b.login(who, password).await;
    let to = location(&r);
    assert!(!to.starts_with("/login"), "sign-in of {who} refused: {to}");
    b
}
