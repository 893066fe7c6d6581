//! The traceback reader on real and hand-written samples of every format it
//! reads (tests/fixtures/tracebacks/; scripts/traceback_handwritten.py
//! writes the hand-written ones, whose names say which version they
//! imitate): the exact frames of the chain it picks, the loop error, and
//! what it says when the text holds no loop error. No input may panic it.

use std::fs;
use std::path::Path;

use unnest::evidence::traceback::{
    Format, FrameKind, Link, LoopError, NotALoopError, Traceback, parse, sections,
};

const DIR: &str = "tests/fixtures/tracebacks";
const FILE: FrameKind = FrameKind::File;
const UNKNOWN: FrameKind = FrameKind::Unknown;

fn cell(execution_count: Option<u32>) -> FrameKind {
    FrameKind::NotebookCell { execution_count }
}

fn read(name: &str) -> String {
    fs::read_to_string(Path::new(DIR).join(format!("{name}.txt"))).unwrap()
}

fn parse_fixture(name: &str) -> Traceback {
    match parse(&read(name)) {
        Ok(tb) => tb,
        Err(e) => panic!("{name}: {e}"),
    }
}

type Row<'a> = (&'a str, Option<u32>, Option<&'a str>, FrameKind);

fn frames(tb: &Traceback) -> Vec<Row<'_>> {
    tb.frames
        .iter()
        .map(|f| {
            (
                f.file.as_str(),
                f.line,
                f.function.as_deref(),
                f.kind.clone(),
            )
        })
        .collect()
}

fn fixtures() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = fs::read_dir(DIR)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&path).unwrap())
        })
        .collect();
    all.sort();
    assert!(all.len() >= 30, "fixtures missing: {}", all.len());
    all
}

// ---- what the chain is made of, beyond file/line/function/kind ----

#[test]
fn quoted_sources_are_trimmed_and_markers_skipped() {
    let tb = parse_fixture("cpython311_nested_run");
    let sources: Vec<_> = tb.frames.iter().map(|f| f.source.as_deref()).collect();
    assert_eq!(
        sources,
        vec![
            Some("asyncio.run(main())"),
            Some("return runner.run(main)"),
            Some("return self._loop.run_until_complete(task)"),
            Some("return future.result()"),
            Some("helper()"),
            Some("return asyncio.run(work())"),
            Some("raise RuntimeError("),
        ]
    );
    assert_eq!(
        tb.exception.message,
        "asyncio.run() cannot be called from a running event loop"
    );
    assert_eq!(tb.exception.name, "RuntimeError");
}

#[test]
fn sources_from_every_format() {
    let call = |name: &str, at: usize| parse_fixture(name).frames[at].source.clone();
    assert_eq!(call("cpython38_stdin_string_no_markers", 0), None);
    assert_eq!(
        call("cpython313_color_multiline", 5).as_deref(),
        Some("reply = asyncio.run(")
    );
    assert_eq!(
        call("jupyter_cell_function_color", 2).as_deref(),
        Some("return asyncio.run(load(n))")
    );
    assert_eq!(
        call("ipython7_input_in_module", 1).as_deref(),
        Some("return asyncio.run(gather_all(items))")
    );
    assert_eq!(
        call("pytest311_long", 6).as_deref(),
        Some("return asyncio.run(fetch(n))")
    );
    assert_eq!(
        call("pytest311_short", 6).as_deref(),
        Some("return asyncio.run(fetch(n))")
    );
    assert_eq!(
        call("cpython310_windows_crlf_venv", 4).as_deref(),
        Some("return asyncio.get_event_loop().run_until_complete(summarise(text))")
    );
    assert_eq!(
        call("log_compose_prefix_interleaved", 1).as_deref(),
        Some("return asyncio.run(quote(cart))")
    );
}

#[test]
fn previous_line_repeated_is_a_count_not_a_frame() {
    let tb = parse_fixture("cpython311_recursion");
    let repeats: Vec<u32> = tb.frames.iter().map(|f| f.repeated).collect();
    assert_eq!(repeats, vec![0, 0, 0, 0, 0, 0, 0, 5, 0, 0]);
}

