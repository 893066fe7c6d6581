//! UNN010: `nest_asyncio.apply()` where no nested run remains.

use super::Rule;
use crate::analysis::graph::nest_asyncio::NestAsyncio;
use crate::diagnostic::Diagnostic;
use crate::edit::{Applicability, Fix};

pub const DOC: &str = r#"# UNN010 unnecessary-nest-asyncio: `nest_asyncio.apply()` with no nested run left

## What it finds
A call of `nest_asyncio.apply()` in a module or notebook where no nested run
remains: none was there, or unnest's fixes removed them all.

## Why it is wrong
`nest_asyncio` monkeypatches asyncio so that nested runs work. Its repository
is archived; it breaks with uvloop, slows task creation, and breaks
`asyncio.current_task()` on Python 3.14. Once no nested run remains, the patch
only costs.

## Example
```python
import nest_asyncio
nest_asyncio.apply()

result = await main()
```

## Fix (unsafe)
Remove the `apply()` call, and `import nest_asyncio` when nothing else uses it.
A block left empty gets `pass` (`if __name__ == "__main__":`, `def setup():`,
`if x: nest_asyncio.apply()`); a `try` that only imported and applied the patch,
whose handlers only `pass`, goes whole.
Unsafe, because code outside the files given (a library, another notebook run
in the same kernel) may still rely on the patch.
"#;

/// The finding for a module whose only remaining trace of nested runs is
/// `nest_asyncio`, if it has one.
pub fn diagnostic(nest: &NestAsyncio) -> Option<Diagnostic> {
    let &(call, _) = nest.applies.first()?;
    let mut fix = None;
    if let Some(edits) = &nest.removal {
        fix = Some(Fix::new(
            edits.clone(),
            Applicability::Unsafe,
            "Remove `nest_asyncio.apply()` and, when nothing else uses it, `import nest_asyncio`: unsafe because code outside these files may still rely on the patch".to_owned(),
        ));
    }
    Some(Diagnostic {
        rule: Rule::UnnecessaryNestAsyncio,
        message: "`nest_asyncio.apply()` patches asyncio for nested runs, but none remains here; the archived patch can go".to_owned(),
        range: call,
        fix,
    })
}
