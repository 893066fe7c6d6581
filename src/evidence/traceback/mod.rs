//! Reads a Python traceback out of arbitrary text (a log, a terminal copy, a
//! notebook's error output) and decides which chain of frames proves an
//! event-loop misuse: the section whose exception is one of the four
//! `RuntimeError`s asyncio raises when a loop is run inside a running loop.
//!
//! Formats read: CPython 3.8–3.14 (`File "…", line N, in name`, with or
//! without `^^^` markers and ANSI colour), IPython/Jupyter (`Cell In[7], line
//! 3`, `Input In [7]`, `<ipython-input-7-…>`, `File ~/x.py:12, in f()`),
//! pytest's `--tb=long`, `--tb=short` and `--tb=line` (`--tb=native` is
//! CPython's). A log prefix in front of every line of a CPython or IPython
//! traceback is recognised from the traceback's first line.
//!
//! What it decides:
//! - which sections form one chained traceback ("The above exception was the
//!   direct cause…", "During handling of the above exception…");
//! - which section is the evidence: in the first traceback of the text that
//!   holds a loop error, the first section (the original error; later ones
//!   are raised while handling it) whose exception is a loop error;
//! - the chain of that section, extended outward through the sections that
//!   were raised while handling it (an inner section's frames start at the
//!   frame that caught it, which the following section shows with its
//!   callers), so `frames` runs from the outermost frame to the raise;
//! - when there is no such section, what the text ends in instead.
//!
//! It never maps a frame to a project file: `file` is kept as written.

mod cpython;
mod ipython;
mod pytest;
mod text;

use std::fmt;

/// Where a frame's code lives, as far as the traceback tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameKind {
    /// A path to a source file (absolute, relative, `~/…`, Windows).
    File,
    /// A notebook or IPython cell. `execution_count` is the `7` of
    /// `Cell In[7]` / `<ipython-input-7-…>`; `None` when the cell is only
    /// known by the kernel's temporary file (`/tmp/ipykernel_1/123.py`).
    NotebookCell { execution_count: Option<u32> },
    /// A pseudo-file without a source on disk: `<stdin>`, `<string>`,
    /// `<frozen importlib._bootstrap>`, `<console>`.
    Unknown,
}

/// One frame of a traceback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The file as written in the traceback (`~/x.py`, `C:\app\x.py`,
    /// `Cell In[7]`, `<stdin>`).
    pub file: String,
    /// The line number; `None` when the traceback does not give it.
    pub line: Option<u32>,
    /// The function name as written (`<module>`, `<lambda>`, `Runner.run` in
    /// IPython, which prints qualified names); `None` when the format does
    /// not give it (pytest `--tb=long` frames without a `def` line shown,
    /// `--tb=line`).
    pub function: Option<String>,
    /// The quoted source line of the frame, trimmed.
    pub source: Option<String>,
    pub kind: FrameKind,
    /// `N` of a following `[Previous line repeated N more times]`: the frame
    /// stands for `1 + N` identical frames, which the traceback elides.
    pub repeated: u32,
}

impl Frame {
    /// The function's own name: `run` of IPython's `Runner.run` (IPython
    /// prints qualified names, CPython and pytest the bare one), so frames
    /// of different formats compare alike.
    pub fn bare_function(&self) -> Option<&str> {
        let f = self.function.as_deref()?;
        // `<lambda>`, `<module>`: no dotted part to drop.
        if f.starts_with('<') {
            return Some(f);
        }
        f.rsplit('.').next()
    }
}

/// The traceback format a section was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CPython's own format (also pytest `--tb=native`, logging).
    CPython,
    /// IPython and Jupyter (all versions).
    IPython,
    /// pytest `--tb=long`, and `--tb=auto` (pytest's default), which prints
    /// the first and last frames long and the others short.
    PytestLong,
    /// pytest `--tb=short`.
    PytestShort,
    /// pytest `--tb=line`: one frame, the raise site.
    PytestLine,
    /// A stack recorded by `unnest record` (see [`crate::evidence::records`]).
    Record,
}

/// How a section relates to the section printed after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// "The above exception was the direct cause of the following exception:"
    Cause,
    /// "During handling of the above exception, another exception occurred:"
    Context,
}

/// The exception a section ends in: `RuntimeError: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedException {
    /// As written: `RuntimeError`, `asyncio.exceptions.CancelledError`.
    pub name: String,
    /// The first line of the message, trimmed; empty when there is none.
    pub message: String,
}

