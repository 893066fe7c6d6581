import etl.source as source


def parse_numbers(name):
    raw = source.fetch_raw(name)
    return sorted(int(x) for x in raw.split(","))
