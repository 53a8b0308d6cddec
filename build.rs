//! Build script: embeds the default glossary (`glossary/*.toml`) into the binary.
//!
//! The list of files is generated into `OUT_DIR/embedded_glossary.rs` as a slice of
//! `(file name, include_str!(...))`, sorted by file name like the loader reads a directory.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_glossary()?;
    Ok(())
}

fn embed_glossary() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossary");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect::<Vec<_>>();
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR")?).join("embedded_glossary.rs");
    std::fs::write(target, out)?;
    Ok(())
}