/// The four loop errors asyncio raises when a loop is started inside a
/// running loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopError {
    /// `asyncio.run() cannot be called from a running event loop`
    AsyncioRun,
    /// `Runner.run() cannot be called from a running event loop`
    RunnerRun,
    /// `This event loop is already running` (`run_until_complete` on the
    /// loop that runs).
    AlreadyRunning,
    /// `Cannot run the event loop while another loop is running`
    /// (`run_until_complete` on another loop).
    AnotherLoopRunning,
}

impl LoopError {
    const ALL: [LoopError; 4] = [
        LoopError::AsyncioRun,
        LoopError::RunnerRun,
        LoopError::AlreadyRunning,
        LoopError::AnotherLoopRunning,
    ];

    /// The message asyncio raises with.
    pub fn message(self) -> &'static str {
        match self {
            LoopError::AsyncioRun => "asyncio.run() cannot be called from a running event loop",
            LoopError::RunnerRun => "Runner.run() cannot be called from a running event loop",
            LoopError::AlreadyRunning => "This event loop is already running",
            LoopError::AnotherLoopRunning => {
                "Cannot run the event loop while another loop is running"
            }
        }
    }

    /// The loop error an exception is, if any: a `RuntimeError` (possibly
    /// module-qualified) whose message holds one of the four texts.
    pub fn of(exception: &RaisedException) -> Option<LoopError> {
        let base = exception.name.rsplit('.').next().unwrap_or("");
        if base != "RuntimeError" {
            return None;
        }
        LoopError::ALL
            .into_iter()
            .find(|e| exception.message.contains(e.message()))
    }
}

/// One traceback section: frames, outermost first, and the exception it
/// ends in (`None` when the text stops before the exception line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub format: Format,
    pub frames: Vec<Frame>,
    pub exception: Option<RaisedException>,
    /// How this section relates to the next one in the text; `None` when the
    /// next section (if any) is a separate traceback.
    pub link_to_next: Option<Link>,
    /// 1-based line of the input where the section begins.
    pub first_line: usize,
}

/// The evidence: the chain of frames that ends in a loop error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traceback {
    /// Outermost first; the last frame is the raise inside asyncio (or the
    /// last frame the traceback shows).
    pub frames: Vec<Frame>,
    /// Index in `frames` where the loop-error section's own frames begin;
    /// the frames before it come from the sections raised while handling it.
    pub own_frames_start: usize,
    pub error: LoopError,
    pub exception: RaisedException,
    pub format: Format,
    /// 1-based line of the input where the loop-error section begins.
    pub first_line: usize,
    /// How many times the chain was seen: 1 for a traceback, the count of
    /// identical stacks for a record of `unnest record`.
    pub seen: usize,
}

/// Why the text is not evidence of a loop error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotALoopError {
    /// No traceback in the text.
    NoTraceback,
    /// The text's last traceback ends in another exception.
    OtherException(RaisedException),
    /// The text's last traceback stops before its exception line.
    Truncated { frames: usize },
}

impl fmt::Display for NotALoopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotALoopError::NoTraceback => write!(f, "no Python traceback found"),
            NotALoopError::OtherException(e) if e.message.is_empty() => write!(
                f,
                "the traceback ends in {}, not in an event-loop error",
                e.name
            ),
            NotALoopError::OtherException(e) => write!(
                f,
                "the traceback ends in {}: {}, not in an event-loop error",
                e.name, e.message
            ),
            NotALoopError::Truncated { frames } => write!(
                f,
                "the traceback is cut off after {frames} frame(s), before its exception line"
            ),
        }
    }
}

impl std::error::Error for NotALoopError {}

/// Finds the chain of frames that ends in a loop error in `text`.
pub fn parse(text: &str) -> Result<Traceback, NotALoopError> {
    let sections = sections(text);
    let mut start = 0;
    while start < sections.len() {
        let mut end = start;
        while end + 1 < sections.len() && sections[end].link_to_next.is_some() {
            end += 1;
        }
        let group = &sections[start..=end];
        for (at, section) in group.iter().enumerate() {
            let Some(exception) = &section.exception else {
                continue;
            };
            if let Some(error) = LoopError::of(exception) {
                let (frames, own_frames_start) = join_outward(&group[at..]);
                return Ok(Traceback {
                    frames,
                    own_frames_start,
                    error,
                    exception: exception.clone(),
                    format: section.format,
                    first_line: section.first_line,
                    seen: 1,
                });
            }
        }
        start = end + 1;
    }
    match sections.last() {
        None => Err(NotALoopError::NoTraceback),
        Some(last) => match &last.exception {
            Some(e) => Err(NotALoopError::OtherException(e.clone())),
            None => Err(NotALoopError::Truncated {
                frames: last.frames.len(),
            }),
        },
    }
}

