from django.db import models


class BaseModel(models.Model):
    """Creation and update times, shared by every model but User and Area."""

    create_time = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    update_time = models.DateTimeField(auto_now=True, verbose_name="更新时间")

    class Meta:
        abstract = True
