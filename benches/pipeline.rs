//! Micro-benchmarks of the per-file pipeline, for regressions: the byte
//! prefilter, the lexical outline, triage, and loading plus analysing one large
//! test-style module (with triage and partial parsing, and with every file
//! parsed whole). Run with `cargo bench`; criterion compares each run with the
//! last one saved under `target/criterion`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use unnest::project::Project;
use unnest::scan::prefilter::may_hold_finding;
use unnest::scan::triage::{ExportTable, Outlined, facts};
use unnest::syntax::outline::Outline;

/// A module shaped like the large test modules that dominate real corpora:
/// many sync test methods running a loop, a few async helpers, and one real
/// nested run.
fn test_module(methods: usize) -> String {
    let mut text = String::from(
        "import asyncio\nimport unittest\n\n\nclass Tests(unittest.TestCase):\n    def setUp(self):\n        self.loop = asyncio.new_event_loop()\n\n",
    );
    for i in 0..methods {
        text.push_str(&format!(
            "    def test_{i}(self):\n        \"\"\"Check case {i}.\"\"\"\n        async def coro(x={i}):\n            await asyncio.sleep(0)\n            return [x * k for k in range(3)]\n\n        result = self.loop.run_until_complete(coro())\n        self.assertEqual(result[0], 0, f\"case {{result!r}}\")\n\n"
        ));
    }
    text.push_str("    def test_nested(self):\n        async def outer():\n            return self.loop.run_until_complete(asyncio.sleep(0))\n        self.loop.run_until_complete(outer())\n");
    text
}

fn benchmarks(c: &mut Criterion) {
    let module = test_module(300);
    let plain = module
        .replace("asyncio", "threading")
        .replace("run_until_complete", "run_until_done");
    c.bench_function("prefilter: a 100 KB file without asyncio", |b| {
        b.iter(|| may_hold_finding(black_box(plain.as_bytes())))
    });
    c.bench_function("outline: a 100 KB test module", |b| {
        b.iter(|| Outline::scan(black_box(&module)))
    });
    let outlined = Outlined::new(module.clone(), "test_module", true, false);
    let table = ExportTable::new();
    c.bench_function("triage: facts of a 100 KB test module", |b| {
        b.iter(|| facts(black_box(&outlined), &table))
    });

    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("test_module.py");
    std::fs::write(&path, &module).expect("the module is written");
    let paths: Vec<PathBuf> = vec![path];
    let mut group = c.benchmark_group("load and analyse a 100 KB test module");
    group.sample_size(30);
    group.bench_function("triaged, partly parsed", |b| {
        b.iter(|| {
            let project = Project::load(black_box(&paths), dir.path());
            project.analyze()
        })
    });
    group.bench_function("parsed whole", |b| {
        // SAFETY: the benchmark is single-threaded at this point, and nothing
        // else reads the environment concurrently.
        unsafe { std::env::set_var("UNNEST_PARSE_ALL", "1") };
        b.iter(|| {
            let project = Project::load(black_box(&paths), dir.path());
            project.analyze()
        });
        unsafe { std::env::remove_var("UNNEST_PARSE_ALL") };
    });
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
