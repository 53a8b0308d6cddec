//! Build script: embeds the default glossary and compiles the gRPC contract.
//!
//! - The default glossary (`glossary/*.toml`) is generated into `OUT_DIR/embedded_glossary.rs`
//!   as a slice of `(file name, include_str!(...))`, sorted by file name like the loader reads a
//!   directory.
//! - `proto/broker/v1/broker.proto` is compiled with `protox` (pure Rust, no system `protoc`)
//!   into Rust with `tonic-prost-build`, and its encoded descriptor set (with imports) is
//!   written to `OUT_DIR/broker_descriptor.bin` for server reflection: `compile_fds` does not
//!   write one itself.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_glossary()?;
    compile_proto()?;
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

fn compile_proto() -> Result<(), Box<dyn std::error::Error>> {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    let file = "broker/v1/broker.proto";
    println!("cargo:rerun-if-changed={}", include.join(file).display());
    let mut compiler = protox::Compiler::new([&include])?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_file(file)?;
    let out = Path::new(&std::env::var("OUT_DIR")?).join("broker_descriptor.bin");
    std::fs::write(out, compiler.encode_file_descriptor_set())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Undecodable messages are INVALID_ARGUMENT (src/service/codec.rs).
        .codec_path("crate::service::codec::ProtoCodec")
        .compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
