"""The SQL that carries the queue's logic, one file each: `queue_call_next.sql` (the database
function calling next, installed by migration 0009) and `ticket_issue.sql` (the kiosk's
ticket, one statement run by queueing.services). tests/test_queue_sql.py holds the database
and the code to these files."""

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent


def sql_read(name: str, *, comments: bool = True) -> str:
    """The text of the file `name` in this folder; without its comment lines for a statement
    sent on every request (they are for the reader, not the database)."""
    text = (SQL_DIR / name).read_text(encoding="utf-8")
    if comments:
        return text
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("--"))