#[test]
fn chained_sections_are_linked_and_the_loop_error_section_is_picked() {
    let s = sections(&read("cpython311_chained_cause"));
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].link_to_next, Some(Link::Cause));
    assert_eq!(s[1].link_to_next, None);
    assert_eq!(s[1].exception.as_ref().unwrap().name, "ValueError");
    let d = sections(&read("cpython311_chained_during_keyerror"));
    assert_eq!(d[0].link_to_next, Some(Link::Context));
    assert_eq!(d[0].exception.as_ref().unwrap().name, "KeyError");
    let tb = parse_fixture("cpython311_chained_cause");
    assert_eq!(tb.first_line, 1);
    // The section's own frames start at the frame that caught the error.
    assert_eq!(
        tb.frames[tb.own_frames_start].function.as_deref(),
        Some("sync_api")
    );
    assert_eq!(tb.frames[tb.own_frames_start].line, Some(8));
}

#[test]
fn both_sections_loop_errors_the_first_one_wins() {
    // Runner.run() failed; closing the Runner then failed too.
    let s = sections(&read("cpython311_runner_chained"));
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|s| s.exception.is_some()));
    assert_eq!(
        parse_fixture("cpython311_runner_chained").error,
        LoopError::RunnerRun
    );
}

#[test]
fn the_loop_error_traceback_is_found_after_another_one() {
    let s = sections(&read("cpython311_log_two_tracebacks"));
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].link_to_next, None);
    assert_eq!(
        parse_fixture("cpython311_log_two_tracebacks").first_line,
        12
    );
}

#[test]
fn pytest_line_format_gives_the_raise_site_only() {
    let tb = parse_fixture("pytest311_line");
    assert_eq!(tb.frames.len(), 1);
    assert_eq!(tb.frames[0].function, None);
}

// ---- not a loop error ----

#[test]
fn keyerror_traceback_names_keyerror() {
    let err = parse(&read("cpython311_keyerror_not_loop")).unwrap_err();
    match &err {
        NotALoopError::OtherException(e) => {
            assert_eq!(e.name, "KeyError");
            assert_eq!(e.message, "'nope'");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "the traceback ends in KeyError: 'nope', not in an event-loop error"
    );
}

#[test]
fn a_loop_message_under_another_exception_is_not_a_loop_error() {
    let text = read("cpython311_nested_run")
        .replace("RuntimeError: asyncio.run()", "ValueError: asyncio.run()");
    assert!(matches!(
        parse(&text),
        Err(NotALoopError::OtherException(e)) if e.name == "ValueError"
    ));
}

#[test]
fn empty_text_has_no_traceback() {
    assert_eq!(parse(""), Err(NotALoopError::NoTraceback));
    assert_eq!(parse("\n\r\n  \n"), Err(NotALoopError::NoTraceback));
    assert_eq!(
        NotALoopError::NoTraceback.to_string(),
        "no Python traceback found"
    );
}

#[test]
fn garbage_has_no_traceback() {
    let garbage = "GET /health 200\nRuntimeError: This event loop is already running\n\x1b[31mfoo.py:3: in\x00\u{fffd}ü\n:::\n----> 9\nFile x:1, in ()\n";
    assert_eq!(parse(garbage), Err(NotALoopError::NoTraceback));
}

#[test]
fn truncated_traceback_says_so() {
    let err = parse(&read("cpython311_truncated")).unwrap_err();
    assert_eq!(err, NotALoopError::Truncated { frames: 3 });
    assert!(err.to_string().contains("cut off after 3 frame(s)"));
    // Cut before the exception line of a real one.
    let text = read("cpython311_nested_run");
    let cut = &text[..text.find("RuntimeError: asyncio").unwrap()];
    assert_eq!(parse(cut), Err(NotALoopError::Truncated { frames: 7 }));
}

// ---- the same traceback, wrapped differently ----

#[test]
fn crlf_gives_the_same_result() {
    // The Windows sample is stored with CRLF (a checkout that converted it
    // would test nothing here).
    assert!(read("cpython310_windows_crlf_venv").contains("\r\n"));
    for (name, text) in fixtures() {
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(parse(&crlf), parse(&text), "{name}");
    }
}

#[test]
fn a_prefix_on_every_line_gives_the_same_frames() {
    for (name, text) in fixtures() {
        if !(name.starts_with("cpython")
            || name.starts_with("ipython")
            || name.starts_with("jupyter"))
        {
            continue;
        }
        let prefixed: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                format!(
                    "2026-11-30 12:00:{:02},{:03} ERROR [app] {l}\n",
                    i % 60,
                    i * 7 % 1000
                )
            })
            .collect();
        let plain = parse(&text).map(|tb| tb.frames);
        assert_eq!(parse(&prefixed).map(|tb| tb.frames), plain, "{name}");
    }
}

