# Written by `unnest record` into a temporary folder that it puts in front of
# PYTHONPATH, so Python imports it at startup as `sitecustomize`. It records
# every event-loop run started while a loop already runs on the same thread
# (the stack, as a traceback would show it) and changes nothing else: the
# original function is always called, with the same arguments, and its result
# or error is what the caller gets. The user's own `sitecustomize`, if any, is
# run after it. Python 3.8 to 3.14.
import os
import sys


def _unnest_start():
    out_dir = os.environ.get("UNNEST_RECORD_DIR")
    if not out_dir:
        return
    root = os.environ.get("UNNEST_RECORD_ROOT") or ""
    # The wrappers below are on the stack of a run inside a wrapped run; a
    # traceback would not show them.
    hook_file = os.path.abspath(__file__)
    state = {"fd": None}

    def write(line):
        # One O_APPEND write per record: whole lines, even with several
        # threads or processes writing.
        if state["fd"] is None:
            name = "%d-%d.jsonl" % (os.getpid(), id(state))
            state["fd"] = os.open(
                os.path.join(out_dir, name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644
            )
        os.write(state["fd"], (line + "\n").encode("utf-8", "replace"))

    def relative(path):
        if root and path.startswith(root + os.sep):
            return path[len(root) + 1 :]
        return path

    def record(call, error, skip):
        try:
            import json
            import threading
            import traceback

            stack = traceback.extract_stack(sys._getframe(skip))
            frames = [
                {
                    "file": relative(frame.filename),
                    "line": frame.lineno,
                    "function": frame.name,
                    "source": (frame.line or "").strip(),
                }
                for frame in stack
                if frame.filename != hook_file
            ]
            write(
                json.dumps(
                    {
                        "kind": "nested_run",
                        "call": call,
                        "error": error,
                        "pid": os.getpid(),
                        "thread": threading.current_thread().name,
                        "frames": frames,
                    }
                )
            )
        except Exception:
            pass

    def patch(asyncio):
        import functools

        from asyncio import base_events, events, runners

        running = events._get_running_loop

        def wrap(owner, attribute, call, when, error):
            original = getattr(owner, attribute, None)
            if original is None or getattr(original, "__unnest_recorded__", False):
                return None

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                try:
                    nested = when(args, kwargs)
                except Exception:
                    nested = False
                if nested:
                    # The caller's frame: skip this wrapper and `record`.
                    record(call, error(args), 2)
                return original(*args, **kwargs)

            wrapper.__unnest_recorded__ = True
            setattr(owner, attribute, wrapper)
            return wrapper

        def under_a_loop(args, kwargs):
            return running() is not None

        def on_the_callers_loop(args, kwargs):
            loop = args[1] if len(args) > 1 else kwargs.get("loop")
            return loop is not None and running() is loop

        def message(text):
            return lambda args: text

        def loop_error(args):
            # What asyncio raises: the same loop, or another on the thread.
            if args and running() is args[0]:
                return "This event loop is already running"
            return "Cannot run the event loop while another loop is running"

        run = wrap(
            runners,
            "run",
            "asyncio.run",
            under_a_loop,
            message("asyncio.run() cannot be called from a running event loop"),
        )
        if run is not None and getattr(asyncio, "run", None) is not None:
            asyncio.run = run
        if hasattr(runners, "Runner"):
            wrap(
                runners.Runner,
                "run",
                "asyncio.Runner.run",
                under_a_loop,
                message("Runner.run() cannot be called from a running event loop"),
            )
        loop_class = base_events.BaseEventLoop
        wrap(loop_class, "run_until_complete", "run_until_complete", under_a_loop, loop_error)
        wrap(loop_class, "run_forever", "run_forever", under_a_loop, loop_error)
        # Not an error but a deadlock: the thread would wait for itself.
        threadsafe = wrap(
            asyncio.tasks,
            "run_coroutine_threadsafe",
            "run_coroutine_threadsafe",
            on_the_callers_loop,
            message(None),
        )
        if threadsafe is not None:
            asyncio.run_coroutine_threadsafe = threadsafe

    class Finder:
        """Patches asyncio once it is imported, so a program that never
        imports it pays nothing more."""

        def find_spec(self, name, path=None, target=None):
            if name != "asyncio":
                return None
            sys.meta_path.remove(self)
            import importlib.util

            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            execute = spec.loader.exec_module

            def exec_module(module):
                execute(module)
                try:
                    patch(module)
                except Exception:
                    pass

            spec.loader.exec_module = exec_module
            return spec

    # Every process that loads the hook says so, so that a run in which none
    # did (`python -I`, `-E`, `-S`) is not taken for one without nested runs.
    try:
        write('{"kind": "process", "pid": %d}' % os.getpid())
    except Exception:
        return
    if "asyncio" in sys.modules:
        try:
            patch(sys.modules["asyncio"])
        except Exception:
            pass
    else:
        sys.meta_path.insert(0, Finder())


def _unnest_chain():
    """Run the `sitecustomize` this one stands in front of, if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    import importlib.machinery
    import importlib.util

    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_unnest_start()
_unnest_chain()
