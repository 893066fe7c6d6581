//! Reads what `unnest record` collected: JSON-lines files, one per Python
//! process, each holding a `process` line (the recording hook was loaded)
//! and a `nested_run` line per event-loop run started under a running loop,
//! with the stack as a traceback would show it. It decides which records are
//! the same nested run (the same frames, outermost to the call) and how often
//! each was seen; like the traceback parser, it maps nothing to the
//! project's files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::traceback::{Format, Frame, FrameKind, LoopError, RaisedException, Traceback};

/// One distinct nested run and how many times it was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRun {
    /// What ran the loop: `asyncio.run`, `asyncio.Runner.run`,
    /// `run_until_complete`, `run_forever` or `run_coroutine_threadsafe`.
    pub call: String,
    /// The RuntimeError the call raises (`None` for a
    /// `run_coroutine_threadsafe` on the caller's own loop, which deadlocks
    /// instead).
    pub error: Option<String>,
    /// Outermost first; the last frame is the call itself.
    pub frames: Vec<Frame>,
    pub seen: usize,
}

impl RecordedRun {
    /// The run as a traceback would prove it, for `--traceback DIR`; `None`
    /// for a call that raises no loop error (a deadlock).
    pub fn as_traceback(&self) -> Option<Traceback> {
        let exception = RaisedException {
            name: "RuntimeError".to_owned(),
            message: self.error.clone()?,
        };
        Some(Traceback {
            frames: self.frames.clone(),
            own_frames_start: 0,
            error: LoopError::of(&exception)?,
            exception,
            format: Format::Record,
            first_line: 0,
            seen: self.seen,
        })
    }
}

/// Everything recorded in a folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Records {
    /// Distinct nested runs, in a stable order (by their frames).
    pub runs: Vec<RecordedRun>,
    /// How many Python processes loaded the recording hook.
    pub processes: usize,
    /// Lines that were not records (a process killed mid-write leaves half a
    /// line), with their file: skipped, and said.
    pub unreadable: Vec<String>,
}

impl Records {
    /// How many nested runs were recorded, repeats included.
    pub fn total(&self) -> usize {
        self.runs.iter().map(|r| r.seen).sum()
    }
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    Process {},
    NestedRun {
        call: String,
        #[serde(default)]
        error: Option<String>,
        frames: Vec<RecordedFrame>,
    },
}

#[derive(Deserialize)]
struct RecordedFrame {
    file: String,
    line: Option<u32>,
    function: Option<String>,
    source: Option<String>,
}

impl From<RecordedFrame> for Frame {
    fn from(frame: RecordedFrame) -> Frame {
        // `<stdin>`, `<string>`, `<frozen …>` have no file on disk.
        let kind = if frame.file.starts_with('<') && frame.file.ends_with('>') {
            FrameKind::Unknown
        } else {
            FrameKind::File
        };
        Frame {
            file: frame.file,
            line: frame.line,
            function: frame.function,
            source: frame.source.filter(|s| !s.is_empty()),
            kind,
            repeated: 0,
        }
    }
}

/// What makes two recorded frames the same: file, line and function.
type FrameKey = (String, Option<u32>, Option<String>);

/// Whether `path` names a folder of records rather than a traceback file.
pub fn is_records_folder(path: &Path) -> bool {
    path.is_dir()
}

/// Reads every `*.jsonl` file in `dir`.
pub fn read(dir: &Path) -> std::io::Result<Records> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    names.sort();
    let mut records = Records::default();
    let mut runs: BTreeMap<Vec<FrameKey>, RecordedRun> = BTreeMap::new();
    for path in names {
        let bytes = std::fs::read(&path)?;
        let text = String::from_utf8_lossy(&bytes);
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Line>(line) {
                Ok(Line::Process {}) => records.processes += 1,
                Ok(Line::NestedRun {
                    call,
                    error,
                    frames,
                }) => {
                    let frames: Vec<Frame> = frames.into_iter().map(Frame::from).collect();
                    let key = frames
                        .iter()
                        .map(|f| (f.file.clone(), f.line, f.function.clone()))
                        .collect();
                    runs.entry(key)
                        .or_insert_with(|| RecordedRun {
                            call,
                            error,
                            frames,
                            seen: 0,
                        })
                        .seen += 1;
                }
                Err(_) => records
                    .unreadable
                    .push(format!("{}:{}", path.display(), number + 1)),
            }
        }
    }
    records.runs = runs.into_values().collect();
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_grouped_by_their_frames_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let run = |line: u32| {
            format!(
                r#"{{"kind": "nested_run", "call": "asyncio.run", "pid": 1, "thread": "MainThread", "frames": [{{"file": "app.py", "line": {line}, "function": "main", "source": "helper()"}}, {{"file": "<string>", "line": 1, "function": "<module>", "source": ""}}]}}"#
            )
        };
        std::fs::write(
            dir.path().join("1-1.jsonl"),
            format!(
                "{{\"kind\": \"process\", \"pid\": 1}}\n{}\n{}\n{}\n{{\"kind\": \"nested_r",
                run(3),
                run(3),
                run(9)
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("2-1.jsonl"),
            "{\"kind\": \"process\", \"pid\": 2}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a record").unwrap();
        let records = read(dir.path()).unwrap();
        assert_eq!(records.processes, 2);
        assert_eq!(records.total(), 3);
        assert_eq!(
            records
                .runs
                .iter()
                .map(|r| (r.frames[0].line, r.seen))
                .collect::<Vec<_>>(),
            [(Some(3), 2), (Some(9), 1)]
        );
        assert_eq!(records.runs[0].frames[1].kind, FrameKind::Unknown);
        assert_eq!(records.runs[0].frames[1].source, None);
        assert_eq!(records.unreadable.len(), 1);
    }
}
