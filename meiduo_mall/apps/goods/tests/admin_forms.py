"""The POST body of the back office's SKU change form, as the browser sends it."""


def sku_change_form(sku, *, images=(), **fields):
    """The SKU as it stands, with `fields` changed and `images` (file objects) added in the inline."""
    form = {
        "name": sku.name,
        "caption": sku.caption,
        "goods": sku.goods_id,
        "category": sku.category_id,
        "price": "88.00",
        "cost_price": "50.00",
        "market_price": "99.00",
        "stock": 5,
        "sales": 0,
        "comments": 0,
        "is_launched": "on",
        "default_image_url": sku.default_image_url,
        "images-TOTAL_FORMS": len(images),
        "images-INITIAL_FORMS": 0,
        "specs-TOTAL_FORMS": 0,
        "specs-INITIAL_FORMS": 0,
        **fields,
    }
    for n, image in enumerate(images):
        form[f"images-{n}-id"] = ""
        form[f"images-{n}-sku"] = sku.id
        form[f"images-{n}-image"] = image
    return form
