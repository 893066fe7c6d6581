"""Writes the hand-written traceback samples of tests/fixtures/tracebacks/.

They imitate formats that the machine generating the real samples cannot
produce (CPython 3.8, 3.10, 3.12, 3.13, 3.14, IPython 7 and 8.0-8.5, Windows
paths, CRLF, a prefix whose timestamps change on every line); each file name
says which version or source it imitates. Line numbers inside the standard
library are plausible, not exact.
"""

import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tracebacks"

MAG, BMAG, RED, BRED, RESET = "\x1b[35m", "\x1b[1;35m", "\x1b[31m", "\x1b[1;31m", "\x1b[0m"


def write(name, text, newline="\n"):
    data = text.lstrip("\n").replace("\n", newline)
    (OUT / name).write_bytes(data.encode("utf-8"))


# CPython 3.8: no position markers; a <stdin> and an exec'd <string> frame.
write("cpython38_stdin_string_no_markers.txt", """
$ python3.8 - < job.py
Traceback (most recent call last):
  File "<stdin>", line 14, in <module>
  File "/usr/lib/python3.8/asyncio/runners.py", line 44, in run
    return loop.run_until_complete(main)
  File "/usr/lib/python3.8/asyncio/base_events.py", line 616, in run_until_complete
    return future.result()
  File "<stdin>", line 11, in main
  File "<string>", line 1, in <module>
  File "/usr/lib/python3.8/asyncio/runners.py", line 33, in run
    raise RuntimeError(
RuntimeError: asyncio.run() cannot be called from a running event loop
""")

# CPython 3.10 on Windows, CRLF line endings, a framework in a virtualenv
# that calls a project function on its loop; non-ASCII in paths and source.
write("cpython310_windows_crlf_venv.txt", r"""
Traceback (most recent call last):
  File "C:\Users\Zoë\proj\app\main.py", line 21, in <module>
    asyncio.run(serve())
  File "C:\Python310\lib\asyncio\runners.py", line 44, in run
    return loop.run_until_complete(main)
  File "C:\Python310\lib\asyncio\base_events.py", line 649, in run_until_complete
    return future.result()
  File "C:\Users\Zoë\proj\.venv\lib\site-packages\graphrun\executor.py", line 338, in _run_node
    result = node.fn(**inputs)
  File "C:\Users\Zoë\proj\app\nodes.py", line 9, in résumé
    return asyncio.get_event_loop().run_until_complete(summarise(text))
  File "C:\Python310\lib\asyncio\base_events.py", line 622, in run_until_complete
    self._check_running()
  File "C:\Python310\lib\asyncio\base_events.py", line 582, in _check_running
    raise RuntimeError('This event loop is already running')
RuntimeError: This event loop is already running
""", newline="\r\n")

# CPython 3.12: markers under the call; relative paths (run from a folder
# that no longer exists); a chained ValueError raised while handling it.
write("cpython312_relative_paths_context.txt", """
Traceback (most recent call last):
  File "src/shop/pricing.py", line 40, in price_sync
    return asyncio.run(fetch_price(sku))
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/opt/python/3.12/lib/python3.12/asyncio/runners.py", line 190, in run
    raise RuntimeError(
RuntimeError: asyncio.run() cannot be called from a running event loop

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "src/shop/server.py", line 88, in <module>
    asyncio.run(app.serve())
  File "/opt/python/3.12/lib/python3.12/asyncio/runners.py", line 194, in run
    return runner.run(main)
           ^^^^^^^^^^^^^^^^
  File "/opt/python/3.12/lib/python3.12/asyncio/runners.py", line 118, in run
    return self._loop.run_until_complete(task)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/opt/python/3.12/lib/python3.12/asyncio/base_events.py", line 687, in run_until_complete
    return future.result()
           ^^^^^^^^^^^^^^^
  File "src/shop/server.py", line 51, in handle
    total = cart.total()
            ^^^^^^^^^^^^
  File "src/shop/cart.py", line 17, in total
    return sum(pricing.price_sync(i.sku) for i in self.items)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "src/shop/cart.py", line 17, in <genexpr>
    return sum(pricing.price_sync(i.sku) for i in self.items)
               ^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "src/shop/pricing.py", line 42, in price_sync
    raise ValueError(f"no price for {sku}")
ValueError: no price for sku-7
""")

