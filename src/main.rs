//! The `unnest` command: parse the arguments and run ([`unnest::run`]), or
//! `unnest record -- CMD` ([`unnest::run::record`]).

use std::process::ExitCode;

use clap::Parser;

/// See Cargo.toml: the reads of a large tree allocate and free per file.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if unnest::run::record::is_record_command(&raw) {
        let args = unnest::run::record::RecordArgs::parse_from(
            std::iter::once(raw[0].clone()).chain(raw[2..].iter().cloned()),
        );
        return unnest::run::record::record(&args);
    }
    let args = unnest::cli::Args::parse_from(raw);
    unnest::run::run(&args).into()
}
