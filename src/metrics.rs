//! Usage figures and Prometheus metrics (SPEC §8 "Gaps", §12 "Metrics").
//!
//! One set per process, kept in memory: counts start again from zero when the process
//! restarts. The service records each request, translation and look-up; the reloader records
//! refused reloads. `GET /metrics` renders the Prometheus text format with the `prometheus`
//! crate's encoder; `GET /v1/usage` and `GET /v1/gaps` read the same figures as JSON.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::matcher::GapKind;
use crate::translate::TranslateResponse;

/// Concepts that get a label of their own in `broker_annotations_total`; the others are
/// counted under `concept="other"`, so a 100,000-concept glossary cannot blow up a scraper.
pub const MAX_CONCEPT_LABELS: usize = 500;
/// Distinct gaps remembered for `GET /v1/gaps`; later new ones are only counted.
pub const MAX_GAPS: usize = 10_000;

/// The process's figures.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    texts: IntCounter,
    bytes: IntCounter,
    annotations: IntCounterVec,
    gaps: IntCounterVec,
    lookups: IntCounter,
    lookup_misses: IntCounter,
    glossary: IntGaugeVec,
    reload_errors: IntCounter,
    usage: Mutex<UsageState>,
}

#[derive(Default)]
struct UsageState {
    started: Option<SystemTime>,
    concepts: HashMap<String, u64>,
    labelled: HashSet<String>,
    gaps: HashMap<String, GapTally>,
    glossary_version: String,
}

/// One gap as counted by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapTally {
    /// The form it is counted under ("OKR").
    pub key: String,
    /// The form first seen.
    pub text: String,
    pub kind: GapKind,
    pub count: u64,
}

/// The figures of `GET /v1/usage`.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// When counting started (the process start).
    pub since: SystemTime,
    pub texts: u64,
    pub bytes: u64,
    pub lookups: u64,
    /// Look-ups that found no concept.
    pub lookup_misses: u64,
    pub gaps: u64,
    /// Annotations per concept id, most first.
    pub concepts: Vec<(String, u64)>,
}

