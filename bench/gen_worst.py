#!/usr/bin/env python3
"""Generate the worst-case trees for unnest's speed benchmarks, deterministically.

The standard-library benchmark is kind to unnest: the prefilter leaves few files
to parse. These trees are not: every file mentions asyncio and has sync helpers
that run a loop, called from async functions, so every file is parsed, analysed
and (with --write) fixed.

  giant DIR --blocks N [--module NAME] [--param NAME] [--base]
      One module, DIR/NAME.py (default big.py), of N blocks. A block is a sync
      helper that runs a loop with asyncio.run and calls the previous block's
      helper (one chain through the whole module), a class whose method calls
      loop.run_until_complete, and an async def that calls both. About 33 lines
      a block: 250 blocks is about 8k lines, 1,000 about 30k, 2,000 about 60k.
      `--module x --param x` names the module after an identifier the file uses
      (the helpers' parameter), which the name-level triage treats as a
      reference to the module's own names. `--base` derives every class from
      one base class that defines the same method (each method overrides it).

  chain DIR --modules N [--style from|attr]
      A package DIR/pkg of N modules. Module i imports module i-1 and its sync
      helper calls module i-1's helper (one chain of N links); module 0's helper
      runs the loop. Every module also has a local helper that runs a loop, and
      an async def that calls both helpers, so every module has findings and
      module i's chain has i links. --style from: `from pkg.mod_0001 import
      helper_0001`; --style attr: `from pkg import mod_0001` and
      `mod_0001.helper_0001(n)`.

  all DIR [--quick]
      The benchmark set: DIR/giant-{250,1000,2000}, DIR/giant-x-{250,1000},
      DIR/chain-{200,800,2000} (--quick leaves out the 2,000s).

The output depends only on the arguments. Usage: python3 bench/gen_worst.py -h
"""

import argparse
import os
import shutil
import sys


def giant_block(i, param, base):
    p = param
    parent = "(RunnerBase)" if base else ""
    prev = f"    total += helper_{i - 1}({p})\n" if i > 0 else ""
    return f'''

async def fetch_{i}({p}):
    await asyncio.sleep(0)
    return {p} + {i}


def helper_{i}({p}):
    """Sync helper {i}: runs a loop, then follows the chain."""
    total = asyncio.run(fetch_{i}({p}))
{prev}    if total < 0:
        raise ValueError("negative total")
    return total


class Runner{i}{parent}:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.calls = 0

    def go(self, {p}):
        self.calls += 1
        return self.loop.run_until_complete(fetch_{i}({p}))


async def handler_{i}({p}):
    first = helper_{i}({p})
    second = Runner{i}().go({p})
    await asyncio.sleep(0)
    if first != second:
        return first - second
    return first + second
'''


BASE = '''

class RunnerBase:
    def go(self, n):
        return asyncio.new_event_loop().run_until_complete(asyncio.sleep(0))
'''


def giant(out_dir, blocks, module="big", param="n", base=False):
    """Write OUT_DIR/MODULE.py with BLOCKS blocks; return its path."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{module}.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'"""Generated: {blocks} blocks of nested event loops."""\n\nimport asyncio\n')
        if base:
            f.write(BASE)
        for i in range(blocks):
            f.write(giant_block(i, param, base))
    return path


def chain_module(i, style):
    prev = f"{i - 1:04d}"
    me = f"{i:04d}"
    if i == 0:
        imports = "import asyncio\n"
        link = "    total = asyncio.run(fetch(n))\n"
    elif style == "from":
        imports = f"import asyncio\n\nfrom pkg.mod_{prev} import helper_{prev}\n"
        link = f"    total = helper_{prev}(n) + 1\n"
    else:
        imports = f"import asyncio\n\nfrom pkg import mod_{prev}\n"
        link = f"    total = mod_{prev}.helper_{prev}(n) + 1\n"
    return f'''"""Generated: link {i} of a chain of modules."""

{imports}

async def fetch(n):
    await asyncio.sleep(0)
    return n + {i}


def local_{me}(n):
    return asyncio.run(fetch(n))


def helper_{me}(n):
    """Link {i}: calls the previous module's helper."""
{link}    return total


async def handler_{me}(n):
    first = helper_{me}(n)
    second = local_{me}(n)
    await asyncio.sleep(0)
    return first + second
'''


def chain(out_dir, modules, style="from"):
    """Write the package OUT_DIR/pkg of MODULES chained modules."""
    pkg = os.path.join(out_dir, "pkg")
    os.makedirs(pkg, exist_ok=True)
    with open(os.path.join(pkg, "__init__.py"), "w", encoding="utf-8") as f:
        f.write(f'"""Generated: a chain of {modules} modules."""\n')
    for i in range(modules):
        with open(os.path.join(pkg, f"mod_{i:04d}.py"), "w", encoding="utf-8") as f:
            f.write(chain_module(i, style))
    return pkg


# The benchmark set: (folder name, generator, arguments).
SET = [
    ("giant-250", giant, dict(blocks=250)),
    ("giant-1000", giant, dict(blocks=1000)),
    ("giant-2000", giant, dict(blocks=2000)),
    ("giant-x-250", giant, dict(blocks=250, module="x", param="x")),
    ("giant-x-1000", giant, dict(blocks=1000, module="x", param="x")),
    ("chain-200", chain, dict(modules=200)),
    ("chain-800", chain, dict(modules=800)),
    ("chain-2000", chain, dict(modules=2000)),
]


def fresh(path):
    # Regenerating into a used folder must not leave files of a larger run.
    if os.path.exists(path):
        shutil.rmtree(path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("giant", help="one module of N blocks")
    g.add_argument("dir")
    g.add_argument("--blocks", type=int, required=True)
    g.add_argument("--module", default="big", help="module name (default big)")
    g.add_argument("--param", default="n", help="the helpers' parameter (default n)")
    g.add_argument("--base", action="store_true", help="the classes share a base class")
    c = sub.add_parser("chain", help="a package of N chained modules")
    c.add_argument("dir")
    c.add_argument("--modules", type=int, required=True)
    c.add_argument("--style", choices=["from", "attr"], default="from")
    a = sub.add_parser("all", help="the benchmark set")
    a.add_argument("dir")
    a.add_argument("--quick", action="store_true", help="leave out the 2,000s")
    args = parser.parse_args(argv)
    for name in ("blocks", "modules"):
        if getattr(args, name, 1) < 1:
            parser.error(f"--{name} must be at least 1")

    if args.cmd == "giant":
        fresh(args.dir)
        giant(args.dir, args.blocks, args.module, args.param, args.base)
    elif args.cmd == "chain":
        fresh(args.dir)
        chain(args.dir, args.modules, args.style)
    else:
        for name, gen, kwargs in SET:
            if args.quick and name.endswith("-2000"):
                continue
            target = os.path.join(args.dir, name)
            fresh(target)
            gen(target, **kwargs)
            print(target)


if __name__ == "__main__":
    main(sys.argv[1:])
