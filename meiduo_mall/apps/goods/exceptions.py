from meiduo_mall.utils.exceptions import NotFoundError, ServiceUnavailable, ShopError


class CategoryNotFound(NotFoundError):
    message = "商品类别不存在"


class PageOutOfRange(NotFoundError):
    """The requested list page lies beyond the last one."""

    message = "无效页面"


class SearchUnavailable(ServiceUnavailable):
    """The search engine could not answer: never "no hits", or the shopper would believe the shop has no
    such goods."""

    message = "搜索服务暂不可用，请稍后再试"


class InvalidListFilter(ShopError):
    """A brand or price filter of the list that is not a brand id or a price (or a range upside down)."""

    message = "筛选条件有误"
