//! A Python program built from the fuzz input: a file of the seed corpus
//! (`tests/exec/broken`, `tests/exec/unchanged`, `tests/fixtures`) with nested
//! runs injected, each run's callee, argument list, argument expression and
//! place chosen by the input bytes. Then the checks of `common::check`.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

mod common;

fn corpus() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests");
        let mut files = Vec::new();
        for dir in ["exec/broken", "exec/unchanged", "fixtures"] {
            let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
                .expect("the seed corpus is there")
                .map(|e| e.expect("a folder entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).expect("a UTF-8 corpus file");
                files.push(text.trim_start_matches('\u{feff}').to_owned());
            }
        }
        files
    })
}

/// The fuzz input read as a stream of choices; zeros once it runs out.
struct Choices<'d>(&'d [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((first, rest)) => {
                self.0 = rest;
                *first
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        let value = u16::from_le_bytes([self.byte(), self.byte()]) as usize;
        value % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const RUNNERS: &[&str] = &[
    "asyncio.run",
    "aio.run",
    "run",
    "loop.run_until_complete",
    "asyncio.get_event_loop().run_until_complete",
    "asyncio.Runner().run",
    "subprocess.run",
    "self.run",
];

const ATOMS: &[&str] = &["a", "b", "f()", "g(a, b)", "a.b", "a[0]", "'s'", "1", "None", "xs"];

fn expr(c: &mut Choices, depth: u32) -> String {
    if depth == 0 {
        return c.pick(ATOMS).to_owned();
    }
    let d = depth - 1;
    match c.below(24) {
        0..=5 => run(c, d),
        6 => format!("await {}", run(c, d)),
        7 => format!("{} or {}", expr(c, d), expr(c, d)),
        8 => format!("{} if {} else {}", expr(c, d), expr(c, d), expr(c, d)),
        9 => format!("lambda: {}", expr(c, d)),
        10 => format!("(n := {})", expr(c, d)),
        11 => format!("f\"{{{}}}\"", expr(c, d)),
        12 => format!("{}.attr", expr(c, d)),
        13 => format!("{}[{}]", expr(c, d), expr(c, d)),
        14 => format!("[{} for q in {}]", expr(c, d), expr(c, d)),
        15 => format!("sum({} for q in {})", expr(c, d), expr(c, d)),
        16 => format!("-{} ** {}", expr(c, d), expr(c, d)),
        17 => format!("not {}", expr(c, d)),
        18 => format!("[*{}, 1]", expr(c, d)),
        19 => format!("asyncio.to_thread({})", run(c, d)),
        20 => format!("threading.Thread(target={})", run(c, d)),
        21 => format!("({})", expr(c, d)),
        22 => format!("{} + {}", expr(c, d), expr(c, d)),
        _ => c.pick(ATOMS).to_owned(),
    }
}

fn run(c: &mut Choices, depth: u32) -> String {
    let callee = c.pick(RUNNERS);
    let x = expr(c, depth);
    let args = match c.below(10) {
        0..=3 => x,
        4 => format!("main={x}"),
        5 => format!("{x}, debug=False"),
        6 => format!("{x},"),
        7 => format!("\n    {x},  # comment\n"),
        8 => format!("  # comment\n{x}\n, debug=None"),
        _ => format!("{x}, debug=True"),
    };
    format!("{callee}({args})")
}

fuzz_target!(|data: &[u8]| {
    let mut c = Choices(data);
    let files = corpus();
    let mut lines: Vec<String> = files[c.below(files.len())]
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect();
    for _ in 0..1 + c.below(4) {
        if lines.is_empty() {
            break;
        }
        let at = c.below(lines.len());
        let indent: String = lines[at]
            .chars()
            .take_while(|ch| *ch == ' ' || *ch == '\t')
            .collect();
        let e = expr(&mut c, 3);
        match c.below(4) {
            // a statement of its own, at the indentation of the line it precedes
            0 => lines.insert(at, format!("{indent}v = {e}\n")),
            1 => lines.insert(at, format!("{indent}{e}\n")),
            // an expression spliced into the line at a byte the input picks
            _ => {
                let line = &mut lines[at];
                let mut pos = c.below(line.len() + 1);
                while !line.is_char_boundary(pos) {
                    pos -= 1;
                }
                line.insert_str(pos, &e);
            }
        }
    }
    // Whatever the input left over is appended as raw text, when it is UTF-8.
    if let Ok(tail) = std::str::from_utf8(c.0) {
        lines.push(tail.to_owned());
    }
    common::check(&lines.concat());
});
