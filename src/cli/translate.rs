//! `broker translate`: a text (standard input or a file) annotated for a reader on standard
//! output, or many files translated on all cores into an output directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::args::TranslateArgs;
use broker::{Format, Glossary, Matcher, TranslateRequest};

pub(crate) fn translate(args: TranslateArgs) -> Result<ExitCode> {
    let stdin = args.files.is_empty() || args.files == [PathBuf::from("-")];
    if stdin && args.out.is_some() {
        eprintln!("error: --out writes one file per input file; standard input goes to stdout");
        return Ok(ExitCode::from(2));
    }
    if !stdin && (args.out.is_some() || args.files.len() > 1 || args.files[0].is_dir()) {
        return translate_files(args);
    }
    release_memory_at_once();
    let path = args.files.first().filter(|_| !stdin);
    let text = broker::input::read_within(path.map(PathBuf::as_path), args.max_text_bytes)?;
    let glossary = Glossary::load_or_embedded(args.glossary.glossary.as_deref())?;
    let matcher = Matcher::new(Arc::new(glossary));
    let format = args.format.unwrap_or(Format::Inline);
    let req = translate_request(&args, text, format);
    let resp = broker::translate(&matcher, &req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        // Streamed: annotation after annotation into a buffer of its own (stdout's is a line
        // buffer, and the JSON is one line), never the whole document in memory.
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        broker::json::write_translate_response(&mut w, &resp)?;
        writeln!(w)?;
        w.flush()?;
    } else {
        write_renderings(&mut out, &resp)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One text in, one answer out, then the process ends: memory freed along the way is handed
/// back to the system at once rather than kept for reuse, and without transparent huge pages.
///
/// mimalloc's defaults suit the server, which frees and allocates again at every request: it
/// keeps freed pages for 10 ms (100 ms in its arenas), and it asks the kernel for huge pages,
/// so a 2 MiB page stays resident for a few live bytes. Here the text, the per-token arrays of
/// matching and the mentions come and go once. With the defaults `translate --json` of the
/// 10 MB corpus peaked at 107–116 MB (11 × the input); without the delay 101 MB; without huge
/// pages as well about 88 MB (issue 33; BENCHMARKS.md). Only this path sets them: `translate`
/// of many files, `serve` and `check` keep the defaults.
fn release_memory_at_once() {
    // The number of `mi_option_purge_delay` in mimalloc v2's `mimalloc.h` (the crate has no
    // name for it).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores the value; mimalloc reads it at each purge.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    // mimalloc's own switch (`allow_thp`) is read once, before `main`, when its first arena
    // is already mapped and advised for huge pages; the process-wide flag covers that arena.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn translate_request(args: &TranslateArgs, text: String, format: Format) -> TranslateRequest {
    TranslateRequest {
        text,
        audience: args.reader,
        format,
        min_score: Some(args.min_score),
        exact_only: args.exact_only,
        request_id: String::new(),
        explain: args.explain,
        view: args.view,
    }
}

fn write_renderings(out: &mut impl Write, resp: &broker::TranslateResponse) -> std::io::Result<()> {
    if resp.renderings.len() == 1 {
        return out.write_all(resp.renderings[0].text.as_bytes());
    }
    for (i, r) in resp.renderings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "== for {} ==", r.audience)?;
        out.write_all(r.text.as_bytes())?;
        if !r.text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `broker translate FILE…|DIR [--out DIR]`: every file on all cores, each written under the
/// output directory at its relative path, or without `--out` printed in order, each under a
/// `==> path <==` header (as `tail` does); a file that cannot be read or written is reported
/// and the others still done (exit 2 at the end).
fn translate_files(args: TranslateArgs) -> Result<ExitCode> {
    use rayon::prelude::*;
    let out_dir = args.out.clone();
    if out_dir.is_none() && args.json {
        eprintln!(
            "error: --json with several inputs (or a directory) writes one FILE.json per input: \
             add --out DIR"
        );
        return Ok(ExitCode::from(2));
    }
    let glossary = Glossary::load_or_embedded(args.glossary.glossary.as_deref())?;
    let matcher = Matcher::new(Arc::new(glossary));
    let mut failed = false;
    let mut jobs: Vec<broker::documents::Found> = Vec::new();
    for given in &args.files {
        // The output directory may lie inside an input: its files are no input.
        let w = broker::documents::walk(given, out_dir.as_slice());
        jobs.extend(w.files);
        for e in w.errors {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    // Two inputs must not land on one output file (two README.md of two directories).
    let mut targets: std::collections::HashMap<PathBuf, &Path> = std::collections::HashMap::new();
    for f in jobs.iter().filter(|_| out_dir.is_some()) {
        if let Some(first) = targets.insert(f.relative.clone(), &f.path) {
            eprintln!(
                "error: {} and {} would both be written to {}: translate them in separate runs \
                 or name their directory instead",
                first.display(),
                f.path.display(),
                out_dir
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .join(&f.relative)
                    .display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    // Each file's rendering when it is printed rather than written.
    let results: Vec<Result<Option<Vec<u8>>, anyhow::Error>> = jobs
        .par_iter()
        .map(|f| {
            let text = broker::input::read_within(Some(&f.path), args.max_text_bytes)?;
            let format = match args.format {
                Some(format) => format,
                None => match broker::documents::input_of(&f.path) {
                    broker::InputFormat::Markdown => Format::Markdown,
                    broker::InputFormat::Html => Format::Html,
                    broker::InputFormat::Plain => Format::Inline,
                },
            };
            let req = translate_request(&args, text, format);
            let resp = broker::translate(&matcher, &req)?;
            let Some(out_dir) = &out_dir else {
                let mut body = Vec::new();
                write_renderings(&mut body, &resp)?;
                return Ok(Some(body));
            };
            let mut target = out_dir.join(&f.relative);
            if args.json {
                let mut name = target.file_name().unwrap_or_default().to_os_string();
                name.push(".json");
                target.set_file_name(name);
            }
            // Each file's answer streamed to its output file, not built in memory first.
            let write = || -> std::io::Result<()> {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let mut w = std::io::BufWriter::new(std::fs::File::create(&target)?);
                if args.json {
                    broker::json::write_translate_response(&mut w, &resp)?;
                    w.write_all(b"\n")?;
                } else {
                    write_renderings(&mut w, &resp)?;
                }
                w.flush()
            };
            write().map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))?;
            Ok(None)
        })
        .collect();
    let mut written = 0;
    let mut stdout = std::io::stdout().lock();
    for (f, r) in jobs.iter().zip(results) {
        match r {
            Ok(Some(body)) => {
                if written > 0 {
                    writeln!(stdout)?;
                }
                writeln!(stdout, "==> {} <==", f.path.display())?;
                stdout.write_all(&body)?;
                if !body.ends_with(b"\n") {
                    writeln!(stdout)?;
                }
                written += 1;
            }
            Ok(None) => written += 1,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if let Some(out_dir) = &out_dir {
        tracing::info!("wrote {written} file(s) under {}", out_dir.display());
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
