"""What the spreadsheet tests share: an operator holding given rights, an export as the back office's export
form posts it, and the rows of a CSV or XLSX answer."""

import csv
import io

import openpyxl
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import UserFactory

CSV, XLSX = "0", "1"  # the indexes of SPREADSHEET_FORMATS in the export form


def operator_with(*perms, **fields):
    """A staff member (not superuser) holding `perms` ("app_label.codename") and a logged-in client."""
    operator = UserFactory(is_staff=True, **fields)
    for perm in perms:
        app_label, codename = perm.split(".")
        operator.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = Client()
    client.force_login(operator)
    return operator, client


def export(client, changelist, file_format, query=""):
    """POST the export form of `changelist` ("/admin/orders/orderinfo/") with the list's filters in `query`."""
    url = f"{changelist}export/" + (f"?{query}" if query else "")
    return client.post(url, {"format": file_format, "resource": "0"})


def csv_rows(content):
    """The rows of a CSV export, checked to start with the UTF-8 byte order mark Excel needs."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_dicts(rows):
    headers, *body = rows
    return [dict(zip(headers, row, strict=True)) for row in body]
