"""Back-office pieces that several apps' admins share."""

from django.contrib import messages
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
