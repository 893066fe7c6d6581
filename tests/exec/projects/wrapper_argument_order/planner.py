from geo.routes import reverse_route, round_trip

LOG = []
_STOPS = iter(["Paris", "Berlin", "Madrid"])


def next_stop(tag):
    stop = next(_STOPS)
    LOG.append(f"{tag}={stop}")
    return stop


async def plan():
    back = reverse_route(next_stop("origin"), next_stop("destination"))
    loop_trip = round_trip(next_stop("home"))
    return back, loop_trip
