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


class SearchUnavailable(ShopError):
    """The search engine could not answer: a 503, never "no hits", or the shopper would believe the shop
    has no such goods. `reason` says why, for the log."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "搜索服务暂不可用，请稍后再试"

    def __init__(self, reason):
        super().__init__(reason=reason)
