//! A whole run: discover the files, process them on all cores, then print or
//! write in a stable (sorted) order and choose the exit status.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::cli::{Args, Format, Mode};
use crate::discover::discover;
use crate::error::{Error, ExitStatus};
use crate::output::{diff, json, plural, text, use_color};
use crate::parse::new_parser;
use crate::pipeline::{FileReport, Outcome, process};
use crate::write::write_atomic;

pub fn run(args: &Args) -> ExitStatus {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let discovered = match discover(&args.paths, &args.exclude) {
        Ok(discovered) => discovered,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitStatus::Error;
        }
    };
    let mode = args.mode();
    let fix = mode != Mode::Check;
    let mut outcomes: Vec<Outcome> = discovered
        .files
        .par_iter()
        .map_init(new_parser, |parser, path| {
            process(parser, path, &cwd, fix, args.unsafe_fixes)
        })
        .collect();
    outcomes.sort_by(|a, b| display_of(a).cmp(display_of(b)));

    let mut errors = discovered.errors;
    let mut reports = Vec::new();
    let scanned = outcomes.len();
    for outcome in outcomes {
        match outcome {
            Outcome::Skipped { .. } => {}
            Outcome::Report(report) => reports.push(*report),
            Outcome::Failed(err) => errors.push(err),
        }
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let findings = match mode {
        Mode::Write => write_fixes(&reports, args, &mut out, &mut errors),
        Mode::Check | Mode::Diff => print_findings(&reports, args, mode, &mut out),
    };
    let _ = out.flush();
    for err in &errors {
        eprintln!("error: {err}");
    }
    eprintln!("{}", summary(scanned, &reports, args, mode, errors.len()));
    if !errors.is_empty() {
        ExitStatus::Error
    } else if findings > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

fn display_of(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Skipped { display } => display,
        Outcome::Report(report) => &report.source.display,
        Outcome::Failed(err) => match err {
            Error::Read { path, .. }
            | Error::Decode { path, .. }
            | Error::Syntax { path, .. }
            | Error::Unverified { path, .. }
            | Error::Write { path, .. }
            | Error::Walk { path, .. } => path,
            Error::Usage(_) => "",
        },
    }
}

/// Dry run and `--check`: print diffs or diagnostics; returns how many findings
/// there are.
fn print_findings(reports: &[FileReport], args: &Args, mode: Mode, out: &mut impl Write) -> usize {
    let color = use_color(args.color);
    let mut findings = 0;
    let mut json_items = Vec::new();
    for report in reports {
        let source = &report.source;
        findings += report.diagnostics.len();
        if args.format == Format::Json {
            json_items.extend(
                report
                    .diagnostics
                    .iter()
                    .map(|d| json::diagnostic(&source.display, &source.text, &report.index, d)),
            );
            continue;
        }
        match mode {
            Mode::Check => {
                for d in &report.diagnostics {
                    let line =
                        text::diagnostic_line(&source.display, &source.text, &report.index, d);
                    let _ = writeln!(out, "{line}");
                }
            }
            _ => {
                if let Some(fixed) = &report.fixed {
                    let old = source.with_bom(&source.text);
                    let new = source.with_bom(&fixed.text);
                    let _ = write!(
                        out,
                        "{}",
                        diff::unified_diff(&source.display, &old, &new, color)
                    );
                }
                // Findings the diff cannot show go to stderr, so the patch on
                // stdout stays clean.
                for d in report.unfixed(args.unsafe_fixes) {
                    let line =
                        text::diagnostic_line(&source.display, &source.text, &report.index, d);
                    eprintln!("{line}");
                }
            }
        }
    }
    if args.format == Format::Json {
        let _ = serde_json::to_writer_pretty(&mut *out, &json_items);
        let _ = writeln!(out);
    }
    findings
}

/// `--write`: write every fixed file, then print what remains; returns how many
/// findings remain.
fn write_fixes(
    reports: &[FileReport],
    args: &Args,
    out: &mut impl Write,
    errors: &mut Vec<Error>,
) -> usize {
    let mut remaining = 0;
    let mut json_items = Vec::new();
    for report in reports {
        let source = &report.source;
        let (text, index, left) = match &report.fixed {
            Some(fixed) => {
                let contents = source.with_bom(&fixed.text);
                if let Err(err) =
                    write_file(&source.path, &source.display, &source.original, &contents)
                {
                    errors.push(err);
                    (&source.text, &report.index, &report.diagnostics)
                } else {
                    (&fixed.text, &fixed.index, &fixed.remaining)
                }
            }
            None => (&source.text, &report.index, &report.diagnostics),
        };
        remaining += left.len();
        for d in left {
            if args.format == Format::Json {
                json_items.push(json::diagnostic(&source.display, text, index, d));
            } else {
                let _ = writeln!(
                    out,
                    "{}",
                    text::diagnostic_line(&source.display, text, index, d)
                );
            }
        }
    }
    if args.format == Format::Json {
        let _ = serde_json::to_writer_pretty(&mut *out, &json_items);
        let _ = writeln!(out);
    }
    remaining
}

fn write_file(path: &Path, display: &str, original: &[u8], contents: &str) -> Result<(), Error> {
    write_atomic(path, display, original, contents.as_bytes())
}

fn summary(
    scanned: usize,
    reports: &[FileReport],
    args: &Args,
    mode: Mode,
    errors: usize,
) -> String {
    let findings: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let fixable = |unsafe_fixes: bool| -> usize {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.is_applicable(unsafe_fixes))
            })
            .count()
    };
    let (safe, with_unsafe) = (fixable(false), fixable(true));
    let no_fix = findings - with_unsafe;
    let mut parts = vec![format!("Scanned {}", plural(scanned, "file"))];
    match mode {
        Mode::Write => {
            let applied: usize = reports
                .iter()
                .filter_map(|r| r.fixed.as_ref())
                .map(|f| f.applied)
                .sum();
            let files = reports.iter().filter(|r| r.fixed.is_some()).count();
            let remaining: usize = reports
                .iter()
                .map(|r| {
                    r.fixed
                        .as_ref()
                        .map_or(r.diagnostics.len(), |f| f.remaining.len())
                })
                .sum();
            parts.push(format!(
                "fixed {} in {}",
                plural(applied, "finding"),
                plural(files, "file")
            ));
            parts.push(format!("{} remaining", plural(remaining, "finding")));
        }
        _ => {
            parts.push(plural(findings, "finding"));
            let fixable_now = if args.unsafe_fixes { with_unsafe } else { safe };
            parts.push(format!("{fixable_now} fixable"));
            if !args.unsafe_fixes && with_unsafe > safe {
                parts.push(format!("{} more with --unsafe-fixes", with_unsafe - safe));
            }
            if no_fix > 0 {
                parts.push(format!("{no_fix} without a fix"));
            }
        }
    }
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    let mut line = parts.join(", ");
    line.push('.');
    if mode == Mode::Diff && fixable(args.unsafe_fixes) > 0 {
        line.push_str(" Run with --write to apply.");
    }
    line
}
