from etl.parse import parse_numbers


def build_report(name):
    numbers = parse_numbers(name)
    total = sum(numbers)
    return f"{name}: {numbers} total={total}"
