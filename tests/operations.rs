//! Production operation (SPEC §5 `view`, §12): compact responses and text limits, against the
//! real server with the generated tonic client and plain HTTP.

mod common;

use broker::service::pb;
use common::spawn_app;
use prost::Message;
use tonic::Code;

/// A brief that mentions some concepts several times, by terms of both sides.
const BRIEF: &str = "Latency is up: the latency of the checkout API doubled, and the response \
    time hurts our CTR. Watch the CTR and the latency after the deployment; the click-through \
    rate is a KPI. Page speed matters.";

fn translate_request(text: &str, view: pb::View) -> pb::TranslateRequest {
    pb::TranslateRequest {
        text: text.to_string(),
        audience: pb::Side::Marketing.into(),
        format: pb::Format::Inline.into(),
        explain: pb::Explain::Every.into(),
        view: view.into(),
        ..Default::default()
    }
}

/// The full view rebuilt from a compact response: each annotation's own note when it has one,
/// else its concept's.
fn expand(compact: &pb::TranslateResponse) -> Vec<pb::Annotation> {
    compact
        .annotations
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if a.equivalents.is_empty() && a.definition.is_empty() {
                let note = compact
                    .concepts
                    .get(&a.concept_id)
                    .unwrap_or_else(|| panic!("no note for {}", a.concept_id));
                a.equivalents = note.equivalents.clone();
                a.definition = note.definition.clone();
            }
            a
        })
        .collect()
}

#[tokio::test]
async fn grpc_compact_view_carries_each_note_once() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let full = client
        .translate(translate_request(BRIEF, pb::View::Unspecified))
        .await
        .unwrap()
        .into_inner();
    let compact = client
        .translate(translate_request(BRIEF, pb::View::Compact))
        .await
        .unwrap()
        .into_inner();

    assert!(full.concepts.is_empty(), "the full view has no notes map");
    let latency = full
        .annotations
        .iter()
        .filter(|a| a.concept_id == "latency")
        .count();
    assert!(latency >= 3, "the brief mentions latency often: {full:?}");
    // Same spans, same renderings, each concept's note once.
    assert_eq!(compact.renderings, full.renderings);
    assert_eq!(compact.annotations.len(), full.annotations.len());
    let ids: std::collections::BTreeSet<_> = full
        .annotations
        .iter()
        .map(|a| a.concept_id.clone())
        .collect();
    assert_eq!(
        compact
            .concepts
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        ids
    );
    assert!(!compact.concepts["latency"].definition.is_empty());
    assert!(!compact.concepts["latency"].equivalents.is_empty());
    let bare = compact
        .annotations
        .iter()
        .filter(|a| a.equivalents.is_empty() && a.definition.is_empty())
        .count();
    assert!(
        bare >= compact.annotations.len() - 2,
        "at most the cross-side mentions keep their note: {compact:?}"
    );
    // Nothing lost: the full annotations are rebuilt from the compact ones.
    assert_eq!(expand(&compact), full.annotations);
    assert!(
        compact.encoded_len() < full.encoded_len(),
        "compact {} bytes, full {} bytes",
        compact.encoded_len(),
        full.encoded_len()
    );

    let mut bad = translate_request(BRIEF, pb::View::Compact);
    bad.view = 9;
    let err = client.translate(bad).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().starts_with("view: "), "{}", err.message());
}

#[tokio::test]
async fn grpc_stream_honours_the_view() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let requests = vec![
        translate_request(BRIEF, pb::View::Compact),
        translate_request(BRIEF, pb::View::Full),
    ];
    let mut answers = client
        .translate_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    let compact = answers.message().await.unwrap().unwrap();
    let full = answers.message().await.unwrap().unwrap();
    assert!(!compact.concepts.is_empty());
    assert!(full.concepts.is_empty());
    assert_eq!(expand(&compact), full.annotations);
}

#[tokio::test]
async fn http_compact_view_carries_each_note_once() {
    let app = spawn_app().await;
    let body = |view: &str| serde_json::json!({"text": BRIEF, "audience": "marketing", "explain": "every", "view": view});
    let full = app.post_json("/v1/translate", &body("full")).await;
    let compact = app.post_json("/v1/translate", &body("compact")).await;
    assert_eq!(full.status, 200);
    assert_eq!(compact.status, 200);
    let (f, c) = (full.json(), compact.json());
    assert_eq!(f["concepts"], serde_json::json!({}));
    assert_eq!(c["renderings"], f["renderings"]);
    let notes = c["concepts"].as_object().expect("a concepts object");
    assert!(
        notes.contains_key("latency") && notes.contains_key("ctr"),
        "{c}"
    );
    let fa = f["annotations"].as_array().unwrap();
    let ca = c["annotations"].as_array().unwrap();
    assert_eq!(fa.len(), ca.len());
    for (fa, ca) in fa.iter().zip(ca) {
        let own = !ca["definition"].as_str().unwrap().is_empty();
        let note = if own {
            ca
        } else {
            &notes[ca["concept_id"].as_str().unwrap()]
        };
        assert_eq!(note["equivalents"], fa["equivalents"], "{ca}");
        assert_eq!(note["definition"], fa["definition"], "{ca}");
        assert_eq!(ca["start"], fa["start"]);
    }
    assert!(
        compact.body.len() < full.body.len(),
        "compact {} bytes, full {}",
        compact.body.len(),
        full.body.len()
    );

    let bad = app.post_json("/v1/translate", &body("tiny")).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.error_message().starts_with("view: "),
        "{}",
        bad.error_message()
    );
}

#[test]
fn cli_json_compact_view() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let run = |view: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_broker"))
            .args(["translate", "--json", "--for", "marketing", "--view", view])
            .arg("--glossary")
            .arg(common::fixture_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(BRIEF.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let full = run("full");
    let compact = run("compact");
    assert_eq!(full["concepts"], serde_json::json!({}));
    assert!(!compact["concepts"]["latency"]["definition"]
        .as_str()
        .unwrap()
        .is_empty());
    let first = &compact["annotations"][0];
    assert_eq!(first["equivalents"], serde_json::json!([]));
    assert_eq!(first["definition"], "");
}
