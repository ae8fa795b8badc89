"""Back-office pieces that several apps' admins share."""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponseRedirect


class ImageStorageErrorsAsMessages:
    """An admin whose forms upload images: a file server that does not answer becomes a message.

    The admin's change view runs in one transaction, so by the time the storage's OSError reaches
    us nothing of the change was saved; the operator sees why and keeps the form's page.
    """

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except OSError:
            if request.method != "POST":
                raise
            self.message_user(request, "图片服务器暂不可用，本次修改未保存，请稍后重试", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# Long texts (rich descriptions) and files are named as changed, but not written out into the record.
UNRECORDED_VALUE_FIELDS = (models.TextField, models.FileField, models.ForeignObject, models.ManyToManyField)
RECORDED_VALUE_LENGTH = 50


def shown_value(value):
    """A field's value as the audit list writes it."""
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    return text if len(text) <= RECORDED_VALUE_LENGTH else f"{text[:RECORDED_VALUE_LENGTH]}…"


class RecordedChanges:
    """An admin whose change records say old → new for each simple field changed (价格（100.00 → 88.00）).

    The values go into the field names of Django's own change message, so the per-object history and the
    audit list show them without reading the message in a format of ours. The old value is the form's
    initial one: by the time the message is built, the form has already written the new values on the object.
    """

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if add or not form.changed_data:
            return message
        fields = [self.recorded_field(form, name) for name in form.changed_data]
        for entry in message:
            if "changed" in entry and "name" not in entry["changed"]:
                entry["changed"]["fields"] = fields
        return message

    def recorded_field(self, form, name):
        form_field = form.fields.get(name)
        label = str(form_field.label) if form_field is not None and form_field.label else name
        try:
            model_field = form.instance._meta.get_field(name)
        except FieldDoesNotExist:
            return label
        if isinstance(model_field, UNRECORDED_VALUE_FIELDS):
            return label
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        if isinstance(model_field, models.DecimalField):
            # As the field stores it: "88" typed over 100.00 is recorded as 88.00.
            old, new = (None if value is None else f"{value:.{model_field.decimal_places}f}" for value in (old, new))
        return f"{label}（{shown_value(old)} → {shown_value(new)}）"
