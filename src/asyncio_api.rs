//! The names of asyncio's API that more than one stage must agree on: the
//! scan's triage has to keep what the analysis would look at, so both read
//! them from here.

/// asyncio's own package, when its source is among the files: its star
/// re-exports are asyncio's API, which the analysis knows by meaning (names
/// imported from asyncio are never followed into its source), so they are
/// not followed.
pub const ASYNCIO_PACKAGE: &str = "asyncio";

/// Methods that hand a callable to the loop, and the callable's position.
pub const LOOP_CALLBACKS: [(&str, usize); 8] = [
    ("call_soon", 0),
    ("call_soon_threadsafe", 0),
    ("call_later", 1),
    ("call_at", 1),
    ("add_reader", 1),
    ("add_writer", 1),
    ("add_signal_handler", 1),
    ("add_done_callback", 0),
];
