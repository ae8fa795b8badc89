from meiduo_mall.utils.exceptions import ShopError


class RegistrationRefused(ShopError):
    """A registration the account rules refuse (services.register); `errors` names the fields at fault."""
