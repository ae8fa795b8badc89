from meiduo_mall.utils.exceptions import NotFoundError, ServiceUnavailable


class CategoryNotFound(NotFoundError):
    message = "商品类别不存在"


class PageOutOfRange(NotFoundError):
    """The requested list page lies beyond the last one."""

    message = "无效页面"


class SearchUnavailable(ServiceUnavailable):
    """The search engine could not answer: never "no hits", or the shopper would believe the shop has no
    such goods."""

    message = "搜索服务暂不可用，请稍后再试"
