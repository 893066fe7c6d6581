import directory


async def audit(pids):
    return [directory.find_person(pid, default="-") for pid in pids]