#[test]
fn ansi_colour_gives_the_same_frames() {
    let colour = parse_fixture("ipython9_terminal_color");
    let plain = unnest::evidence::traceback::parse(&strip_sgr(&read("ipython9_terminal_color")));
    assert_eq!(plain.unwrap().frames, colour.frames);
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail.find('m').map_or(tail.len(), |e| e + 1);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn surrounding_output_does_not_matter() {
    for name in [
        "cpython311_nested_run",
        "ipython9_chained_cause",
        "pytest311_short",
    ] {
        let text = read(name);
        let wrapped = format!(
            "Starting server…\nWARNING: état ✓\n{text}\nsys:1: RuntimeWarning: coroutine 'work' was never awaited\nINFO done\n"
        );
        assert_eq!(
            parse(&wrapped).map(|t| t.frames),
            parse(&text).map(|t| t.frames),
            "{name}"
        );
    }
}

// ---- no input panics ----

#[test]
fn every_prefix_of_every_fixture_parses_without_panic() {
    for (name, text) in fixtures() {
        for (at, _) in text.char_indices() {
            let _ = parse(&text[..at]);
        }
        let _ = sections(&text);
        assert!(
            parse(&text).is_ok() || name.contains("not_loop") || name.contains("truncated"),
            "{name}"
        );
    }
}

#[test]
fn fixtures_with_multibyte_replacements_parse_without_panic() {
    // Replace each ASCII byte class in turn by a multi-byte character, so that
    // every byte offset the reader computes lands inside a wide character.
    let wide = ['é', '€', '𝄞', '\u{fffd}', '\u{0301}'];
    for (name, text) in fixtures() {
        for target in [
            ' ', '"', ':', '-', '>', '[', ']', '(', ')', '^', '_', '1', 'E', 'F', '\r',
        ] {
            for w in wide {
                let mangled: String = text
                    .chars()
                    .map(|c| if c == target { w } else { c })
                    .collect();
                let _ = parse(&mangled);
            }
        }
        // Every tenth character replaced, at each of ten phases.
        for phase in 0..10 {
            let mangled: String = text
                .chars()
                .enumerate()
                .map(|(i, c)| if i % 10 == phase { '𝄞' } else { c })
                .collect();
            let _ = parse(&mangled);
        }
        let _ = name;
    }
}

#[test]
fn pathological_inputs_take_linear_time() {
    // Each would take minutes if a reader looked back over, or rescanned,
    // what it had read; linear, each takes well under a second.
    let n = 20_000;
    let ipython_line = format!(
        "---------------------------------------------------------------------------\nRuntimeError    Traceback (most recent call last)\n{}\nFile a{}\n",
        "x/ in ".repeat(n),
        ":1, in (".repeat(n)
    );
    let pytest_short = "a.py:1: in f\nE   x\n".repeat(n);
    let pytest_long = "    def f():\n>       g()\n\na.py:1: \n".repeat(n);
    let mut chained = String::from(
        "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nRuntimeError: This event loop is already running\n",
    );
    for _ in 0..n {
        chained.push_str("\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"a.py\", line 2, in f\n  File \"a.py\", line 1, in f\nKeyError: 1\n");
    }
    let prefixed = format!(
        "P1 Traceback (most recent call last):\n{}",
        "Q2 other writer\n".repeat(n * 5)
    );
    let start = std::time::Instant::now();
    assert!(parse(&ipython_line).is_err());
    assert!(matches!(
        parse(&pytest_short),
        Err(NotALoopError::OtherException(_))
    ));
    assert!(parse(&pytest_long).is_err());
    let tb = parse(&chained).unwrap();
    assert_eq!(tb.frames.len(), n + 1);
    assert_eq!(tb.own_frames_start, n);
    assert_eq!(
        parse(&prefixed),
        Err(NotALoopError::Truncated { frames: 0 })
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

// ---- one test per fixture: the exact chain ----

#[test]
fn cpython310_windows_crlf_venv() {
    // hand-written sample
    let tb = parse_fixture("cpython310_windows_crlf_venv");
    assert_eq!(tb.error, LoopError::AlreadyRunning);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "C:\\Users\\Zoë\\proj\\app\\main.py",
                Some(21),
                Some("<module>"),
                FILE
            ),
            (
                "C:\\Python310\\lib\\asyncio\\runners.py",
                Some(44),
                Some("run"),
                FILE
            ),
            (
                "C:\\Python310\\lib\\asyncio\\base_events.py",
                Some(649),
                Some("run_until_complete"),
                FILE
            ),
            (
                "C:\\Users\\Zoë\\proj\\.venv\\lib\\site-packages\\graphrun\\executor.py",
                Some(338),
                Some("_run_node"),
                FILE
            ),
            (
                "C:\\Users\\Zoë\\proj\\app\\nodes.py",
                Some(9),
                Some("résumé"),
                FILE
            ),
            (
                "C:\\Python310\\lib\\asyncio\\base_events.py",
                Some(622),
                Some("run_until_complete"),
                FILE
            ),
            (
                "C:\\Python310\\lib\\asyncio\\base_events.py",
                Some(582),
                Some("_check_running"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_callback_run_until_complete() {
    // real sample
    let tb = parse_fixture("cpython311_callback_run_until_complete");
    assert_eq!(tb.error, LoopError::AlreadyRunning);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/events.py",
                Some(80),
                Some("_run"),
                FILE
            ),
            ("/tmp/tbgen/ruc_callback.py", Some(7), Some("on_tick"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(629),
                Some("run_until_complete"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(588),
                Some("_check_running"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_chained_cause() {
    // real sample
    let tb = parse_fixture("cpython311_chained_cause");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 5);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/chained.py", Some(15), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/chained.py", Some(13), Some("main"), FILE),
            ("/tmp/tbgen/chained.py", Some(8), Some("sync_api"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_chained_during_keyerror() {
    // real sample
    let tb = parse_fixture("cpython311_chained_during_keyerror");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/during.py", Some(15), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/during.py", Some(13), Some("main"), FILE),
            ("/tmp/tbgen/during.py", Some(10), Some("sync_api"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_lambda_comp() {
    // real sample
    let tb = parse_fixture("cpython311_lambda_comp");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "/tmp/tbgen/lambda_comp.py",
                Some(10),
                Some("<module>"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/lambda_comp.py", Some(8), Some("main"), FILE),
            (
                "/tmp/tbgen/lambda_comp.py",
                Some(8),
                Some("<listcomp>"),
                FILE
            ),
            ("/tmp/tbgen/lambda_comp.py", Some(7), Some("<lambda>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_log_prefix_every_line() {
    // real sample
    let tb = parse_fixture("cpython311_log_prefix_every_line");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/logprefix.py", Some(32), Some("handle"), FILE),
            (
                "/tmp/tbgen/logprefix.py",
                Some(26),
                Some("price_sync"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_log_two_tracebacks() {
    // hand-written sample
    let tb = parse_fixture("cpython311_log_two_tracebacks");
    assert_eq!(tb.error, LoopError::AlreadyRunning);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "/usr/lib/python3.11/asyncio/events.py",
                Some(80),
                Some("_run"),
                FILE
            ),
            ("/srv/app/ticker.py", Some(19), Some("tick"), FILE),
            (
                "/usr/lib/python3.11/asyncio/base_events.py",
                Some(629),
                Some("run_until_complete"),
                FILE
            ),
            (
                "/usr/lib/python3.11/asyncio/base_events.py",
                Some(588),
                Some("_check_running"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_nested_run() {
    // real sample
    let tb = parse_fixture("cpython311_nested_run");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/nested_run.py", Some(12), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/nested_run.py", Some(10), Some("main"), FILE),
            ("/tmp/tbgen/nested_run.py", Some(4), Some("helper"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_other_loop() {
    // real sample
    let tb = parse_fixture("cpython311_other_loop");
    assert_eq!(tb.error, LoopError::AnotherLoopRunning);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/otherloop.py", Some(16), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/otherloop.py", Some(14), Some("main"), FILE),
            (
                "/tmp/tbgen/otherloop.py",
                Some(9),
                Some("sync_bridge"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(629),
                Some("run_until_complete"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(590),
                Some("_check_running"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_recursion() {
    // real sample
    let tb = parse_fixture("cpython311_recursion");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/recursion.py", Some(14), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/recursion.py", Some(12), Some("main"), FILE),
            ("/tmp/tbgen/recursion.py", Some(9), Some("rec"), FILE),
            ("/tmp/tbgen/recursion.py", Some(9), Some("rec"), FILE),
            ("/tmp/tbgen/recursion.py", Some(9), Some("rec"), FILE),
            ("/tmp/tbgen/recursion.py", Some(8), Some("rec"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython311_runner_chained() {
    // real sample
    let tb = parse_fixture("cpython311_runner_chained");
    assert_eq!(tb.error, LoopError::RunnerRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 5);
    assert_eq!(
        frames(&tb),
        vec![
            ("/tmp/tbgen/runner.py", Some(13), Some("<module>"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("/tmp/tbgen/runner.py", Some(11), Some("main"), FILE),
            ("/tmp/tbgen/runner.py", Some(8), Some("sync_api"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(93),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython312_relative_paths_context() {
    // hand-written sample
    let tb = parse_fixture("cpython312_relative_paths_context");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 7);
    assert_eq!(
        frames(&tb),
        vec![
            ("src/shop/server.py", Some(88), Some("<module>"), FILE),
            (
                "/opt/python/3.12/lib/python3.12/asyncio/runners.py",
                Some(194),
                Some("run"),
                FILE
            ),
            (
                "/opt/python/3.12/lib/python3.12/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/opt/python/3.12/lib/python3.12/asyncio/base_events.py",
                Some(687),
                Some("run_until_complete"),
                FILE
            ),
            ("src/shop/server.py", Some(51), Some("handle"), FILE),
            ("src/shop/cart.py", Some(17), Some("total"), FILE),
            ("src/shop/cart.py", Some(17), Some("<genexpr>"), FILE),
            ("src/shop/pricing.py", Some(40), Some("price_sync"), FILE),
            (
                "/opt/python/3.12/lib/python3.12/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython313_color_multiline() {
    // hand-written sample
    let tb = parse_fixture("cpython313_color_multiline");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/home/dev/bot/run.py", Some(30), Some("<module>"), FILE),
            (
                "/usr/lib/python3.13/asyncio/runners.py",
                Some(195),
                Some("run"),
                FILE
            ),
            (
                "/usr/lib/python3.13/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/usr/lib/python3.13/asyncio/base_events.py",
                Some(719),
                Some("run_until_complete"),
                FILE
            ),
            ("/home/dev/bot/run.py", Some(26), Some("main"), FILE),
            (
                "/home/dev/bot/handlers.py",
                Some(12),
                Some("dispatch"),
                FILE
            ),
            (
                "/usr/lib/python3.13/asyncio/runners.py",
                Some(191),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython314_color_runner() {
    // hand-written sample
    let tb = parse_fixture("cpython314_color_runner");
    assert_eq!(tb.error, LoopError::RunnerRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/srv/worker/main.py", Some(12), Some("<module>"), FILE),
            (
                "/usr/local/lib/python3.14/asyncio/runners.py",
                Some(204),
                Some("run"),
                FILE
            ),
            (
                "/usr/local/lib/python3.14/asyncio/runners.py",
                Some(127),
                Some("run"),
                FILE
            ),
            (
                "/usr/local/lib/python3.14/asyncio/base_events.py",
                Some(719),
                Some("run_until_complete"),
                FILE
            ),
            ("/srv/worker/main.py", Some(9), Some("consume"), FILE),
            ("/srv/worker/sync_api.py", Some(5), Some("handle"), FILE),
            (
                "/usr/local/lib/python3.14/asyncio/runners.py",
                Some(98),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn cpython38_stdin_string_no_markers() {
    // hand-written sample
    let tb = parse_fixture("cpython38_stdin_string_no_markers");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("<stdin>", Some(14), Some("<module>"), UNKNOWN),
            (
                "/usr/lib/python3.8/asyncio/runners.py",
                Some(44),
                Some("run"),
                FILE
            ),
            (
                "/usr/lib/python3.8/asyncio/base_events.py",
                Some(616),
                Some("run_until_complete"),
                FILE
            ),
            ("<stdin>", Some(11), Some("main"), UNKNOWN),
            ("<string>", Some(1), Some("<module>"), UNKNOWN),
            (
                "/usr/lib/python3.8/asyncio/runners.py",
                Some(33),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn ipython7_input_in_module() {
    // hand-written sample
    let tb = parse_fixture("ipython7_input_in_module");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "<ipython-input-7-3f9a1c2b8d4e>",
                Some(2),
                Some("<module>"),
                cell(Some(7))
            ),
            ("~/proj/etl/loader.py", Some(12), Some("load_all"), FILE),
            (
                "/usr/lib/python3.8/asyncio/runners.py",
                Some(33),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn ipython8_input_in_cell_line() {
    // hand-written sample
    let tb = parse_fixture("ipython8_input_in_cell_line");
    assert_eq!(tb.error, LoopError::AlreadyRunning);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("Input In [4]", Some(3), Some("<module>"), cell(Some(4))),
            (
                "/opt/conda/lib/python3.10/site-packages/nest/client.py",
                Some(57),
                Some("Client.fetch_all"),
                FILE
            ),
            (
                "/opt/conda/lib/python3.10/asyncio/base_events.py",
                Some(622),
                Some("BaseEventLoop.run_until_complete"),
                FILE
            ),
            (
                "/opt/conda/lib/python3.10/asyncio/base_events.py",
                Some(582),
                Some("BaseEventLoop._check_running"),
                FILE
            ),
        ]
    );
}

#[test]
fn ipython9_chained_cause() {
    // real sample
    let tb = parse_fixture("ipython9_chained_cause");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 5);
    assert_eq!(
        frames(&tb),
        vec![
            ("Cell In[1]", Some(15), Some("<module>"), cell(Some(1))),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("Runner.run"),
                FILE
            ),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("BaseEventLoop.run_until_complete"),
                FILE
            ),
            ("Cell In[1]", Some(13), Some("main"), cell(Some(1))),
            ("Cell In[1]", Some(8), Some("sync_api"), cell(Some(1))),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn ipython9_terminal_color() {
    // real sample
    let tb = parse_fixture("ipython9_terminal_color");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("Cell In[1]", Some(12), Some("<module>"), cell(Some(1))),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("Runner.run"),
                FILE
            ),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("BaseEventLoop.run_until_complete"),
                FILE
            ),
            ("Cell In[1]", Some(10), Some("main"), cell(Some(1))),
            ("Cell In[1]", Some(7), Some("helper"), cell(Some(1))),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn jupyter_cell_function_color() {
    // real sample
    let tb = parse_fixture("jupyter_cell_function_color");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("Cell In[3]", Some(4), Some("<module>"), cell(Some(3))),
            ("Cell In[3]", Some(2), Some("compute"), cell(Some(3))),
            (
                "/tmp/tbgen/nbproj/helpers.py",
                Some(10),
                Some("load_sync"),
                FILE
            ),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn jupyter_cell_module_color() {
    // real sample
    let tb = parse_fixture("jupyter_cell_module_color");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::IPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("Cell In[2]", Some(5), Some("<module>"), cell(Some(2))),
            (
                "~/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn jupyter_stream_print_exc_ipykernel_file() {
    // real sample
    let tb = parse_fixture("jupyter_stream_print_exc_ipykernel_file");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "/tmp/ipykernel_4352/750149662.py",
                Some(10),
                Some("<module>"),
                cell(None)
            ),
            (
                "/tmp/ipykernel_4352/750149662.py",
                Some(7),
                Some("bridge"),
                cell(None)
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn log_compose_prefix_interleaved() {
    // hand-written sample
    let tb = parse_fixture("log_compose_prefix_interleaved");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("/app/views.py", Some(31), Some("order"), FILE),
            ("/app/quotes.py", Some(8), Some("quote_sync"), FILE),
            (
                "/usr/local/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_auto() {
    // real sample
    let tb = parse_fixture("pytest311_auto");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestLong);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("test_service.py", Some(11), Some("test_handler"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("test_service.py", Some(7), Some("handler"), FILE),
            ("proj/service.py", Some(14), Some("get"), FILE),
            ("proj/service.py", Some(9), Some("fetch_sync"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_auto_chained_cause() {
    // real sample
    let tb = parse_fixture("pytest311_auto_chained_cause");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestLong);
    assert_eq!(tb.own_frames_start, 5);
    assert_eq!(
        frames(&tb),
        vec![
            ("test_chained.py", Some(18), Some("test_chained"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("test_chained.py", Some(14), Some("handler"), FILE),
            ("test_chained.py", Some(8), Some("price"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_line() {
    // real sample
    let tb = parse_fixture("pytest311_line");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestLine);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![(
            "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
            Some(186),
            None,
            FILE
        ),]
    );
}

#[test]
fn pytest311_long() {
    // real sample
    let tb = parse_fixture("pytest311_long");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestLong);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("test_service.py", Some(11), Some("test_handler"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("test_service.py", Some(7), Some("handler"), FILE),
            ("proj/service.py", Some(14), Some("get"), FILE),
            ("proj/service.py", Some(9), Some("fetch_sync"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_native() {
    // real sample
    let tb = parse_fixture("pytest311_native");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::CPython);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/runner.py",
                Some(361),
                Some("from_call"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/runner.py",
                Some(250),
                Some("<lambda>"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_caller.py",
                Some(197),
                Some("__call__"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_manager.py",
                Some(183),
                Some("_hookexec"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(195),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(167),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/logging.py",
                Some(878),
                Some("pytest_runtest_call"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(167),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/capture.py",
                Some(906),
                Some("pytest_runtest_call"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(167),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/skipping.py",
                Some(268),
                Some("pytest_runtest_call"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(147),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/runner.py",
                Some(184),
                Some("pytest_runtest_call"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/python.py",
                Some(1798),
                Some("runtest"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_caller.py",
                Some(197),
                Some("__call__"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_manager.py",
                Some(183),
                Some("_hookexec"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(195),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/pluggy/_execution.py",
                Some(147),
                Some("_multicall"),
                FILE
            ),
            (
                "/tmp/tbvenv/lib/python3.11/site-packages/_pytest/python.py",
                Some(187),
                Some("pytest_pyfunc_call"),
                FILE
            ),
            (
                "/tmp/tbgen/pt/test_service.py",
                Some(11),
                Some("test_handler"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            (
                "/tmp/tbgen/pt/test_service.py",
                Some(7),
                Some("handler"),
                FILE
            ),
            ("/tmp/tbgen/pt/proj/service.py", Some(14), Some("get"), FILE),
            (
                "/tmp/tbgen/pt/proj/service.py",
                Some(9),
                Some("fetch_sync"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_short() {
    // real sample
    let tb = parse_fixture("pytest311_short");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestShort);
    assert_eq!(tb.own_frames_start, 0);
    assert_eq!(
        frames(&tb),
        vec![
            ("test_service.py", Some(11), Some("test_handler"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("test_service.py", Some(7), Some("handler"), FILE),
            ("proj/service.py", Some(14), Some("get"), FILE),
            ("proj/service.py", Some(9), Some("fetch_sync"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}

#[test]
fn pytest311_short_chained_cause() {
    // real sample
    let tb = parse_fixture("pytest311_short_chained_cause");
    assert_eq!(tb.error, LoopError::AsyncioRun);
    assert_eq!(tb.format, Format::PytestShort);
    assert_eq!(tb.own_frames_start, 5);
    assert_eq!(
        frames(&tb),
        vec![
            ("test_chained.py", Some(18), Some("test_chained"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(190),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(118),
                Some("run"),
                FILE
            ),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                Some(653),
                Some("run_until_complete"),
                FILE
            ),
            ("test_chained.py", Some(14), Some("handler"), FILE),
            ("test_chained.py", Some(8), Some("price"), FILE),
            (
                "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                Some(186),
                Some("run"),
                FILE
            ),
        ]
    );
}
