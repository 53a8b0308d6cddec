//! The web page (SPEC §11) over real HTTP: `GET /` and its assets come out of the binary with
//! the right content types, a strict Content-Security-Policy, `nosniff` and revalidation by
//! ETag; the page keeps the automation hooks; its script only names elements the page has.
//! (What the page does in a browser is tested by `tests/browser/test_web.py`.)

mod common;

use std::path::PathBuf;

use broker::config::ServiceConfig;
use common::{fixture_glossary, secret, spawn_app, spawn_app_with, HttpResponse};

fn web_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("web")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(r: &HttpResponse) -> String {
    String::from_utf8(r.body.to_vec()).expect("UTF-8 body")
}

/// The headers every page response carries.
fn assert_guarded(r: &HttpResponse, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP lacks {directive}: {csp}"
        );
    }
    assert!(
        !csp.contains("unsafe"),
        "{what}: CSP allows unsafe code: {csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("cache-control"), Some("no-cache"), "{what}");
    assert!(
        r.header("etag").is_some_and(|t| t.starts_with('"')),
        "{what}: no strong ETag"
    );
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_its_hooks() {
    let app = spawn_app().await;
    let r = app.get("/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_guarded(&r, "/");
    let page = text(&r);
    assert_eq!(
        page.as_bytes(),
        web_file("index.html"),
        "the embedded page is web/index.html"
    );
    for hook in [
        r#"<textarea id="text""#,
        r#"<select id="audience""#,
        r#"<option value="it">"#,
        r#"<option value="marketing">"#,
        r#"<button id="translate""#,
        r#"id="result""#,
    ] {
        assert!(page.contains(hook), "the page lacks the hook {hook}");
    }
    // No inline script (the CSP would block it anyway) and nothing from another origin.
    for (i, _) in page.match_indices("<script") {
        let tag = &page[i..i + page[i..].find('>').unwrap()];
        assert!(
            tag.contains(r#"src="/assets/"#),
            "inline or foreign script: {tag}"
        );
    }
    // No inline event handler or style attribute, nothing from another origin.
    for tag in page
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
    {
        for attr in tag.split_whitespace().skip(1) {
            let name = attr.split('=').next().unwrap_or("");
            assert!(
                !(name.starts_with("on") && attr.contains('=')) && name != "style",
                "inline code or style in <{tag}>"
            );
            if name == "src" || name == "href" {
                let value = attr[name.len() + 1..].trim_matches('"');
                assert!(
                    value.starts_with('/') && !value.starts_with("//") || value.starts_with('#'),
                    "<{tag}> points outside this server"
                );
            }
        }
    }
}

#[tokio::test]
async fn assets_are_served_with_their_types() {
    let app = spawn_app().await;
    for (name, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let r = app.get(&format!("/assets/{name}")).await;
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(r.header("content-type"), Some(content_type), "{name}");
        assert_guarded(&r, name);
        assert_eq!(r.body.as_ref(), web_file(name), "{name} is web/{name}");
    }
    let page = text(&app.get("/").await);
    assert!(page.contains(r#"href="/assets/style.css""#));
    assert!(page.contains(r#"src="/assets/app.js""#));
}

#[tokio::test]
async fn assets_are_revalidated_by_etag() {
    let app = spawn_app().await;
    for path in ["/", "/assets/app.js"] {
        let first = app.get(path).await;
        let tag = first.header("etag").unwrap().to_string();
        let again = app.http("GET", path, &[("if-none-match", &tag)], b"").await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty(), "{path}: a 304 has no body");
        assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
        let other = app
            .http("GET", path, &[("if-none-match", "\"stale\"")], b"")
            .await;
        assert_eq!(other.status, 200, "{path}: another version gets the body");
        assert_eq!(other.body, first.body);
    }
    let js = app.get("/assets/app.js").await;
    let css = app.get("/assets/style.css").await;
    assert_ne!(js.header("etag"), css.header("etag"));
}

#[tokio::test]
async fn unknown_assets_and_methods_are_refused() {
    let app = spawn_app().await;
    let r = app.get("/assets/secrets.toml").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "NOT_FOUND");
    assert!(r.error_message().contains("secrets.toml"));
    let r = app.get("/assets/..%2FCargo.toml").await;
    assert_eq!(r.status, 404);
    let r = app.http("POST", "/", &[], b"x").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn the_page_is_open_when_reads_need_a_token() {
    let config = ServiceConfig {
        read_token: secret("reader"),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    assert_eq!(app.get("/").await.status, 200);
    assert_eq!(app.get("/assets/app.js").await.status, 200);
    let r = app
        .post_json("/v1/translate", &serde_json::json!({"text": "latency"}))
        .await;
    assert_eq!(
        r.status, 401,
        "the API behind the page still needs the token"
    );
}

/// Every element the script looks up by id (`$('id')`) is in the page: a renamed id in one
/// file and not the other would break the page silently.
#[test]
fn the_script_names_only_elements_of_the_page() {
    let page = String::from_utf8(web_file("index.html")).unwrap();
    let script = String::from_utf8(web_file("app.js")).unwrap();
    let mut ids = Vec::new();
    for (i, _) in script.match_indices("$('") {
        let rest = &script[i + 3..];
        let id = &rest[..rest.find('\'').unwrap()];
        if id.ends_with('-') || id.is_empty() {
            continue; // a prefix completed at run time, e.g. $('e-' + key)
        }
        ids.push(id.to_string());
    }
    assert!(
        ids.len() > 20,
        "the script looks elements up by $('id'): {ids:?}"
    );
    for id in ids {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "app.js uses #{id}, which web/index.html lacks"
        );
    }
}
