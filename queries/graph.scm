; What the project index needs from every file: definitions, calls, imports, and
; names used as values (a function passed around cannot be made async safely).

(function_definition) @function
(class_definition) @class
(call) @call
(import_statement) @import
(import_from_statement) @import
(identifier) @identifier
