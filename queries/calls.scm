; Calls that may run an event loop. Which of them really are asyncio's is decided
; in Rust from the bindings (an `asyncio.run` may be `subprocess.run`, a `run` may be
; a local function); these patterns only find the candidates.

; asyncio.run(...), aio.run(...), asyncio.Runner().run(...), runner.run(...),
; loop.run_until_complete(...), asyncio.get_event_loop().run_until_complete(...)
(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @method)
  arguments: (_) @arguments
  (#any-of? @method "run" "run_until_complete")) @call

; run(...) or arun(...) after `from asyncio import run [as arun]`
(call
  function: (identifier) @function
  arguments: (_) @arguments) @call

; The same after another argument or item: tree-sitter-python parses
; `f(1, *asyncio.run(x))` and `f(1, *run(x))` as calls of a starred callee.
(call
  function: (list_splat
    (attribute
      object: (_) @receiver
      attribute: (identifier) @method))
  arguments: (_) @arguments
  (#any-of? @method "run" "run_until_complete")) @call

(call
  function: (list_splat (identifier) @function)
  arguments: (_) @arguments) @call
