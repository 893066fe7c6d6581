"""Compile fixed texts with CPython; see COMPILE in mod.rs."""
import ast, json, sys

def masked(source):
    if source.lstrip().startswith("%%"):
        return ""
    lines = []
    for line in source.splitlines(True):
        body = line.lstrip()
        if body.startswith(("%", "!")) or body.rstrip().endswith("?") and not body.startswith("#"):
            end = line[len(line.rstrip("\r\n")):]
            line = line[: len(line) - len(body)] + "pass" + end
        lines.append(line)
    return "".join(lines)

def check(label, data):
    if label.endswith(".ipynb"):
        notebook = json.loads(data.decode("utf-8-sig"))
        for i, cell in enumerate(notebook.get("cells", [])):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(source)
            try:
                compile(masked(source), f"{label} (cell {i + 1})", "exec",
                        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
            except SyntaxError as e:
                raise SyntaxError(f"cell {i + 1}: {e}\n{source}") from None
    else:
        compile(data, label, "exec", dont_inherit=True)

failures = []
compiled = 0
items = json.load(sys.stdin)
for label, text, original in items:
    if original is not None:
        try:
            check(label, bytes.fromhex(original))
        except (SyntaxError, ValueError):
            continue
    data = bytes.fromhex(text)
    try:
        check(label, data)
        compiled += 1
    except (SyntaxError, ValueError) as e:
        failures.append(f"{label}: {type(e).__name__}: {e}\n{data.decode('utf-8', 'replace')}")
print(json.dumps({"compiled": compiled, "failures": failures}))
