"""Run a notebook's code cells in order, as a Jupyter kernel would: in one
running event loop, with top-level `await` allowed. IPython syntax is skipped:
`%%cell` magic cells, and `%line`, `!shell` and `?help` lines. A cell that
raises stops the run with a non-zero exit, like "Run all" in Jupyter.

Usage: python3 run_notebook.py NOTEBOOK.ipynb
"""

import ast
import asyncio
import json
import sys


def python_lines(source):
    lines = source.splitlines(keepends=True)
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    kept = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("%", "!", "?")) or (stripped.endswith("?") and not stripped.startswith("#")):
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + "pass\n")
        else:
            kept.append(line)
    return "".join(kept)


async def run(path):
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    namespace = {"__name__": "__main__"}
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        code = compile(
            python_lines(source),
            f"<cell {number}>",
            "exec",
            flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        )
        result = eval(code, namespace)
        if asyncio.iscoroutine(result):
            await result


asyncio.run(run(sys.argv[1]))