/// The process's figures, created on first use.
pub fn global() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "broker_requests_total",
                "Requests by method and status code.",
            ),
            &["method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "broker_request_duration_seconds",
                "Time from a request's arrival to its answer, by method.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method"],
        )
        .expect("valid metric");
        let texts = IntCounter::new("broker_texts_annotated_total", "Texts translated.")
            .expect("valid metric");
        let bytes = IntCounter::new("broker_bytes_annotated_total", "Bytes of text translated.")
            .expect("valid metric");
        let annotations = IntCounterVec::new(
            Opts::new(
                "broker_annotations_total",
                "Annotations by concept id (the first 500 concepts seen get a label; the rest count as \"other\").",
            ),
            &["concept"],
        )
        .expect("valid metric");
        let gaps = IntCounterVec::new(
            Opts::new(
                "broker_gap_total",
                "Jargon-looking spans no concept covers, by kind.",
            ),
            &["kind"],
        )
        .expect("valid metric");
        let lookups = IntCounter::new("broker_lookups_total", "Look-ups.").expect("valid metric");
        let lookup_misses = IntCounter::new(
            "broker_lookup_misses_total",
            "Look-ups that found no concept.",
        )
        .expect("valid metric");
        let glossary = IntGaugeVec::new(
            Opts::new(
                "broker_glossary_info",
                "The glossary being served: 1 for its version.",
            ),
            &["version"],
        )
        .expect("valid metric");
        let reload_errors = IntCounter::new(
            "broker_reload_errors_total",
            "Glossary reloads refused (invalid files) or failed.",
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(texts.clone()),
            Box::new(bytes.clone()),
            Box::new(annotations.clone()),
            Box::new(gaps.clone()),
            Box::new(lookups.clone()),
            Box::new(lookup_misses.clone()),
            Box::new(glossary.clone()),
            Box::new(reload_errors.clone()),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        for kind in [
            GapKind::Acronym,
            GapKind::Defined,
            GapKind::Name,
            GapKind::Word,
        ] {
            gaps.with_label_values(&[kind.as_str()]);
        }
        Metrics {
            registry,
            requests,
            latency,
            texts,
            bytes,
            annotations,
            gaps,
            lookups,
            lookup_misses,
            glossary,
            reload_errors,
            usage: Mutex::new(UsageState {
                started: Some(SystemTime::now()),
                ..UsageState::default()
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, UsageState> {
        // A panic while counting leaves counts, not broken invariants: keep going.
        self.usage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One answered request.
    pub fn request(&self, method: &str, status: &str, elapsed: Duration) {
        self.requests.with_label_values(&[method, status]).inc();
        self.latency
            .with_label_values(&[method])
            .observe(elapsed.as_secs_f64());
    }

    /// One translation of `bytes` bytes.
    pub fn translation(&self, bytes: usize, resp: &TranslateResponse) {
        self.texts.inc();
        self.bytes.inc_by(bytes as u64);
        // Counted per concept, not per annotation: one map look-up and one labelled counter
        // per concept of the text (a 1 KB brief has ~50 annotations of ~25 concepts), and a
        // concept id copied only the first time the service sees it.
        let mut per_concept: rustc_hash::FxHashMap<&str, u64> = Default::default();
        for a in &resp.annotations {
            *per_concept.entry(a.concept_id.as_str()).or_default() += 1;
        }
        let mut s = self.state();
        for (id, n) in per_concept {
            match s.concepts.get_mut(id) {
                Some(count) => *count += n,
                None => {
                    s.concepts.insert(id.to_string(), n);
                }
            }
            let label = if s.labelled.contains(id) {
                id
            } else if s.labelled.len() < MAX_CONCEPT_LABELS {
                s.labelled.insert(id.to_string());
                id
            } else {
                "other"
            };
            self.annotations.with_label_values(&[label]).inc_by(n);
        }
        for g in &resp.gaps {
            self.gaps.with_label_values(&[g.kind.as_str()]).inc();
            let key = g.key();
            let room = s.gaps.len() < MAX_GAPS;
            match s.gaps.get_mut(&key) {
                Some(t) => t.count += 1,
                None if room => {
                    s.gaps.insert(
                        key.clone(),
                        GapTally {
                            key,
                            text: g.text.clone(),
                            kind: g.kind,
                            count: 1,
                        },
                    );
                }
                None => {}
            }
        }
    }

    /// One look-up; `found` whether it found a concept.
    pub fn lookup(&self, found: bool) {
        self.lookups.inc();
        if !found {
            self.lookup_misses.inc();
        }
    }

    /// The glossary now served.
    pub fn glossary_version(&self, version: &str) {
        let mut s = self.state();
        if s.glossary_version != version {
            if !s.glossary_version.is_empty() {
                let _ = self.glossary.remove_label_values(&[&s.glossary_version]);
            }
            self.glossary.with_label_values(&[version]).set(1);
            s.glossary_version = version.to_string();
        }
    }

    /// A reload that was refused or failed.
    pub fn reload_error(&self) {
        self.reload_errors.inc();
    }

    /// Everything, in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("the text encoder writes to memory");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }

    /// The usage figures.
    pub fn usage(&self) -> Usage {
        let s = self.state();
        let mut concepts: Vec<(String, u64)> =
            s.concepts.iter().map(|(k, v)| (k.clone(), *v)).collect();
        concepts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let gaps = self.gaps.with_label_values(&["acronym"]).get()
            + self.gaps.with_label_values(&["defined"]).get()
            + self.gaps.with_label_values(&["name"]).get();
        Usage {
            since: s.started.unwrap_or(SystemTime::UNIX_EPOCH),
            texts: self.texts.get(),
            bytes: self.bytes.get(),
            lookups: self.lookups.get(),
            lookup_misses: self.lookup_misses.get(),
            gaps,
            concepts,
        }
    }

    /// The gaps seen, most frequent first (then by key), at most `limit`.
    pub fn gaps(&self, limit: usize) -> Vec<GapTally> {
        let s = self.state();
        let mut v: Vec<GapTally> = s.gaps.values().cloned().collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        v.truncate(limit);
        v
    }
}
