"""Run inside the demo's `manage.py shell` (Demo.manage): shoppers and stock set up directly in the demo's
SQLite database, as a back-office operator would, so that the tests drive only the race through the API."""

import json
import zlib

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderGoods
from meiduo_mall.apps.users.address_services import create_address
from meiduo_mall.apps.users.management.commands.prepare_demo import DEMO_ADDRESS
from meiduo_mall.apps.users.models import User

BUYER_PASSWORD = "buyer12345"


def launched_sku(position, stock):
    """The `position`-th launched SKU (by id) with its stock set to `stock`; prints its id."""
    sku = SKU.objects.filter(is_launched=True).order_by("id")[position]
    SKU.objects.filter(pk=sku.pk).update(stock=stock)
    print(json.dumps({"sku_id": sku.pk}))


def buyers(prefix, count):
    """`count` members, each with a default address; prints [{username, address_id}]."""
    made = []
    for number in range(count):
        username = f"{prefix}{number}"
        # Mobiles are unique: one derived from the username lets several calls share the database.
        mobile = f"137{zlib.crc32(username.encode()) % 10**8:08d}"
        user = User.objects.create_user(username=username, password=BUYER_PASSWORD, mobile=mobile)
        address = create_address(user, **{**DEMO_ADDRESS, "mobile": user.mobile})
        made.append({"username": user.username, "address_id": address.pk})
    print(json.dumps(made))


def sold(sku_id):
    """The SKU's stock and the units of it in orders; prints both."""
    sku = SKU.objects.get(pk=sku_id)
    units = sum(OrderGoods.objects.filter(sku_id=sku_id).values_list("count", flat=True))
    print(json.dumps({"stock": sku.stock, "ordered": units}))
