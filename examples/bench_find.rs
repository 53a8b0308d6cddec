//! Times loading, building and matching on the benchmark data of `bench/gen.py`.
//!
//! ```text
//! cargo run --release --example bench_find -- --glossary bench/out/g10k \
//!     [--corpus bench/out/corpus.txt] [--exact-only] [--repeat N] [--annotations OUT.tsv]
//! ```
//!
//! Prints one JSON object: seconds to load the glossary, to build the matcher and to match the
//! corpus (one thread; with `--repeat N` the median of N runs), the throughput and the number of
//! annotations. Without `--corpus` it
//! only loads and builds (for `/usr/bin/time -v` peak-memory figures). `--annotations` writes
//! `start<TAB>end<TAB>concept<TAB>kind` per mention, for `bench/compare.py` to score.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use broker::{Glossary, MatchOptions, Matcher};

/// The allocator of the `broker` binary, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut glossary = None;
    let mut corpus = None;
    let mut annotations = None;
    let mut exact_only = false;
    let mut repeat = 1usize;
    let mut with_gaps = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--glossary" => glossary = args.next().map(PathBuf::from),
            "--corpus" => corpus = args.next().map(PathBuf::from),
            "--annotations" => annotations = args.next().map(PathBuf::from),
            "--exact-only" => exact_only = true,
            // Also find the gaps, as every Translate does (SPEC §8).
            "--gaps" => with_gaps = true,
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let glossary = glossary.ok_or("--glossary DIR is required")?;

    let t = Instant::now();
    let g = Glossary::load_dir(&glossary)?;
    let load_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let m = Matcher::new(Arc::new(g));
    let build_s = t.elapsed().as_secs_f64();

    let mut report = format!(
        "{{\"glossary\": {:?}, \"concepts\": {}, \"load_s\": {load_s:.3}, \"build_s\": {build_s:.3}",
        glossary.display().to_string(),
        m.glossary().concepts().len()
    );
    if let Some(corpus) = corpus {
        let text = std::fs::read_to_string(&corpus)?;
        let opts = MatchOptions {
            exact_only,
            ..MatchOptions::default()
        };
        let mut times = Vec::new();
        let mut anns = Vec::new();
        let mut gaps = 0;
        let mut gap_times = Vec::new();
        for _ in 0..repeat.max(1) {
            drop(std::mem::take(&mut anns));
            let t = Instant::now();
            anns = m.find(&text, &opts);
            if with_gaps {
                let g0 = Instant::now();
                gaps = m.gaps(&text, &opts, &anns).len();
                gap_times.push(g0.elapsed().as_secs_f64());
            }
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let find_s = times[times.len() / 2];
        if with_gaps {
            gap_times.sort_by(f64::total_cmp);
            let gaps_s = gap_times[gap_times.len() / 2];
            report += &format!(", \"gaps\": {gaps}, \"gaps_s\": {gaps_s:.4}");
        }
        report += &format!(
            ", \"exact_only\": {exact_only}, \"bytes\": {}, \"find_s\": {find_s:.4}, \"mb_s\": {:.1}, \"annotations\": {}",
            text.len(),
            text.len() as f64 / 1e6 / find_s,
            anns.len()
        );
        if let Some(path) = annotations {
            let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
            for a in &anns {
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}",
                    a.start,
                    a.end,
                    a.concept_id,
                    a.kind.as_str()
                )?;
            }
        }
    }
    println!("{report}}}");
    Ok(())
}
