//! Integration tests of the service: the real server on `127.0.0.1:0`, called with the
//! generated tonic clients (Broker, health, reflection) and over plain HTTP/1.1.
//!
//! Most tests (codes, auth, paging, health, reflection, streams, HTTP routes, shutdown) do not
//! depend on what the matcher finds; the few that check annotations, hits and suggestions
//! use `latency`, which both the embedded and the fixture glossary hold.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use broker::config::ServiceConfig;
use broker::glossary::Glossary;
use broker::service::pb::broker_client::BrokerClient;
use broker::service::pb::{self, Side};
use broker::Matcher;
use common::{
    copy_fixture, fixture_glossary, secret, spawn_app, spawn_app_with, spawn_app_with_store,
    PATIENCE,
};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use tonic::{Code, Request};

fn treq(text: &str, request_id: &str) -> pb::TranslateRequest {
    pb::TranslateRequest {
        text: text.into(),
        request_id: request_id.into(),
        ..Default::default()
    }
}

fn with_token<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn admin_config() -> ServiceConfig {
    ServiceConfig {
        admin_token: secret("s3cret-admin"),
        ..ServiceConfig::default()
    }
}

fn valid_concept(id: &str) -> pb::Concept {
    pb::Concept {
        id: id.into(),
        it: Some(pb::SideEntry {
            terms: vec!["error budget".into()],
            definition: "How much unreliability the SLO allows.".into(),
        }),
        marketing: None,
        tags: vec!["reliability".into()],
        note: String::new(),
        etag: String::new(),
        cues: Vec::new(),
        not_in: Vec::new(),
    }
}

/// Asserts the error code and that the message mentions `needle` (a field or a limit).
#[track_caller]
fn assert_status(status: &tonic::Status, code: Code, needle: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().contains(needle),
        "message {:?} should mention {needle:?}",
        status.message()
    );
}

// ---- Translate ------------------------------------------------------------------------------