/// The first section's frames, preceded by the callers that the following
/// sections show: each following section holds the frame that caught the
/// previous one (same file and function as the chain's first frame); its
/// frames above that one are the chain's callers. Stops at the first section
/// that does not hold that frame.
fn join_outward(group: &[Section]) -> (Vec<Frame>, usize) {
    // Collect the callers' slices first and copy once, so a long chain of
    // sections costs time in proportion to its frames.
    let mut first = group[0].frames.first();
    let mut callers: Vec<&[Frame]> = Vec::new();
    for next in &group[1..] {
        let Some(head) = first else { break };
        let catcher = next
            .frames
            .iter()
            .rposition(|f| f.file == head.file && f.function == head.function);
        let Some(k) = catcher else { break };
        callers.push(&next.frames[..k]);
        first = next.frames[..k].first().or(first);
    }
    let own_start: usize = callers.iter().map(|c| c.len()).sum();
    let mut chain = Vec::with_capacity(own_start + group[0].frames.len());
    for slice in callers.iter().rev() {
        chain.extend_from_slice(slice);
    }
    chain.extend_from_slice(&group[0].frames);
    (chain, own_start)
}

/// Every traceback section in `text`, in order, with the links between
/// chained ones.
pub fn sections(text: &str) -> Vec<Section> {
    let lines = text::clean_lines(text);
    let mut out: Vec<Section> = Vec::new();
    let mut pending_link: Option<Link> = None;
    // Where the last section ended: pytest's look back for a frame's block
    // stops there, so no line is looked at twice.
    let mut floor = 0;
    let mut last_prefix: Option<text::Prefix> = None;
    let mut i = 0;
    while i < lines.len() {
        let chained = pending_link.and(last_prefix.as_ref());
        let found = cpython::read(&lines, i)
            .or_else(|| ipython::read(&lines, i, chained))
            .or_else(|| pytest::read(&lines, i, floor));
        let Some((mut section, next, prefix)) = found else {
            if let Some(link) = link_line(&lines[i]) {
                // A connector outside a section (pytest prints it before the
                // block of the next section's first frame).
                if out.last().is_some_and(|s| s.link_to_next.is_none()) && pending_link.is_none() {
                    pending_link = Some(link);
                }
            }
            i += 1;
            continue;
        };
        section.first_line = i + 1;
        if let (Some(link), Some(prev)) = (pending_link.take(), out.last_mut()) {
            prev.link_to_next = Some(link);
        }
        i = next.max(i + 1);
        // The connector follows the exception line after a blank line.
        if section.exception.is_some() {
            let mut j = i;
            while j < lines.len() && j < i + 3 {
                let Some(line) = prefix.strip_blank_tolerant(&lines[j]) else {
                    break;
                };
                if let Some(link) = link_line(line) {
                    pending_link = Some(link);
                    i = j + 1;
                    break;
                }
                if !line.trim().is_empty() {
                    break;
                }
                j += 1;
            }
        }
        floor = i;
        last_prefix = Some(prefix);
        out.push(section);
    }
    out
}

fn link_line(line: &str) -> Option<Link> {
    let line = line.trim();
    if line == "The above exception was the direct cause of the following exception:" {
        Some(Link::Cause)
    } else if line == "During handling of the above exception, another exception occurred:" {
        Some(Link::Context)
    } else {
        None
    }
}

/// `Name` or `Name: message` where `Name` is a dotted Python identifier: the
/// exception line that ends a section.
fn exception_line(line: &str) -> Option<RaisedException> {
    let line = line.trim_end();
    let (name, message) = match line.find(':') {
        Some(at) => {
            let rest = &line[at + 1..];
            if !(rest.is_empty() || rest.starts_with(' ')) {
                return None;
            }
            (&line[..at], rest.trim())
        }
        None => (line, ""),
    };
    if !is_dotted_identifier(name) {
        return None;
    }
    Some(RaisedException {
        name: name.to_string(),
        message: message.to_string(),
    })
}

