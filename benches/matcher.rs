//! Criterion benches of the matcher on the data of `bench/gen.py` (run it first).
//!
//! ```text
//! python3 bench/gen.py && cargo bench --bench matcher
//! ```
//!
//! - `find/{exact,full}/{1k,10k,100k}`: one thread, the whole 10 MB of `bench/out/corpus.txt`
//!   (what the targets of issue 7 and `bench_find` measure), reported in bytes per second
//!   (`Throughput::Bytes`).
//! - `build/{1k,10k,100k}`: `Matcher::new` on an already loaded glossary.
//!
//! Without the generated data the benches print how to make it and do nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use broker::{Glossary, MatchOptions, Matcher};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The allocator the `broker` binary uses (matching allocates many small, short-lived values).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [(&str, &str); 3] = [("1k", "g1k"), ("10k", "g10k"), ("100k", "g100k")];

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/out")
}

fn data() -> Option<String> {
    let corpus = std::fs::read_to_string(out_dir().join("corpus.txt")).ok();
    if corpus.is_none() {
        eprintln!("no bench/out/corpus.txt: run `python3 bench/gen.py` first");
    }
    corpus
}

fn glossary(dir: &str) -> Glossary {
    Glossary::load_dir(&out_dir().join(dir)).expect("generated glossary loads")
}

fn find(c: &mut Criterion) {
    let Some(text) = data() else { return };
    let mut group = c.benchmark_group("find");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    // Up to 0.4 s per run (100k, full mode): time for ten samples of a few runs each.
    group.measurement_time(Duration::from_secs(8));
    for (name, dir) in SIZES {
        let m = Matcher::new(Arc::new(glossary(dir)));
        for (mode, exact_only) in [("exact", true), ("full", false)] {
            let opts = MatchOptions {
                exact_only,
                ..MatchOptions::default()
            };
            group.bench_with_input(BenchmarkId::new(mode, name), &text, |b, t| {
                b.iter(|| m.find(t, &opts))
            });
        }
    }
    group.finish();
}

fn build(c: &mut Criterion) {
    if data().is_none() {
        return;
    }
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, dir) in SIZES {
        let g = Arc::new(glossary(dir));
        group.bench_function(name, |b| b.iter(|| Matcher::new(g.clone())));
    }
    group.finish();
}

criterion_group!(benches, find, build);
criterion_main!(benches);