#[tokio::test]
async fn translate_echoes_request_id_and_renders_for_each_reader() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let info = client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner();

    let both = client
        .translate(treq("Our latency is bad", "req-1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(both.request_id, "req-1");
    assert_eq!(both.glossary_version, info.version);
    let audiences = both
        .renderings
        .iter()
        .map(|r| r.audience)
        .collect::<Vec<_>>();
    assert_eq!(audiences, [Side::It as i32, Side::Marketing as i32]);

    let marketing = client
        .translate(pb::TranslateRequest {
            audience: Side::Marketing.into(),
            format: pb::Format::Markdown.into(),
            ..treq("Our latency is bad", "req-2")
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(marketing.request_id, "req-2");
    assert_eq!(marketing.renderings.len(), 1);
    assert_eq!(marketing.renderings[0].audience, Side::Marketing as i32);

    let none = client
        .translate(pb::TranslateRequest {
            format: pb::Format::None.into(),
            ..treq("Our latency is bad", "")
        })
        .await
        .unwrap()
        .into_inner();
    assert!(none.renderings.is_empty());
}

#[tokio::test]
async fn translate_finds_latency_in_the_embedded_glossary() {
    let app = spawn_app_with(Glossary::embedded(), ServiceConfig::default()).await;
    let mut client = app.client().await;
    let resp = client
        .translate(pb::TranslateRequest {
            audience: Side::Marketing.into(),
            ..treq("Our latency is bad", "x")
        })
        .await
        .unwrap()
        .into_inner();
    let a = resp
        .annotations
        .iter()
        .find(|a| a.concept_id == "latency")
        .expect("latency is annotated");
    assert_eq!((a.start, a.end), (4, 11));
    assert_eq!(
        (a.char_start, a.char_end, a.utf16_start, a.utf16_end),
        (4, 11, 4, 11)
    );
    assert_eq!(a.text, "latency");
    assert_eq!(a.side, Side::It as i32);
    assert_eq!(a.r#match, pb::Match::Exact as i32);
    assert_eq!(a.score, 1.0);
    assert_eq!(
        a.equivalents.first().map(String::as_str),
        Some("page speed")
    );
}

#[tokio::test]
async fn translate_rejects_bad_fields_naming_them() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let cases: [(pb::TranslateRequest, &str); 4] = [
        (
            pb::TranslateRequest {
                audience: 9,
                ..treq("x", "")
            },
            "audience",
        ),
        (
            pb::TranslateRequest {
                format: 42,
                ..treq("x", "")
            },
            "format",
        ),
        (
            pb::TranslateRequest {
                min_score: 1.5,
                ..treq("x", "")
            },
            "min_score",
        ),
        (
            pb::TranslateRequest {
                min_score: -0.1,
                ..treq("x", "")
            },
            "min_score",
        ),
    ];
    for (req, field) in cases {
        let err = client.translate(req).await.unwrap_err();
        assert_status(&err, Code::InvalidArgument, field);
    }
    // The server is still fine.
    client.translate(treq("x", "")).await.unwrap();
}

#[tokio::test]
async fn text_over_the_limit_is_resource_exhausted_naming_the_limit() {
    let config = ServiceConfig {
        max_text_bytes: 64,
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    client.translate(treq(&"a".repeat(64), "")).await.unwrap();
    let err = client
        .translate(treq(&"a".repeat(65), ""))
        .await
        .unwrap_err();
    assert_status(&err, Code::ResourceExhausted, "64 bytes");
    assert!(err.message().contains("text"), "{err:?}");
    let err = client
        .lookup(pb::LookupRequest {
            term: "a".repeat(65),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_status(&err, Code::ResourceExhausted, "term");

    let resp = app
        .post_json("/v1/translate", &json!({"text": "a".repeat(65)}))
        .await;
    assert_eq!(resp.status, 413);
    assert_eq!(resp.error_code(), "RESOURCE_EXHAUSTED");
    assert!(
        resp.error_message().contains("64 bytes"),
        "{:?}",
        resp.json()
    );
}

#[tokio::test]
async fn a_grpc_timeout_shorter_than_the_work_is_deadline_exceeded() {
    let app = spawn_app().await;
    // No client-side timer: the answer must come from the server.
    let mut client = app.raw_client();
    let mut req = Request::new(treq("Our latency is bad", ""));
    req.metadata_mut()
        .insert("grpc-timeout", "1n".parse().unwrap());
    let err = client.translate(req).await.unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");

    let mut req = Request::new(pb::LookupRequest {
        term: "latency".into(),
        ..Default::default()
    });
    req.metadata_mut()
        .insert("grpc-timeout", "1n".parse().unwrap());
    let err = client.lookup(req).await.unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");

    let mut req = Request::new(treq("Our latency is bad", ""));
    req.metadata_mut()
        .insert("grpc-timeout", "20S".parse().unwrap());
    client.translate(req).await.unwrap();
}

#[tokio::test]
async fn the_server_request_timeout_is_deadline_exceeded_too() {
    let config = ServiceConfig {
        request_timeout: Duration::from_nanos(1),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    let err = client.translate(treq("x", "")).await.unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");
    let resp = app.post_json("/v1/translate", &json!({"text": "x"})).await;
    assert_eq!(resp.status, 504);
    assert_eq!(resp.error_code(), "DEADLINE_EXCEEDED");
}

#[tokio::test]
async fn garbage_bytes_get_an_error_and_the_server_keeps_serving() {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let app = spawn_app().await;
    let raw: Client<_, Full<axum::body::Bytes>> = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    // One gRPC frame holding 5 bytes that are not a TranslateRequest.
    let frame = axum::body::Bytes::from_static(&[0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff]);
    let req = axum::http::Request::post(format!("{}/broker.v1.Broker/Translate", app.url()))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(frame))
        .unwrap();
    let resp = raw.request(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let collected = body.collect().await.unwrap();
    let status = parts
        .headers
        .get("grpc-status")
        .or_else(|| collected.trailers().and_then(|t| t.get("grpc-status")))
        .expect("a grpc-status")
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(status, "0");
    let mut client = app.client().await;
    client.translate(treq("still here", "")).await.unwrap();
}

// ---- TranslateStream ------------------------------------------------------------------------

#[tokio::test]
async fn stream_answers_in_order_echoing_request_ids() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let requests = (0..50)
        .map(|i| treq(&format!("message {i} about latency"), &format!("m{i}")))
        .collect::<Vec<_>>();
    let mut responses = client
        .translate_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    let mut ids = Vec::new();
    while let Some(r) = responses.message().await.unwrap() {
        ids.push(r.request_id);
    }
    assert_eq!(ids, (0..50).map(|i| format!("m{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn stream_answers_each_message_as_it_arrives() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let (tx, rx) = mpsc::channel(1);
    let mut responses = client
        .translate_stream(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    // Ping-pong: each answer comes before the next request is even sent.
    for i in 0..5 {
        let id = format!("ping-{i}");
        tx.send(treq("hello", &id)).await.unwrap();
        let r = tokio::time::timeout(PATIENCE, responses.message())
            .await
            .expect("an answer without waiting for the end of the stream")
            .unwrap()
            .unwrap();
        assert_eq!(r.request_id, id);
    }
    drop(tx);
    assert!(responses.message().await.unwrap().is_none());
}

#[tokio::test]
async fn a_bad_message_ends_its_stream_only() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let (good_tx, good_rx) = mpsc::channel(1);
    let mut good = client
        .translate_stream(ReceiverStream::new(good_rx))
        .await
        .unwrap()
        .into_inner();
    good_tx.send(treq("first", "g1")).await.unwrap();
    assert_eq!(good.message().await.unwrap().unwrap().request_id, "g1");

    let bad_requests = vec![
        treq("fine", "b1"),
        pb::TranslateRequest {
            min_score: 7.0,
            ..treq("bad", "b2")
        },
        treq("never answered", "b3"),
    ];
    let mut bad = client
        .translate_stream(tokio_stream::iter(bad_requests))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bad.message().await.unwrap().unwrap().request_id, "b1");
    let err = bad.message().await.unwrap_err();
    assert_status(&err, Code::InvalidArgument, "min_score");

    // The other stream on the same connection goes on.
    good_tx.send(treq("second", "g2")).await.unwrap();
    assert_eq!(good.message().await.unwrap().unwrap().request_id, "g2");
}

#[tokio::test]
async fn stream_messages_over_the_limit_end_the_stream() {
    let config = ServiceConfig {
        max_text_bytes: 16,
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    let mut responses = client
        .translate_stream(tokio_stream::iter(vec![
            treq("short", "1"),
            treq(&"long ".repeat(10), "2"),
        ]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(responses.message().await.unwrap().unwrap().request_id, "1");
    let err = responses.message().await.unwrap_err();
    assert_status(&err, Code::ResourceExhausted, "16 bytes");
}

#[tokio::test]
async fn stream_responses_carry_annotations() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let mut responses = client
        .translate_stream(tokio_stream::iter(vec![
            treq("Our latency is bad", "a"),
            treq("What is our uptime?", "b"),
        ]))
        .await
        .unwrap()
        .into_inner();
    let first = responses.next().await.unwrap().unwrap();
    assert_eq!(first.annotations[0].concept_id, "latency");
    let second = responses.next().await.unwrap().unwrap();
    assert_eq!(second.annotations[0].concept_id, "uptime");
}

// ---- Lookup and Suggest ---------------------------------------------------------------------

#[tokio::test]
async fn lookup_and_suggest_validate_their_fields() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let err = client
        .lookup(pb::LookupRequest::default())
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "term");
    let err = client
        .lookup(pb::LookupRequest {
            term: "latency".into(),
            audience: 3,
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "audience");
    let err = client
        .suggest(pb::SuggestRequest::default())
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "prefix");
    let err = client
        .suggest(pb::SuggestRequest {
            prefix: "lat".into(),
            side: -1,
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "side");
    // Well-formed requests succeed whatever they find.
    client
        .lookup(pb::LookupRequest {
            term: "latency".into(),
            audience: Side::Marketing.into(),
            limit: 1000,
        })
        .await
        .unwrap();
    client
        .suggest(pb::SuggestRequest {
            prefix: "lat".into(),
            side: Side::It.into(),
            limit: 3,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn lookup_returns_the_whole_concept() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let hits = client
        .lookup(pb::LookupRequest {
            term: "latency".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .hits;
    let hit = hits.first().expect("a hit");
    let concept = hit.concept.as_ref().unwrap();
    assert_eq!(concept.id, "latency");
    assert_eq!(concept.marketing.as_ref().unwrap().terms[0], "page speed");
    assert_eq!(hit.r#match, pb::Match::Exact as i32);
    assert_eq!(hit.score, 1.0);
}

#[tokio::test]
async fn lookup_is_fuzzy() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let hits = client
        .lookup(pb::LookupRequest {
            term: "latancy".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .hits;
    let hit = hits.first().expect("a hit");
    assert_eq!(hit.concept.as_ref().unwrap().id, "latency");
    assert_eq!(hit.r#match, pb::Match::Fuzzy as i32);
    assert!(hit.score < 1.0);
}

#[tokio::test]
async fn suggest_completes_a_prefix_case_insensitively() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    for prefix in ["lat", "LAT"] {
        let suggestions = client
            .suggest(pb::SuggestRequest {
                prefix: prefix.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .suggestions;
        assert!(
            suggestions.iter().any(|s| s.term == "latency"
                && s.concept_id == "latency"
                && s.side == Side::It as i32),
            "{prefix}: {suggestions:?}"
        );
    }
}

// ---- Browsing -------------------------------------------------------------------------------

async fn list_all(
    client: &mut pb::broker_client::BrokerClient<tonic::transport::Channel>,
    page_size: u32,
    tag: &str,
    query: &str,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_concepts(pb::ListConceptsRequest {
                page_size,
                page_token: token,
                tag: tag.into(),
                query: query.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(page.concepts.len() <= page_size.max(1) as usize || page_size == 0);
        ids.extend(page.concepts.into_iter().map(|c| c.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}

#[tokio::test]
async fn list_concepts_pages_and_filters() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let all = fixture_glossary()
        .concepts()
        .iter()
        .map(|c| c.id.clone())
        .collect::<Vec<_>>();
    assert_eq!(all.len(), 10);
    assert_eq!(list_all(&mut client, 0, "", "").await, all);
    assert_eq!(list_all(&mut client, 3, "", "").await, all);
    assert_eq!(list_all(&mut client, 1, "", "").await, all);
    assert_eq!(
        list_all(&mut client, 2, "delivery", "").await,
        ["ci-pipeline", "deployment", "refactoring"]
    );
    // Query: case-insensitive, over ids and terms of both sides.
    assert_eq!(
        list_all(&mut client, 2, "", "PIPELINE").await,
        ["ci-pipeline", "sales-pipeline"]
    );
    assert_eq!(list_all(&mut client, 2, "", "Launch").await, ["deployment"]);
    assert_eq!(
        list_all(&mut client, 5, "sales", "qualified").await,
        ["mql"]
    );
    assert!(list_all(&mut client, 5, "no-such-tag", "").await.is_empty());

    for token in ["garbage!", "bm90IGEgdG9rZW4"] {
        let err = client
            .list_concepts(pb::ListConceptsRequest {
                page_token: token.into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_status(&err, Code::InvalidArgument, "page_token");
    }
    // A token is tied to its filter.
    let first = client
        .list_concepts(pb::ListConceptsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let err = client
        .list_concepts(pb::ListConceptsRequest {
            page_size: 1,
            page_token: first.next_page_token,
            tag: "sales".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "page_token");
}

#[tokio::test]
async fn get_concept_returns_it_whole_or_not_found() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let c = client
        .get_concept(pb::GetConceptRequest {
            id: "latency".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let expected = fixture_glossary().get("latency").unwrap().clone();
    assert_eq!(c.id, "latency");
    assert_eq!(c.it.as_ref().unwrap().terms, ["latency", "response time"]);
    assert_eq!(
        c.marketing.as_ref().unwrap().definition,
        "How long a customer waits for a page to appear."
    );
    assert_eq!(c.tags, ["performance"]);
    assert_eq!(c.note, "p99 = the slowest 1% of requests.");
    assert_eq!(c.etag, expected.etag());

    // A one-sided concept has no `it` at all (presence, not an empty message).
    let mql = client
        .get_concept(pb::GetConceptRequest { id: "mql".into() })
        .await
        .unwrap()
        .into_inner();
    assert!(mql.it.is_none());
    assert!(mql.marketing.is_some());

    let err = client
        .get_concept(pb::GetConceptRequest {
            id: "no-such-concept".into(),
        })
        .await
        .unwrap_err();
    assert_status(&err, Code::NotFound, "no-such-concept");
}

#[tokio::test]
async fn glossary_info_describes_what_is_served() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let info = client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    let g = fixture_glossary();
    let stats = g.stats();
    assert_eq!(info.version, g.version());
    assert_eq!(info.concepts as usize, stats.concepts);
    assert_eq!(info.it_terms as usize, stats.it_terms);
    assert_eq!(info.marketing_terms as usize, stats.marketing_terms);
    assert_eq!(info.false_friends as usize, stats.false_friends);
    assert_eq!(info.false_friends, 1);
    assert_eq!(info.source, common::fixture_dir().display().to_string());
    let loaded = info.loaded_at.expect("loaded_at is set");
    assert!(loaded.seconds > 1_600_000_000, "{loaded:?}");

    // Swapping the glossary is seen by the next request.
    app.state
        .replace(Matcher::new(std::sync::Arc::new(Glossary::embedded())));
    let info = client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.source, "embedded");
}

// ---- Admin RPCs and tokens ------------------------------------------------------------------

#[tokio::test]
async fn edits_are_refused_when_no_admin_token_is_configured() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let err = client
        .upsert_concept(with_token(
            pb::UpsertConceptRequest {
                concept: Some(valid_concept("error-budget")),
                expected_etag: String::new(),
            },
            "anything",
        ))
        .await
        .unwrap_err();
    assert_status(&err, Code::FailedPrecondition, "admin token");
    let err = client
        .delete_concept(pb::DeleteConceptRequest {
            id: "latency".into(),
            expected_etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn edits_need_the_admin_token_then_a_valid_concept() {
    let app = spawn_app_with(fixture_glossary(), admin_config()).await;
    let mut client = app.client().await;
    let upsert = |concept: pb::Concept, etag: &str| pb::UpsertConceptRequest {
        concept: Some(concept),
        expected_etag: etag.into(),
    };

    let err = client
        .upsert_concept(upsert(valid_concept("error-budget"), ""))
        .await
        .unwrap_err();
    assert_status(&err, Code::Unauthenticated, "authorization");
    let err = client
        .upsert_concept(with_token(
            upsert(valid_concept("error-budget"), ""),
            "wrong",
        ))
        .await
        .unwrap_err();
    assert_status(&err, Code::Unauthenticated, "authorization");
    let mut req = Request::new(upsert(valid_concept("error-budget"), ""));
    req.metadata_mut()
        .insert("authorization", "Basic czNjcmV0LWFkbWlu".parse().unwrap());
    let err = client.upsert_concept(req).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);

    // Authenticated: validation names the field.
    let token = "s3cret-admin";
    let invalid = [
        (
            pb::Concept {
                id: "Bad Id".into(),
                ..valid_concept("x")
            },
            "concept.id",
        ),
        (
            pb::Concept {
                it: Some(pb::SideEntry {
                    terms: vec!["ok".into(), " ".into()],
                    definition: "d".into(),
                }),
                ..valid_concept("x")
            },
            "concept.it.terms[1]",
        ),
        (
            pb::Concept {
                it: Some(pb::SideEntry {
                    terms: vec!["ok".into()],
                    definition: String::new(),
                }),
                ..valid_concept("x")
            },
            "concept.it.definition",
        ),
        (
            pb::Concept {
                it: None,
                ..valid_concept("x")
            },
            "concept.it",
        ),
    ];
    for (concept, field) in invalid {
        let err = client
            .upsert_concept(with_token(upsert(concept, ""), token))
            .await
            .unwrap_err();
        assert_status(&err, Code::InvalidArgument, field);
    }
    let err = client
        .upsert_concept(with_token(
            pb::UpsertConceptRequest {
                concept: None,
                expected_etag: String::new(),
            },
            token,
        ))
        .await
        .unwrap_err();
    assert_status(&err, Code::InvalidArgument, "concept");

    // Valid and authenticated, but this server runs on a glossary with no directory
    // behind it: edits are refused, naming the flag that enables them.
    let err = client
        .upsert_concept(with_token(upsert(valid_concept("error-budget"), ""), token))
        .await
        .unwrap_err();
    assert_status(&err, Code::FailedPrecondition, "--glossary");
    let delete = pb::DeleteConceptRequest {
        id: "latency".into(),
        expected_etag: String::new(),
    };
    let err = client.delete_concept(delete.clone()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let err = client
        .delete_concept(with_token(delete, token))
        .await
        .unwrap_err();
    assert_status(&err, Code::FailedPrecondition, "--glossary");
}

#[tokio::test]
async fn edits_are_durable_served_and_checked_against_etags() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let app = spawn_app_with_store(dir.path(), admin_config()).await;
    let mut client = app.client().await;
    let token = "s3cret-admin";
    let upsert = |concept: pb::Concept, etag: &str| pb::UpsertConceptRequest {
        concept: Some(concept),
        expected_etag: etag.into(),
    };
    let version = |c: &mut BrokerClient<_>| {
        let mut c = c.clone();
        async move {
            c.get_glossary_info(pb::GetGlossaryInfoRequest {})
                .await
                .unwrap()
                .into_inner()
                .version
        }
    };
    let v0 = version(&mut client).await;

    // Create: acknowledged only once on disk, then served.
    let created = client
        .upsert_concept(with_token(upsert(valid_concept("error-budget"), ""), token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.id, "error-budget");
    assert!(!created.etag.is_empty());
    let on_disk = broker::Glossary::load_dir(dir.path()).unwrap();
    assert_eq!(on_disk.origin("error-budget").unwrap().file, "edits.toml");
    assert_ne!(version(&mut client).await, v0);
    let got = client
        .get_concept(pb::GetConceptRequest {
            id: "error-budget".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, created);
    let found = client
        .translate(pb::TranslateRequest {
            text: "Spend the error budget wisely.".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.annotations[0].concept_id, "error-budget");

    // Replace with the right etag; a stale etag is ABORTED and changes nothing.
    let mut changed = valid_concept("error-budget");
    changed.cues = vec!["slo".into()];
    changed.it.as_mut().unwrap().definition = "The unreliability an SLO allows.".into();
    let replaced = client
        .upsert_concept(with_token(upsert(changed.clone(), &created.etag), token))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(replaced.etag, created.etag);
    assert_eq!(replaced.cues, vec!["slo"]);
    let err = client
        .upsert_concept(with_token(upsert(changed.clone(), &created.etag), token))
        .await
        .unwrap_err();
    assert_status(&err, Code::Aborted, "expected_etag");
    let err = client
        .delete_concept(with_token(
            pb::DeleteConceptRequest {
                id: "error-budget".into(),
                expected_etag: created.etag.clone(),
            },
            token,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);

    // Delete with the current etag; then it is gone, on disk and on the wire.
    client
        .delete_concept(with_token(
            pb::DeleteConceptRequest {
                id: "error-budget".into(),
                expected_etag: replaced.etag.clone(),
            },
            token,
        ))
        .await
        .unwrap();
    let err = client
        .get_concept(pb::GetConceptRequest {
            id: "error-budget".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(broker::Glossary::load_dir(dir.path())
        .unwrap()
        .get("error-budget")
        .is_none());
    let err = client
        .delete_concept(with_token(
            pb::DeleteConceptRequest {
                id: "nope".into(),
                expected_etag: String::new(),
            },
            token,
        ))
        .await
        .unwrap_err();
    assert_status(&err, Code::NotFound, "nope");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_read_token_guards_reads_but_not_health() {
    let config = ServiceConfig {
        read_token: secret("reader"),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    let err = client.translate(treq("x", "")).await.unwrap_err();
    assert_status(&err, Code::Unauthenticated, "authorization");
    let err = client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let err = client
        .translate_stream(tokio_stream::iter(vec![treq("x", "")]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let err = client
        .translate(with_token(treq("x", ""), "wrong"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    client
        .translate(with_token(treq("x", ""), "reader"))
        .await
        .unwrap();
    client
        .list_concepts(with_token(pb::ListConceptsRequest::default(), "reader"))
        .await
        .unwrap();

    let mut health = tonic_health::pb::health_client::HealthClient::new(app.channel().await);
    health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();

    let resp = app.get("/v1/concepts/latency").await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.error_code(), "UNAUTHENTICATED");
    assert_eq!(resp.header("www-authenticate"), Some("Bearer"));
    let resp = app
        .http(
            "GET",
            "/v1/concepts/latency",
            &[("authorization", "Bearer reader")],
            b"",
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(app.get("/healthz").await.status, 200);
}

// ---- Health and reflection ------------------------------------------------------------------

#[tokio::test]
async fn health_is_serving_for_the_server_and_the_broker() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;

    let app = spawn_app().await;
    let mut health = HealthClient::new(app.channel().await);
    for service in ["", "broker.v1.Broker"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }
    let err = health
        .check(HealthCheckRequest {
            service: "no.such.Service".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn reflection_v1_lists_and_describes_the_services() {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;

    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel().await);
    let ask = |m: MessageRequest| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(m),
    };
    let requests = vec![
        ask(MessageRequest::ListServices(String::new())),
        ask(MessageRequest::FileContainingSymbol(
            "broker.v1.Broker".into(),
        )),
        ask(MessageRequest::FileByFilename(
            "google/protobuf/timestamp.proto".into(),
        )),
    ];
    let mut responses = client
        .server_reflection_info(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();

    let Some(MessageResponse::ListServicesResponse(list)) =
        responses.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names = list
        .service
        .into_iter()
        .map(|s| s.name)
        .collect::<BTreeSet<_>>();
    for expected in [
        "broker.v1.Broker",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(names.contains(expected), "{expected} in {names:?}");
    }

    for expected_file in ["broker/v1/broker.proto", "google/protobuf/timestamp.proto"] {
        let Some(MessageResponse::FileDescriptorResponse(files)) =
            responses.message().await.unwrap().unwrap().message_response
        else {
            panic!("expected a file descriptor for {expected_file}");
        };
        let names = files
            .file_descriptor_proto
            .iter()
            .map(|bytes| {
                <prost_types::FileDescriptorProto as prost::Message>::decode(bytes.as_slice())
                    .unwrap()
                    .name
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>();
        assert!(
            names.iter().any(|n| n == expected_file),
            "{expected_file} in {names:?}"
        );
    }
}

#[tokio::test]
async fn reflection_v1alpha_lists_the_services() {
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1alpha::ServerReflectionRequest;

    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel().await);
    let mut responses = client
        .server_reflection_info(tokio_stream::iter(vec![ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        }]))
        .await
        .unwrap()
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        responses.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names = list
        .service
        .into_iter()
        .map(|s| s.name)
        .collect::<BTreeSet<_>>();
    for expected in [
        "broker.v1.Broker",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    ] {
        assert!(names.contains(expected), "{expected} in {names:?}");
    }
}

// ---- HTTP/JSON ------------------------------------------------------------------------------

#[tokio::test]
async fn http_translate_answers_like_the_cli_json() {
    let app = spawn_app().await;
    let body = json!({
        "text": "Our latency is bad; the pipeline is full.",
        "audience": "marketing",
        "format": "markdown",
        "min_score": 0.9,
        "request_id": "webhook-7",
    });
    let resp = app.post_json("/v1/translate", &body).await;
    assert_eq!(resp.status, 200, "{:?}", resp.body);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    // Exactly what `broker translate --json` prints for the same request.
    let req = broker::json::translate_request(&body).unwrap();
    let matcher = Matcher::new(std::sync::Arc::new(fixture_glossary()));
    let expected = broker::json::translate_response(&broker::translate(&matcher, &req).unwrap());
    assert_eq!(resp.json(), expected);
    assert_eq!(resp.json()["request_id"], "webhook-7");
    assert_eq!(resp.json()["renderings"][0]["audience"], "marketing");
}

#[tokio::test]
async fn http_translate_and_lookup_find_latency() {
    let app = spawn_app().await;
    let resp = app
        .post_json("/v1/translate", &json!({"text": "Our latency is bad"}))
        .await;
    let a = &resp.json()["annotations"][0];
    assert_eq!(a["concept_id"], "latency");
    assert_eq!(a["match"], "exact");
    assert_eq!(a["side"], "it");
    let resp = app
        .get("/v1/lookup?term=latency&audience=marketing&limit=2")
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["hits"][0]["concept"]["id"], "latency");
}

#[tokio::test]
async fn http_errors_are_json_with_the_matching_status() {
    let app = spawn_app().await;
    // (method, path, body, HTTP status, error code, what the message names)
    type Case = (
        &'static str,
        &'static str,
        &'static [u8],
        u16,
        &'static str,
        &'static str,
    );
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("POST", "/v1/translate", br#"{"text": "x", "audience": "cmo"}"#, 400, "INVALID_ARGUMENT", "audience"),
        ("POST", "/v1/translate", br#"{"text": "x", "min_score": 3}"#, 400, "INVALID_ARGUMENT", "min_score"),
        ("POST", "/v1/translate", br#"{"txt": "x"}"#, 400, "INVALID_ARGUMENT", "txt"),
        ("POST", "/v1/translate", b"{not json", 400, "INVALID_ARGUMENT", "body"),
        ("POST", "/v1/translate", b"[1, 2]", 400, "INVALID_ARGUMENT", "body"),
        ("GET", "/v1/lookup", b"", 400, "INVALID_ARGUMENT", "term"),
        ("GET", "/v1/lookup?term=x&limit=-1", b"", 400, "INVALID_ARGUMENT", "limit"),
        ("GET", "/v1/lookup?term=x&audience=cfo", b"", 400, "INVALID_ARGUMENT", "audience"),
        ("GET", "/v1/concepts/nope", b"", 404, "NOT_FOUND", "nope"),
        ("GET", "/v1/nothing-here", b"", 404, "NOT_FOUND", "/v1/nothing-here"),
        ("GET", "/v1/translate", b"", 405, "UNIMPLEMENTED", "GET"),
    ];
    for (method, path, body, status, code, needle) in cases {
        let resp = app.http(method, path, &[], body).await;
        assert_eq!(resp.status, status, "{method} {path}: {:?}", resp.body);
        assert_eq!(resp.error_code(), code, "{method} {path}");
        assert!(
            resp.error_message().contains(needle),
            "{method} {path}: {} should mention {needle}",
            resp.error_message()
        );
    }
}

#[tokio::test]
async fn http_routes_serve_concepts_lookups_and_health() {
    let app = spawn_app().await;
    let resp = app.get("/v1/concepts/latency").await;
    assert_eq!(resp.status, 200);
    let expected = broker::json::concept(fixture_glossary().get("latency").unwrap());
    assert_eq!(resp.json(), expected);

    let resp = app
        .get("/v1/lookup?term=latency&audience=marketing&limit=2")
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.json()["hits"].is_array());

    let resp = app.get("/healthz").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["status"], "serving");
    assert_eq!(
        resp.json()["glossary_version"],
        fixture_glossary().version()
    );
}

#[tokio::test]
async fn http_body_over_the_limit_is_413() {
    let config = ServiceConfig {
        max_text_bytes: 10,
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    // Far over the body limit (2 × 10 + 64 KiB): refused before parsing.
    let body = json!({ "text": "a".repeat(100_000) });
    let resp = app.post_json("/v1/translate", &body).await;
    assert_eq!(resp.status, 413);
    assert_eq!(resp.error_code(), "RESOURCE_EXHAUSTED");
    assert!(
        resp.error_message().contains("body"),
        "{}",
        resp.error_message()
    );
}

// ---- Shutdown -------------------------------------------------------------------------------

#[tokio::test]
async fn shutdown_finishes_the_call_in_flight_then_returns() {
    let config = ServiceConfig {
        shutdown_grace: Duration::from_secs(600),
        ..ServiceConfig::default()
    };
    let mut app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    let (tx, rx) = mpsc::channel(1);
    let mut responses = client
        .translate_stream(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(treq("before", "1")).await.unwrap();
    assert_eq!(responses.message().await.unwrap().unwrap().request_id, "1");

    app.signal_shutdown();

    // The call in flight keeps working, and the server waits for it.
    tx.send(treq("after the signal", "2")).await.unwrap();
    assert_eq!(responses.message().await.unwrap().unwrap().request_id, "2");
    assert!(!app.is_stopped());

    drop(tx);
    assert!(responses.message().await.unwrap().is_none());
    drop(responses);
    drop(client);
    app.stopped().await.unwrap();

    // The listener is closed.
    assert!(tokio::net::TcpStream::connect(app.addr).await.is_err());
}

#[tokio::test]
async fn shutdown_is_bounded_by_the_grace_period() {
    let config = ServiceConfig {
        shutdown_grace: Duration::from_millis(100),
        ..ServiceConfig::default()
    };
    let mut app = spawn_app_with(fixture_glossary(), config).await;
    let mut client = app.client().await;
    let (tx, rx) = mpsc::channel(1);
    let mut responses = client
        .translate_stream(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(treq("hello", "1")).await.unwrap();
    assert_eq!(responses.message().await.unwrap().unwrap().request_id, "1");
    // The stream stays open; the server stops anyway once the grace period is over.
    app.signal_shutdown();
    app.stopped().await.unwrap();
    drop(tx);
}

#[tokio::test]
async fn grpc_and_http1_share_the_port() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    client.translate(treq("x", "")).await.unwrap();
    let resp = app.get("/healthz").await;
    assert_eq!(resp.status, 200);
    // And the gRPC connection is still good after an HTTP/1.1 one.
    client.translate(treq("y", "")).await.unwrap();
}