fn is_dotted_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The kind of a file as CPython, pytest and IPython's `File` lines write it.
fn kind_of_path(file: &str) -> FrameKind {
    if let Some(count) = ipython_input_count(file) {
        return FrameKind::NotebookCell {
            execution_count: Some(count),
        };
    }
    if file.starts_with('<') && file.ends_with('>') {
        return FrameKind::Unknown;
    }
    if is_kernel_cell_file(file) {
        return FrameKind::NotebookCell {
            execution_count: None,
        };
    }
    FrameKind::File
}

/// `7` of `<ipython-input-7-0123abcd>`.
fn ipython_input_count(file: &str) -> Option<u32> {
    let rest = file.strip_prefix("<ipython-input-")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// ipykernel compiles each cell to `<tmp>/ipykernel_<pid>/<hash>.py`, the
/// name CPython's own traceback printing shows for a cell's frames.
fn is_kernel_cell_file(file: &str) -> bool {
    let mut parts = file.rsplit(['/', '\\']);
    let (Some(name), Some(dir)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(pid) = dir.strip_prefix("ipykernel_") else {
        return false;
    };
    let Some(stem) = name.strip_suffix(".py") else {
        return false;
    };
    !pid.is_empty()
        && pid.chars().all(|c| c.is_ascii_digit())
        && !stem.is_empty()
        && stem.chars().all(|c| c.is_ascii_digit())
}

/// A line of `^` and `~` (3.11+ position markers), possibly with blanks.
fn is_marker_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '^' || c == '~' || c == ' ')
}

/// `N` of `[Previous line repeated N more times]`.
fn repeated_line(line: &str) -> Option<u32> {
    let rest = line.trim().strip_prefix("[Previous line repeated ")?;
    let rest = rest
        .strip_suffix(" more times]")
        .or_else(|| rest.strip_suffix(" more time]"))?;
    rest.parse().ok()
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_lines() {
        let e = exception_line("RuntimeError: This event loop is already running").unwrap();
        assert_eq!(e.name, "RuntimeError");
        assert_eq!(LoopError::of(&e), Some(LoopError::AlreadyRunning));
        assert_eq!(exception_line("KeyError").unwrap().message, "");
        assert!(exception_line("ERROR:root:boom").is_none());
        assert!(exception_line("INFO shutting down").is_none());
        assert!(exception_line("").is_none());
        let q = exception_line(
            "builtins.RuntimeError: Runner.run() cannot be called from a running event loop",
        )
        .unwrap();
        assert_eq!(LoopError::of(&q), Some(LoopError::RunnerRun));
        let other =
            exception_line("ValueError: asyncio.run() cannot be called from a running event loop")
                .unwrap();
        assert_eq!(LoopError::of(&other), None);
    }

    #[test]
    fn bare_function_names() {
        let mut f = Frame {
            file: "x.py".into(),
            line: Some(1),
            function: Some("Runner.run".into()),
            source: None,
            kind: FrameKind::File,
            repeated: 0,
        };
        assert_eq!(f.bare_function(), Some("run"));
        f.function = Some("<lambda>".into());
        assert_eq!(f.bare_function(), Some("<lambda>"));
        f.function = None;
        assert_eq!(f.bare_function(), None);
    }

    #[test]
    fn kinds_of_paths() {
        assert_eq!(kind_of_path("/srv/app/x.py"), FrameKind::File);
        assert_eq!(kind_of_path("<stdin>"), FrameKind::Unknown);
        assert_eq!(
            kind_of_path("<ipython-input-7-8c1ab2f3d1e0>"),
            FrameKind::NotebookCell {
                execution_count: Some(7)
            }
        );
        assert_eq!(
            kind_of_path("/tmp/ipykernel_4352/750149662.py"),
            FrameKind::NotebookCell {
                execution_count: None
            }
        );
        assert_eq!(
            kind_of_path(r"C:\Users\ana\AppData\Local\Temp\ipykernel_88\1234.py"),
            FrameKind::NotebookCell {
                execution_count: None
            }
        );
        assert_eq!(kind_of_path("/tmp/ipykernel_x/1234.py"), FrameKind::File);
    }

    #[test]
    fn repeated_and_markers() {
        assert_eq!(
            repeated_line("  [Previous line repeated 996 more times]"),
            Some(996)
        );
        assert!(is_marker_line("           ~~~~~~~~~~~^^^^^^"));
        assert!(!is_marker_line("   "));
        assert!(!is_marker_line("    x ^ y"));
    }
}
