from rest_framework import status

from meiduo_mall.utils.exceptions import ShopError


class CategoryNotFound(ShopError):
    """No goods category has that id."""

    status_code = status.HTTP_404_NOT_FOUND
    message = "商品类别不存在"


class PageOutOfRange(ShopError):
    """The requested list page lies beyond the last one."""

    status_code = status.HTTP_404_NOT_FOUND
    message = "无效页面"
