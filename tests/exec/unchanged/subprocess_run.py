import asyncio
import subprocess
import sys
from subprocess import run


async def child(code):
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return proc.stdout.strip()


async def child_from_import():
    proc = run([sys.executable, "-c", "print('imported run')"], capture_output=True, text=True)
    return proc.returncode, proc.stdout.strip()


async def main():
    print(await child("print('hello from child')"))
    print(await child_from_import())


asyncio.run(main())
