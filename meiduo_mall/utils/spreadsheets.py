"""The back office's spreadsheets: the two formats it offers (CSV that Excel opens as UTF-8, and XLSX), cells
written as an operator in Beijing reads them, and the admin mixin that sends a large export to a worker
(meiduo_mall/utils/export_jobs.py).

django-import-export passes `force_native_type` to the widgets when it writes XLSX: then cells are real
numbers and dates (naive local time: Excel has no time zones); for CSV they are the texts below.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export import resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from meiduo_mall.utils import export_jobs

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ExcelCSV(CSV):
    """UTF-8 with a byte order mark: without it Excel reads the file in the system's code page (GBK on a
    Chinese Windows) and garbles every Chinese letter. Reading accepts UTF-8 with or without the mark."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode("utf-8-sig")
        return super().create_dataset(in_stream.removeprefix("\ufeff"), **kwargs)


SPREADSHEET_FORMATS = [ExcelCSV, XLSX]


class LocalDateTimeWidget(widgets.DateTimeWidget):
    """Beijing time to the second, as the back office shows it, not UTC with microseconds."""

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)

    def render(self, value, obj=None, **kwargs):
        # Whole seconds in XLSX cells too.
        return super().render(value.replace(microsecond=0) if value else value, obj, **kwargs)


class MoneyWidget(widgets.DecimalWidget):
    """Yuan with two decimals, "12.50", with no thousands separators; a number cell in XLSX."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value).quantize(Decimal("0.01"))
        return value if kwargs.get("force_native_type") else f"{value:f}"


class YesNoWidget(widgets.BooleanWidget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("是" if value else "否")


class SpreadsheetResource(resources.ModelResource):
    """A resource that knows who exports (what a row may show depends on the operator's rights) and reports
    its progress to a running export job every PROGRESS_EVERY rows."""

    PROGRESS_EVERY = 200

    def __init__(self, operator=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.operator = operator
        self.progress = progress
        self.rows_done = 0

    def export_resource(self, instance, selected_fields=None, **kwargs):
        row = super().export_resource(instance, selected_fields, **kwargs)
        self.rows_done += 1
        if self.progress and self.rows_done % self.PROGRESS_EVERY == 0:
            self.progress(self.rows_done)
        return row


class SpreadsheetAdminMixin:
    """CSV and XLSX only; an export of more than EXPORT_SYNC_ROW_LIMIT rows becomes a job for a worker, whose
    file its operator fetches from 导出任务 (or the link mailed to them)."""

    formats = SPREADSHEET_FORMATS
    import_form_class = ImportForm
    export_form_class = ExportForm

    def get_import_data_kwargs(self, **kwargs):
        # A row that fails validation undoes the rows before it: an import is applied whole or not at all.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        """The confirmed import failed after its preview passed (a row's SKU deleted in between): the
        transaction was rolled back, so say that instead of counting rows as imported."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            f"第 {row.number} 行：{'；'.join(message for messages in row.error_dict.values() for message in messages)}"
            for row in result.invalid_rows
        ] + [f"第 {number} 行：{errors[0].error}" for number, errors in result.row_errors()]
        if result.base_errors:
            problems.append(str(result.base_errors[0].error))
        messages.error(request, f"导入失败，未做任何修改。{'  '.join(problems[:10])}")
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "operator": request.user}

    def get_valid_export_item_pks(self, request):
        # Rows ticked for the 导出 action must be rows this operator's list holds (import-export's default is
        # every row of the table, and warns that it is deprecated).
        return self.get_queryset(request).values_list("pk", flat=True)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if queryset.count() <= settings.EXPORT_SYNC_ROW_LIMIT:
            return super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # The rows ticked on the list and exported with the 导出 action, rather than all the filtered ones.
        chosen = export_form is not None and "export_items" in export_form.changed_data
        job = export_jobs.start_export_job(
            self,
            request,
            format_index=self.get_export_formats().index(type(file_format)),
            item_pks=export_form.cleaned_data["export_items"] if chosen else None,
        )
        messages.info(request, f"数据较多，已转为后台导出（{job.total} 行），完成后可在“导出任务”下载，并会邮件通知。")
        return HttpResponseRedirect(reverse("export_jobs"))
