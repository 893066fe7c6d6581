import asyncio
import contextvars

request_id = contextvars.ContextVar("request_id", default="none")


async def read_id():
    await asyncio.sleep(0)
    return request_id.get()


async def set_id(value):
    request_id.set(value)
    return value


async def main():
    request_id.set("req-1")
    seen = asyncio.run(read_id())
    print("callee saw", seen)
    # Once fixed this runs in the caller's context, so the write is visible below.
    asyncio.run(set_id("req-2"))
    print("caller sees", request_id.get())
    print("task saw", await asyncio.create_task(read_id()))


asyncio.run(main())
