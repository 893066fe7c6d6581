//! The `unnest` command: parse the arguments and run ([`unnest::run`]).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = unnest::cli::Args::parse();
    unnest::run::run(&args).into()
}
