from rest_framework import status

from meiduo_mall.utils.exceptions import ServiceUnavailable, ShopError


class CategoryNotFound(ShopError):
    """No goods category has that id."""

    status_code = status.HTTP_404_NOT_FOUND
    message = "商品类别不存在"


class PageOutOfRange(ShopError):
    """The requested list page lies beyond the last one."""

    status_code = status.HTTP_404_NOT_FOUND
    message = "无效页面"


class SearchUnavailable(ServiceUnavailable):
    """The search engine could not answer: never "no hits", or the shopper would believe the shop has no
    such goods."""

    message = "搜索服务暂不可用，请稍后再试"
