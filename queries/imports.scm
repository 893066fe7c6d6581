; Imports that bind a name to asyncio or to one of its functions. The names they
; bind are recorded as bindings too (bindings.scm); these captures say what the
; name means.

; import asyncio, import asyncio.subprocess (which binds `asyncio` too)
(import_statement
  name: (dotted_name . (identifier) @module)
  (#eq? @module "asyncio"))

; import asyncio as aio
(import_statement
  name: (aliased_import
    name: (dotted_name . (identifier) @module .)
    alias: (identifier) @alias)
  (#eq? @module "asyncio"))

; from asyncio import run, Runner
(import_from_statement
  module_name: (dotted_name . (identifier) @from .)
  name: (dotted_name . (identifier) @name .)
  (#eq? @from "asyncio"))

; from asyncio import run as arun
(import_from_statement
  module_name: (dotted_name . (identifier) @from .)
  name: (aliased_import
    name: (dotted_name . (identifier) @name .)
    alias: (identifier) @alias)
  (#eq? @from "asyncio"))

; from asyncio import *
(import_from_statement
  module_name: (dotted_name . (identifier) @from .)
  (wildcard_import) @star
  (#eq? @from "asyncio"))
