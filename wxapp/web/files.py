"""Serving a stored personal document: never cached, never guessed as another type."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response


def file_response(document, content: bytes) -> Response:
    response = Response(content, mimetype=document.content_type)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        document.content_type, "bin")
    filename = f"document-{document.id}.{extension}"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def download(content: bytes, mimetype: str, filename: str,
             ascii_filename: str | None = None) -> Response:
    """An attachment. A Chinese ``filename`` goes in RFC 5987's ``filename*`` (every current
    browser reads it); ``ascii_filename`` is the plain ``filename`` older clients fall back
    to, since a raw non-ASCII header value is read differently by each of them."""
    response = Response(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    disposition = f'attachment; filename="{ascii_filename or filename}"'
    if not filename.isascii():
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response.headers["Content-Disposition"] = disposition
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_download(fmt: str, columns: list[str], rows: list[dict], name: str, title: str,
                   chart=None, summaries=()):
    """A report as JSON, CSV (Excel-friendly) or XLSX, as the staff asked. The XLSX also holds
    the summary sheets, each with its chart; JSON and CSV are the main table alone."""
    from flask import jsonify

    from wxapp.formats.spreadsheets import Sheet, as_csv, as_xlsx

    if fmt == "csv":
        return download(as_csv(columns, rows), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        sheets = [Sheet(title, columns, rows, chart), *summaries]
        return download(as_xlsx(sheets), XLSX, f"{name}.xlsx")
    return jsonify(rows)
