//! Usage figures and Prometheus metrics of the real server (SPEC §8, §12): scraped over HTTP
//! and parsed with a Prometheus text-format parser. A test binary of its own, so that no
//! other test's requests are counted.

mod common;

use broker::config::ServiceConfig;
use broker::Glossary;
use common::spawn_app_with;
use serde_json::json;

fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) => v,
            prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

async fn scrape(app: &common::TestApp) -> prometheus_parse::Scrape {
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status, 200);
    assert!(resp
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    let text = String::from_utf8(resp.body.to_vec()).unwrap();
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}

#[tokio::test]
async fn metrics_usage_and_gaps_count_what_the_server_did() {
    let glossary = Glossary::embedded();
    let version = glossary.version().to_string();
    let app = spawn_app_with(glossary, ServiceConfig::default()).await;
    let text = "Our latency doubled. Ask the QZV team about their QZVs and latency.";
    for _ in 0..3 {
        let r = app
            .post_json(
                "/v1/translate",
                &json!({"text": text, "audience": "marketing"}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["gaps"][0]["text"], "QZV");
        assert_eq!(r.json()["gaps"][0]["kind"], "acronym");
    }
    let bad = app
        .post_json("/v1/translate", &json!({"text": text, "min_score": 7}))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(app.get("/v1/lookup?term=zzqqxv").await.status, 200);
    assert_eq!(app.get("/v1/lookup?term=latency").await.status, 200);

    let s = scrape(&app).await;
    let ok = [("method", "POST /v1/translate"), ("status", "OK")];
    assert_eq!(value(&s, "broker_requests_total", &ok), 3.0);
    let bad = [
        ("method", "POST /v1/translate"),
        ("status", "INVALID_ARGUMENT"),
    ];
    assert_eq!(value(&s, "broker_requests_total", &bad), 1.0);
    assert_eq!(value(&s, "broker_texts_annotated_total", &[]), 3.0);
    assert_eq!(
        value(&s, "broker_bytes_annotated_total", &[]),
        3.0 * text.len() as f64
    );
    assert_eq!(
        value(&s, "broker_annotations_total", &[("concept", "latency")]),
        6.0
    );
    assert_eq!(value(&s, "broker_gap_total", &[("kind", "acronym")]), 6.0);
    assert_eq!(value(&s, "broker_lookups_total", &[]), 2.0);
    assert_eq!(value(&s, "broker_lookup_misses_total", &[]), 1.0);
    assert_eq!(
        value(&s, "broker_glossary_info", &[("version", &version)]),
        1.0
    );
    assert_eq!(value(&s, "broker_reload_errors_total", &[]), 0.0);
    // The latency histogram: one count per translate request, buckets up to +Inf.
    let hist = s
        .samples
        .iter()
        .find(|x| {
            x.metric == "broker_request_duration_seconds"
                && x.labels.get("method") == Some("POST /v1/translate")
        })
        .expect("a latency histogram");
    match &hist.value {
        prometheus_parse::Value::Histogram(buckets) => {
            let inf = buckets.last().unwrap();
            assert!(inf.less_than.is_infinite());
            assert_eq!(inf.count, 4.0);
        }
        other => panic!("expected a histogram, got {other:?}"),
    }

    let usage = app.get("/v1/usage").await.json();
    // `since` in RFC 3339, like `loaded_at` in /v1/info (it was {seconds, nanos}).
    let since = usage["since"].as_str().expect("since is a string");
    assert!(
        since.len() >= 20
            && since.as_bytes()[4] == b'-'
            && since.contains('T')
            && since.ends_with('Z'),
        "{since}"
    );
    assert_eq!(usage["texts"], 3);
    assert_eq!(usage["lookups"], 2);
    assert_eq!(usage["lookups_without_hit"], 1);
    assert_eq!(usage["gaps"], 6);
    assert_eq!(usage["annotations_by_concept"][0]["concept_id"], "latency");
    assert_eq!(usage["annotations_by_concept"][0]["count"], 6);

    let gaps = app.get("/v1/gaps?limit=5").await.json();
    assert_eq!(gaps["gaps"][0]["key"], "QZV");
    assert_eq!(gaps["gaps"][0]["count"], 6, "QZV and QZVs count as one");
    let bad = app.get("/v1/gaps?limit=none").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.error_message().contains("limit"),
        "{}",
        bad.error_message()
    );
}
