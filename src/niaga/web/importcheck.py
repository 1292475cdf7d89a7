"""Every problem of a rejected import row, not only the first.

The importer stops at a row's first problem (that is enough to reject it). The owner fixing the file wants
to see all of them at once, so for the rows the importer rejected, this reads the same file again and
checks each cell on its own with the importer's own cell readers (required value present, money and counts
numeric and not negative, yes/no flags, phone, e-mail, date). The importer's verdict stays the authority:
only rejected rows are looked at, and its reason is always listed first.
"""

from __future__ import annotations

from typing import Any

from niaga.catalog import importer
from niaga.customers import service as customers
from niaga.kit.money import ParseError, parse_date
from niaga.kit.tabular import read_table

MONEY = {"price", "sale_price", "price_per_kg", "amount"}
COUNTS = {"stock", "weight_g"}
FLAGS = {"is_active"}


def cell_problems(kind: str, row: dict[str, Any], columns: list[tuple[str, str, bool]]) -> list[str]:
    """The importer-style reasons ("missing name", "non-numeric price") for every bad cell of one row."""
    out: list[str] = []
    for _header, fld, required in columns:
        try:
            if fld in MONEY:
                importer._money(row, fld, required=required)
            elif fld in COUNTS:
                importer._count(row, fld)
            elif fld in FLAGS:
                importer._flag(row, fld)
            elif fld == "transaction_date":
                parse_date(row.get(fld))
            elif fld == "phone":
                customers.normalize_phone(row.get(fld))
            elif fld == "email":
                email = importer._text(row, fld).lower()
                if email and not importer._EMAIL.match(email):
                    raise importer.RowError("invalid email")
            elif (
                required
                and not importer._text(row, fld)
                and not (kind == "customers" and fld == "customer_ref" and importer._text(row, "phone"))
            ):
                raise importer.RowError(f"missing {fld}")
        except (importer.RowError, ParseError) as exc:
            out.append(str(exc))
        except ValueError:
            out.append(f"invalid {fld}")
    return out


def all_row_problems(
    kind: str,
    data: bytes,
    filename: str | None,
    errors: list[dict[str, Any]],
    columns: list[tuple[str, str, bool]],
) -> list[dict[str, Any]]:
    """`errors` (the importer's, one per rejected row) with the row's other problems added after it."""
    if kind == "knowledge" or not errors:
        return errors
    try:
        table = importer._canonical(read_table(data, filename), kind)
    except Exception:  # the importer read it; if reading again fails, its own report stands
        return errors
    rows = dict(table.rows)
    out: list[dict[str, Any]] = []
    for e in errors:
        out.append(e)
        row = rows.get(int(e.get("row") or 0))
        if row is None:
            continue
        for reason in cell_problems(kind, row, columns):
            if reason != e.get("reason") and all(
                reason != x.get("reason") for x in out if x["row"] == e["row"]
            ):
                out.append({"row": e["row"], "reason": reason})
    return out
