"""Back office for the home page ads; beat regenerates index.html every 5 minutes."""

from django.contrib import admin, messages
from unfold.admin import ModelAdmin, TabularInline

from meiduo_mall.utils.admin import ImageStorageErrorsAsMessages
from meiduo_mall.utils.tasks import enqueue

from .models import Content, ContentCategory


class ContentInline(TabularInline):
    model = Content
    extra = 0
    fields = ("title", "url", "image", "text", "sequence", "status")


@admin.register(ContentCategory)
class ContentCategoryAdmin(ModelAdmin):
    list_display = ("id", "name", "key")
    search_fields = ("name", "key")
    inlines = [ContentInline]


@admin.action(description="立即重新生成首页")
def generate_index_html(modeladmin, request, queryset):
    enqueue("generate_index_html")
    modeladmin.message_user(request, "已提交首页生成任务", messages.SUCCESS)


@admin.register(Content)
class ContentAdmin(ImageStorageErrorsAsMessages, ModelAdmin):
    actions = [generate_index_html]
    list_display = ("id", "title", "category", "sequence", "status")
    list_select_related = ("category",)
    list_filter = ("category", "status")
    list_editable = ("sequence", "status")
    search_fields = ("title",)