# CPython 3.13 with colour (PYTHON_COLORS=1): magenta file/line/name, the
# call in red with its markers, a multi-line expression quoted in full.
write("cpython313_color_multiline.txt", f"""
Traceback (most recent call last):
  File {MAG}"/home/dev/bot/run.py"{RESET}, line {MAG}30{RESET}, in {MAG}<module>{RESET}
    asyncio.run(main())
  File {MAG}"/usr/lib/python3.13/asyncio/runners.py"{RESET}, line {MAG}195{RESET}, in {MAG}run{RESET}
    return {RED}runner.run{RESET}{BRED}(main){RESET}
           {RED}~~~~~~~~~~{RESET}{BRED}^^^^^^{RESET}
  File {MAG}"/usr/lib/python3.13/asyncio/runners.py"{RESET}, line {MAG}118{RESET}, in {MAG}run{RESET}
    return {RED}self._loop.run_until_complete{RESET}{BRED}(task){RESET}
           {RED}~~~~~~~~~~~~~~~~~~~~~~~~~~~~~{RESET}{BRED}^^^^^^{RESET}
  File {MAG}"/usr/lib/python3.13/asyncio/base_events.py"{RESET}, line {MAG}719{RESET}, in {MAG}run_until_complete{RESET}
    return {RED}future.result{RESET}{BRED}(){RESET}
           {RED}~~~~~~~~~~~~~{RESET}{BRED}^^{RESET}
  File {MAG}"/home/dev/bot/run.py"{RESET}, line {MAG}26{RESET}, in {MAG}main{RESET}
    await dispatch(event)
  File {MAG}"/home/dev/bot/handlers.py"{RESET}, line {MAG}12{RESET}, in {MAG}dispatch{RESET}
    reply = {RED}asyncio.run{RESET}{BRED}({RESET}
            {RED}~~~~~~~~~~~{RESET}{BRED}^{RESET}
        {BRED}answer(event.text){RESET}
        {BRED}^^^^^^^^^^^^^^^^^^{RESET}
    {BRED}){RESET}
    {BRED}^{RESET}
  File {MAG}"/usr/lib/python3.13/asyncio/runners.py"{RESET}, line {MAG}191{RESET}, in {MAG}run{RESET}
    raise RuntimeError(
        "asyncio.run() cannot be called from a running event loop")
{BMAG}RuntimeError{RESET}: {MAG}asyncio.run() cannot be called from a running event loop{RESET}
""")

# CPython 3.14 with colour: Runner.run used directly; the coroutine warning
# that follows the traceback.
write("cpython314_color_runner.txt", f"""
Traceback (most recent call last):
  File {MAG}"/srv/worker/main.py"{RESET}, line {MAG}12{RESET}, in {MAG}<module>{RESET}
    asyncio.run(consume())
  File {MAG}"/usr/local/lib/python3.14/asyncio/runners.py"{RESET}, line {MAG}204{RESET}, in {MAG}run{RESET}
    return {RED}runner.run{RESET}{BRED}(main){RESET}
           {RED}~~~~~~~~~~{RESET}{BRED}^^^^^^{RESET}
  File {MAG}"/usr/local/lib/python3.14/asyncio/runners.py"{RESET}, line {MAG}127{RESET}, in {MAG}run{RESET}
    return {RED}self._loop.run_until_complete{RESET}{BRED}(task){RESET}
           {RED}~~~~~~~~~~~~~~~~~~~~~~~~~~~~~{RESET}{BRED}^^^^^^{RESET}
  File {MAG}"/usr/local/lib/python3.14/asyncio/base_events.py"{RESET}, line {MAG}719{RESET}, in {MAG}run_until_complete{RESET}
    return {RED}future.result{RESET}{BRED}(){RESET}
           {RED}~~~~~~~~~~~~~{RESET}{BRED}^^{RESET}
  File {MAG}"/srv/worker/main.py"{RESET}, line {MAG}9{RESET}, in {MAG}consume{RESET}
    handle(msg)
    {RED}~~~~~~{RESET}{BRED}^^^^^{RESET}
  File {MAG}"/srv/worker/sync_api.py"{RESET}, line {MAG}5{RESET}, in {MAG}handle{RESET}
    return {RED}runner.run{RESET}{BRED}(process(msg)){RESET}
           {RED}~~~~~~~~~~{RESET}{BRED}^^^^^^^^^^^^^^^{RESET}
  File {MAG}"/usr/local/lib/python3.14/asyncio/runners.py"{RESET}, line {MAG}98{RESET}, in {MAG}run{RESET}
    raise RuntimeError(
        "Runner.run() cannot be called from a running event loop")
{BMAG}RuntimeError{RESET}: {MAG}Runner.run() cannot be called from a running event loop{RESET}
/srv/worker/main.py:14: RuntimeWarning: coroutine 'process' was never awaited
""")

# IPython 7 (classic Jupyter notebook): `<ipython-input-N-hash> in f`, line
# numbers only on the arrows.
write("ipython7_input_in_module.txt", """
---------------------------------------------------------------------------
RuntimeError                              Traceback (most recent call last)
<ipython-input-7-3f9a1c2b8d4e> in <module>
      1 data = [1, 2, 3]
----> 2 result = load_all(data)

~/proj/etl/loader.py in load_all(items)
     10 def load_all(items):
     11     \"\"\"Sync entry point.\"\"\"
---> 12     return asyncio.run(gather_all(items))
     13 

/usr/lib/python3.8/asyncio/runners.py in run(main, debug)
     31     \"\"\"
     32     if events._get_running_loop() is not None:
---> 33         raise RuntimeError(
     34             "asyncio.run() cannot be called from a running event loop")
     35 

RuntimeError: asyncio.run() cannot be called from a running event loop
""")

