#!/usr/bin/env python3
"""Mutation round trip over real async code.

In real async modules (the standard library's asyncio and test.test_asyncio,
and the async modules of site-packages), seeded random `await X` sites are
replaced by `asyncio.run(X)` or `asyncio.get_event_loop().run_until_complete(X)`;
`unnest --write --unsafe-fixes` must turn each back, so that the fixed file's
`ast.dump` equals the original's.

How the sites are chosen (and why):

- Only `await` whose nearest enclosing function is an `async def`, where the
  rewrite back to `await X` is the one correct fix. Sites inside a generator
  expression are left alone: there unnest refuses to add `await` on purpose
  (it would turn the generator into an async one), so the expectation differs.
- Never an `await` inside the operand of another chosen site (the sites are
  disjoint spans), and at most `--per-file` sites per file.
- `asyncio` must name the module: files that bind `asyncio` otherwise
  (assignments, parameters, `from ... import asyncio`, `import x as asyncio`)
  are skipped. A file without `import asyncio` gets one, inserted after its
  docstring and `from __future__` imports; the original it is compared with
  gets the same line, so only the mutated sites differ.
- Files that hand a function to `trio.run` or `anyio.run` are skipped:
  functions only trio drives run no asyncio loop, so unnest leaves their
  runs alone on purpose, and the expectation differs.
- Files that already have findings with fixes before mutation are skipped
  (their fixed text is not the original), and so are files that do not
  decode as UTF-8 or do not compile.

Usage: scripts/mutation_roundtrip.py [--unnest PATH] [--seed N]
       [--per-file N] [--max-files N] [--keep]
Prints the number of files and sites mutated and restored; exits 1 on any
failure, listing each with the site and the first differing line.
"""

import argparse
import ast
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sources():
    """(group, root folder) of the code to mutate."""
    import asyncio

    groups = [("asyncio", os.path.dirname(asyncio.__file__))]
    spec = importlib.util.find_spec("test.test_asyncio")
    if spec and spec.submodule_search_locations:
        groups.append(("test_asyncio", list(spec.submodule_search_locations)[0]))
    site = sysconfig.get_paths()["purelib"]
    if os.path.isdir(site):
        groups.append(("site-packages", site))
    return groups


def python_files(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)


def line_starts(data):
    """Byte offset of each line start, lines as the tokenizer counts them
    (`\\n`, `\\r\\n` and a lone `\\r` all end a line)."""
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def span(starts, node):
    return (
        starts[node.lineno - 1] + node.col_offset,
        starts[node.end_lineno - 1] + node.end_col_offset,
    )


def runs_trio(tree):
    """Whether the file calls `trio.run(...)` or `anyio.run(...)`."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "run"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("trio", "anyio")
        for node in ast.walk(tree)
    )


def binds_asyncio_otherwise(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "asyncio" and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.arg) and node.arg == "asyncio":
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == "asyncio":
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and "asyncio" in node.names:
            return True
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == "asyncio" and (alias.name != "asyncio" or alias.asname not in (None, "asyncio")):
                    return True
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == "asyncio":
                    return True
    return False


def imports_asyncio(tree):
    """`import asyncio` at the top level of the module, before any code that
    could run a mutated site."""
    for node in tree.body:
        if isinstance(node, ast.Import) and any(a.name == "asyncio" and a.asname is None for a in node.names):
            return True
    return False


def insertion_line(tree):
    """The 1-based line before which `import asyncio` can go: after the
    docstring and the `from __future__` imports."""
    body = tree.body
    i = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        i = 1
    while i < len(body) and isinstance(body[i], ast.ImportFrom) and body[i].module == "__future__":
        i += 1
    if i < len(body):
        return body[i].lineno
    return None


class Sites(ast.NodeVisitor):
    """`await` nodes whose nearest function is an `async def`, outside
    generator expressions."""

    def __init__(self):
        self.stack = []
        self.found = []

    def visit_AsyncFunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        self.stack.append("async")
        for stmt in node.body:
            self.visit(stmt)
        self.stack.pop()

    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        self.stack.append("sync")
        for stmt in node.body:
            self.visit(stmt)
        self.stack.pop()

    def visit_Lambda(self, node):
        self.stack.append("sync")
        self.generic_visit(node)
        self.stack.pop()

    def visit_ClassDef(self, node):
        self.stack.append("class")
        self.generic_visit(node)
        self.stack.pop()

    def visit_GeneratorExp(self, node):
        self.stack.append("genexp")
        self.generic_visit(node)
        self.stack.pop()

    def visit_Await(self, node):
        if self.stack and self.stack[-1] == "async":
            self.found.append(node)
        self.generic_visit(node)


def with_line(data, line, text, starts):
    at = starts[line - 1]
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    return data[:at] + text + newline + data[at:]


def mutate(data, rng, per_file, stats):
    """(baseline, mutated, sites) for a file's bytes, or None when skipped."""
    try:
        text = data.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (UnicodeDecodeError, SyntaxError, ValueError):
        stats["undecodable or not compiling"] += 1
        return None
    del text
    finder = Sites()
    finder.visit(tree)
    if not finder.found:
        return None
    if binds_asyncio_otherwise(tree):
        stats["asyncio bound otherwise"] += 1
        return None
    if runs_trio(tree):
        stats["trio-driven"] += 1
        return None
    baseline = data
    if not imports_asyncio(tree):
        line = insertion_line(tree)
        if line is None:
            return None
        baseline = with_line(data, line, b"import asyncio", line_starts(data))
        tree = ast.parse(baseline)
        finder = Sites()
        finder.visit(tree)
    starts = line_starts(baseline)
    candidates = [(span(starts, n), span(starts, n.value), n) for n in finder.found]
    rng.shuffle(candidates)
    chosen = []
    for (start, end), value, node in candidates:
        if len(chosen) >= per_file:
            break
        if any(start < e and s < end for (s, e), _, _ in chosen):
            continue
        chosen.append(((start, end), value, node))
    chosen.sort(key=lambda c: c[0][0])
    out = bytearray()
    at = 0
    sites = []
    for (start, end), (vstart, vend), node in chosen:
        operand = baseline[vstart:vend]
        if rng.random() < 0.5:
            call = b"asyncio.run(" + operand + b")"
        else:
            call = b"asyncio.get_event_loop().run_until_complete(" + operand + b")"
        out += baseline[at:start] + call
        at = end
        sites.append((node.lineno, call.split(b"(")[0].decode()))
    out += baseline[at:]
    return baseline, bytes(out), sites


