//! Times `translate` of one text, many times, on the embedded glossary (the work of one
//! `Translate` call without the transport, its answer sized against the service's limit).
//!
//! ```text
//! cargo run --release --example bench_translate -- TEXT_FILE [REPEATS]
//! ```

use std::sync::Arc;
use std::time::Instant;

use broker::translate::{translate_within, Bounds, MAX_RESPONSE_RATIO};
use broker::{Format, Glossary, Matcher, Side, TranslateRequest};

/// The allocator the `broker` binary uses (matching allocates many small, short-lived values).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("TEXT_FILE is required")?;
    let repeats: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let text = std::fs::read_to_string(path)?;
    let t = Instant::now();
    let m = Matcher::new(Arc::new(Glossary::embedded()));
    let build_s = t.elapsed().as_secs_f64();
    let req = TranslateRequest {
        text,
        audience: Some(Side::Marketing),
        format: Format::Inline,
        ..TranslateRequest::default()
    };
    let mut annotations = 0;
    let t = Instant::now();
    for _ in 0..repeats {
        // Bounded as the service bounds it (its answers are sized), without a deadline.
        let bounds = Bounds {
            deadline: None,
            max_response_ratio: Some(MAX_RESPONSE_RATIO),
        };
        annotations = translate_within(&m, &req, bounds)?.annotations.len();
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / repeats as f64;
    println!(
        "{{\"build_s\": {build_s:.3}, \"bytes\": {}, \"us_per_translate\": {us:.1}, \"annotations\": {annotations}}}",
        req.text.len()
    );
    Ok(())
}
