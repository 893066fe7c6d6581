from directory import find_person


async def greet(pid):
    return f"hello {find_person(pid)}"
