//! UNN015: a module-level `asyncio.run()` in a module that the project
//! imports, or that a `uvicorn` app string names: it runs at import time,
//! when the importer's loop may already run.

pub const DOC: &str = r#"# UNN015 run-at-import-time: `asyncio.run()` at module level in an imported module

## What it finds
A call of `asyncio.run(X)` at module level (in the module's own statements, a
class body among them, not in a function), not under
`if __name__ == "__main__":`, in a `.py` module that another module of the
project imports (`import app.jobs`, `from app import jobs`, `from .jobs import
x`, at any depth, a function's local import too), or that a `uvicorn` app string
in the project names: `uvicorn.run("app.jobs:app")`, or a command such as
`"uvicorn app.jobs:app"` or `"python -m uvicorn app.jobs:app"`.

A module that nothing in the project imports is a script: its module-level run is
left alone. Module-level code in a notebook is not this rule's (a cell already
runs under the kernel's loop; UNN001 fixes it).

## Why it is wrong
Importing a module runs its module-level code. Servers and plugin loaders import
inside their running loop (uvicorn imports the app module from its loop, a plugin
loader imports from a coroutine), and then `asyncio.run()` raises
`RuntimeError: asyncio.run() cannot be called from a running event loop`; when
the importer runs no loop, the run blocks the import until it is done.

## Example
```python
# app/jobs.py
import asyncio

async def warm_cache(): ...

asyncio.run(warm_cache())   # runs when the server imports app.jobs
```

## Fix (none automatic)
Run the work where the application starts, on its loop: a startup or lifespan
hook (`@asynccontextmanager async def lifespan(app): await warm_cache(); yield`),
or a function the importer calls and awaits. Keep a script's run under
`if __name__ == "__main__":`. The finding names the importer, with the file and
line of the import or of the string that names the module.
"#;

use super::Rule;
use crate::analysis::graph::summary::RunSite;
use crate::diagnostic::Diagnostic;

/// The finding for `run`, a run at import time in module `module`, which the
/// places `importers` import (`path:line`, `nb.ipynb:cell N:line`, and
/// whether uvicorn imports it there), uvicorn's first.
pub fn diagnostic(run: &RunSite, module: &str, importers: &[(String, bool)]) -> Diagnostic {
    let (place, uvicorn) = &importers[0];
    let others: Vec<String> = importers[1..]
        .iter()
        .take(3)
        .map(|(p, _)| format!("`{p}`"))
        .collect();
    let more = match importers.len() - 1 {
        0 => String::new(),
        1..=3 => format!(" (also {})", others.join(", ")),
        n => format!(" (also {} and {} more)", others.join(", "), n - 3),
    };
    let importer = if *uvicorn {
        format!(
            "the uvicorn app string at `{place}`{more} names module `{module}`, and uvicorn imports it inside its running event loop"
        )
    } else if place.contains(".ipynb:cell ") {
        format!(
            "the notebook cell at `{place}`{more} imports module `{module}`, and a notebook runs its cells inside the kernel's event loop"
        )
    } else {
        format!(
            "`{place}`{more} imports module `{module}`, and an importer that runs an event loop (a server, a plugin loader) imports it inside that loop"
        )
    };
    Diagnostic {
        rule: Rule::RunAtImportTime,
        message: format!(
            "`{}()` at module level runs when the module is imported: {importer}, where it raises RuntimeError; no automatic fix: move this work to a startup or lifespan hook of the application (or a function the importer awaits), or under `if __name__ == \"__main__\":` if the module is also a script",
            run.callee_text
        ),
        range: run.range,
        fix: None,
    }
}