def dump(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.dump(ast.parse(data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unnest", default=os.path.join(ROOT, "target", "release", "unnest"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-file", type=int, default=3)
    parser.add_argument("--max-files", type=int, default=400, help="per group")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.unnest = os.path.abspath(args.unnest)

    started = time.time()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="unnest-mutation.")
    stats = {
        "undecodable or not compiling": 0,
        "asyncio bound otherwise": 0,
        "trio-driven": 0,
        "already had fixes": 0,
    }
    failures = []
    total_files = total_sites = 0
    per_group = []
    try:
        for group, folder in sources():
            files = [p for p in python_files(folder) if b"await" in open(p, "rb").read()]
            rng.shuffle(files)
            files = sorted(files[: args.max_files])
            tree_dir = os.path.join(work, group)
            base_dir = os.path.join(work, group + ".baseline")
            mutated = {}
            for path in files:
                data = open(path, "rb").read()
                result = mutate(data, rng, args.per_file, stats)
                if result is None:
                    continue
                baseline, changed, sites = result
                rel = os.path.relpath(path, folder)
                for root, content in ((tree_dir, changed), (base_dir, baseline)):
                    target = os.path.join(root, rel)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(content)
                mutated[rel] = (baseline, sites)
            if not mutated:
                continue
            # A baseline that unnest would already change is not the original
            # its mutants go back to: leave those files out.
            check = subprocess.run(
                [args.unnest, "--unsafe-fixes", "--color", "never", "--format", "json", "."],
                cwd=base_dir, capture_output=True, text=True,
            )
            try:
                findings = json.loads(check.stdout or "[]")
            except json.JSONDecodeError:
                findings = []
            with_fixes = {os.path.normpath(f["filename"]) for f in findings if f.get("fix")}
            for rel in list(mutated):
                if any(w.endswith(os.path.normpath(rel)) for w in with_fixes):
                    stats["already had fixes"] += 1
                    del mutated[rel]
                    os.remove(os.path.join(tree_dir, rel))
            run = subprocess.run(
                [args.unnest, "--write", "--unsafe-fixes", "--color", "never", "--quiet", "."],
                cwd=tree_dir, capture_output=True, text=True,
            )
            errors = [line for line in run.stderr.splitlines() if ": " in line and "skipped" not in line]
            group_sites = 0
            for rel, (baseline, sites) in sorted(mutated.items()):
                group_sites += len(sites)
                fixed = open(os.path.join(tree_dir, rel), "rb").read()
                try:
                    same = dump(fixed) == dump(baseline)
                except SyntaxError as e:
                    same = False
                    fixed_note = f"does not compile: {e}"
                else:
                    fixed_note = ""
                if not same:
                    base_lines = baseline.decode("utf-8", "replace").splitlines()
                    fixed_lines = fixed.decode("utf-8", "replace").splitlines()
                    first = next(
                        (i for i, (a, b) in enumerate(zip(base_lines, fixed_lines)) if a != b),
                        min(len(base_lines), len(fixed_lines)),
                    )
                    why = [l for l in errors if rel in l]
                    failures.append(
                        f"{group}/{rel}: sites {sites}: {fixed_note or 'AST differs'}\n"
                        f"  line {first + 1}: expected {base_lines[first] if first < len(base_lines) else '<end>'!r}\n"
                        f"  line {first + 1}: got      {fixed_lines[first] if first < len(fixed_lines) else '<end>'!r}"
                        + ("".join(f"\n  unnest: {w}" for w in why))
                    )
            per_group.append(f"{group}: {len(mutated)} files, {group_sites} sites")
            total_files += len(mutated)
            total_sites += group_sites
    finally:
        if args.keep:
            print(f"kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("; ".join(per_group))
    skipped = ", ".join(f"{v} {k}" for k, v in stats.items() if v)
    print(
        f"mutation round trip: {total_sites} sites in {total_files} files, "
        f"{len(failures)} files not restored ({skipped or 'nothing'} skipped) "
        f"in {time.time() - started:.1f}s"
    )
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures or total_sites == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
