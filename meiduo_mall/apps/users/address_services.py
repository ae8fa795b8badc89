"""The address book (docs/api.md A3–A8): at most 20 live addresses, soft delete, one default."""

from django.db import transaction

from .exceptions import AddressLimitReached
from .models import Address, User

ADDRESS_LIMIT = 20


def live_addresses(user):
    return Address.objects.filter(user=user, is_deleted=False)


def create_address(user, **fields):
    """A new address; the first one a member saves becomes the default."""
    with transaction.atomic():
        # Lock the member's row so that two tabs posting at once cannot both slip under the limit.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if live_addresses(user).count() >= ADDRESS_LIMIT:
            raise AddressLimitReached
        address = Address.objects.create(user=user, **fields)
        if locked.default_address_id is None:
            set_default_address(user, address)
    return address


def update_address(address, **fields):
    for name, value in fields.items():
        setattr(address, name, value)
    address.save()
    return address


def delete_address(user, address):
    """Soft delete: orders keep pointing at the row. A deleted default leaves the member without one."""
    with transaction.atomic():
        address.is_deleted = True
        address.save(update_fields=["is_deleted", "update_time"])
        if user.default_address_id == address.id:
            set_default_address(user, None)


def set_default_address(user, address):
    user.default_address = address
    user.save(update_fields=["default_address"])