# IPython 8.0-8.5: `Input In [N], in <cell line: L>()` and `File path:L, in f()`.
write("ipython8_input_in_cell_line.txt", """
---------------------------------------------------------------------------
RuntimeError                              Traceback (most recent call last)
Input In [4], in <cell line: 3>()
      1 import nest
      2 client = nest.Client()
----> 3 client.fetch_all()

File /opt/conda/lib/python3.10/site-packages/nest/client.py:57, in Client.fetch_all(self)
     55 def fetch_all(self):
     56     loop = asyncio.get_event_loop()
---> 57     return loop.run_until_complete(self._fetch_all())

File /opt/conda/lib/python3.10/asyncio/base_events.py:622, in BaseEventLoop.run_until_complete(self, future)
    613 \"\"\"Run until the Future is done.
    614 
    615 If the argument is a coroutine, it is wrapped in a Task.
   (...)
    619 Return the Future's result, or raise its exception.
    620 \"\"\"
    621 self._check_closed()
--> 622 self._check_running()
    624 new_task = not futures.isfuture(future)

File /opt/conda/lib/python3.10/asyncio/base_events.py:582, in BaseEventLoop._check_running(self)
    580 def _check_running(self):
    581     if self.is_running():
--> 582         raise RuntimeError('This event loop is already running')

RuntimeError: This event loop is already running
""")

# A log shipper's prefix with a timestamp that changes on every line, and
# another service's lines interleaved (docker compose).
write("log_compose_prefix_interleaved.txt", """
db-1   | 2026-11-30 12:00:00.998 UTC [1] LOG:  checkpoint starting
web-1  | 2026-11-30T12:00:01.123Z ERROR [app.views] request failed
web-1  | 2026-11-30T12:00:01.123Z ERROR [app.views] Traceback (most recent call last):
web-1  | 2026-11-30T12:00:01.124Z ERROR [app.views]   File "/app/views.py", line 31, in order
web-1  | 2026-11-30T12:00:01.124Z ERROR [app.views]     total = quote_sync(cart)
web-1  | 2026-11-30T12:00:01.124Z ERROR [app.views]             ^^^^^^^^^^^^^^^^
db-1   | 2026-11-30 12:00:01.125 UTC [1] LOG:  checkpoint complete
web-1  | 2026-11-30T12:00:01.125Z ERROR [app.views]   File "/app/quotes.py", line 8, in quote_sync
web-1  | 2026-11-30T12:00:01.125Z ERROR [app.views]     return asyncio.run(quote(cart))
web-1  | 2026-11-30T12:00:01.125Z ERROR [app.views]            ^^^^^^^^^^^^^^^^^^^^^^^
web-1  | 2026-11-30T12:00:01.126Z ERROR [app.views]   File "/usr/local/lib/python3.11/asyncio/runners.py", line 186, in run
web-1  | 2026-11-30T12:00:01.126Z ERROR [app.views]     raise RuntimeError(
web-1  | 2026-11-30T12:00:01.126Z ERROR [app.views] RuntimeError: asyncio.run() cannot be called from a running event loop
web-1  | 2026-11-30T12:00:01.127Z INFO [uvicorn.access] 172.18.0.1:51234 - "POST /order HTTP/1.1" 500
""")

# Two unrelated tracebacks in one log: a KeyError first, then the loop error.
write("cpython311_log_two_tracebacks.txt", """
INFO:app:starting
ERROR:app:bad config
Traceback (most recent call last):
  File "/srv/app/config.py", line 4, in load
    return env["APP_PORT"]
           ~~~^^^^^^^^^^^^
KeyError: 'APP_PORT'
INFO:app:using default port
ERROR:app:callback failed
Exception in callback Ticker.tick()
handle: <TimerHandle when=12.5 Ticker.tick()>
Traceback (most recent call last):
  File "/usr/lib/python3.11/asyncio/events.py", line 80, in _run
    self._context.run(self._callback, *self._args)
  File "/srv/app/ticker.py", line 19, in tick
    self.loop.run_until_complete(self.refresh())
  File "/usr/lib/python3.11/asyncio/base_events.py", line 629, in run_until_complete
    self._check_running()
  File "/usr/lib/python3.11/asyncio/base_events.py", line 588, in _check_running
    raise RuntimeError('This event loop is already running')
RuntimeError: This event loop is already running
""")

# Cut off by a log rotation in the middle of the frames.
write("cpython311_truncated.txt", """
Traceback (most recent call last):
  File "/srv/app/main.py", line 12, in <module>
    asyncio.run(main())
  File "/usr/lib/python3.11/asyncio/runners.py", line 190, in run
    return runner.run(main)
           ^^^^^^^^^^^^^^^^
  File "/srv/app/main.py", line 10, in ma
""")
