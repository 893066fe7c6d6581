from .db import _rows as load_rows


def _summary(table):
    rows = load_rows(table)
    return f"{table}: {len(rows)} rows, first={rows[0]}"
