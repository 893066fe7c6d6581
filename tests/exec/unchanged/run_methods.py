import asyncio


class TrioLike:
    def run(self, fn, *args):
        coro = fn(*args)
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value


class App:
    def __init__(self):
        self.started = False

    def run(self, debug=False):
        self.started = True
        return "app running"


class Worker:
    def run(self):
        return "worker run"

    async def start(self):
        await asyncio.sleep(0)
        return self.run()


async def instant(x):
    return x * 2


async def main():
    trio = TrioLike()
    app = App()
    print(trio.run(instant, 4))
    print(app.run(debug=False), app.started)
    print(await Worker().start())


asyncio.run(main())
