; Every identifier that a statement or expression binds. A binding shadows an
; asyncio import of the same name in its scope, so a `run` parameter or a local
; `asyncio = ...` makes the calls through that name someone else's.
; Which scope a binding belongs to is decided in Rust (scope.rs): a `def` or `class`
; name binds in the enclosing scope, a walrus skips comprehensions.

; def f(a, b=1, *c, d: int = 2, **e) / lambda a, b=1: ...
(parameters (identifier) @binding)
(lambda_parameters (identifier) @binding)
(default_parameter name: (identifier) @binding)
(typed_parameter (identifier) @binding)
(typed_default_parameter name: (identifier) @binding)
(list_splat_pattern (identifier) @binding)
(dictionary_splat_pattern (identifier) @binding)

; x = ..., x += ..., x: int = ..., a, b = ..., (a, b) = ..., [a, b] = ...
(assignment left: (identifier) @binding)
(augmented_assignment left: (identifier) @binding)
(pattern_list (identifier) @binding)
(tuple_pattern (identifier) @binding)
(list_pattern (identifier) @binding)

; for x in ..., [... for x in ...]
(for_statement left: (identifier) @binding)
(for_in_clause left: (identifier) @binding)

; with ... as x, with ... as (a, b), except E as x
(as_pattern_target (identifier) @binding)
(as_pattern_target (tuple (identifier) @binding))
(as_pattern_target (list (identifier) @binding))

; (x := ...)
(named_expression name: (identifier) @binding)

; def x, class x
(function_definition name: (identifier) @binding)
(class_definition name: (identifier) @binding)

; del x
(delete_statement (identifier) @binding)
(delete_statement (expression_list (identifier) @binding))

; import x, import x.y (binds x), import x as y, from m import x, from m import x as y
(import_statement name: (dotted_name . (identifier) @binding))
(import_statement name: (aliased_import alias: (identifier) @binding))
(import_from_statement name: (dotted_name . (identifier) @binding .))
(import_from_statement name: (aliased_import alias: (identifier) @binding))

; match captures: case x, case [*x], case {**x}, case ... as x
(case_pattern (dotted_name . (identifier) @binding .))
(keyword_pattern (dotted_name . (identifier) @binding .))
(splat_pattern (identifier) @binding)
(as_pattern (case_pattern) (identifier) @binding)

; type X = ...
(type_alias_statement left: (type (identifier) @binding))

; global x / nonlocal x: the name lives in another scope
(global_statement (identifier) @global)
(nonlocal_statement (identifier) @nonlocal)
