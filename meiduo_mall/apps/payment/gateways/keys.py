"""The RSA key files Alipay signing needs, and the sandbox's own key pairs made on first use.

Real deployments put the app private key and Alipay's public key at the settings paths. With the
built-in sandbox gateway (dev, demo, tests) nobody has those, so the first use makes two pairs:
an "app" pair (we sign requests, the gateway checks them) and a "gateway" pair (the gateway signs
notices and returns, we check them). They land at the same settings paths, so the real SDK code
runs unchanged against the sandbox. Key files someone else put at those paths are never replaced.
"""

import fcntl
import os
from pathlib import Path

from Cryptodome.PublicKey import RSA
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from meiduo_mall.apps.payment.exceptions import AlipayKeyMissing, AlipayKeyUnreadable

KEY_BITS = 2048


def sandbox_app_public_key_path():
    return Path(settings.ALIPAY_APP_PRIVATE_KEY_PATH).with_name("sandbox_app_public_key.pem")


def sandbox_gateway_private_key_path():
    return Path(settings.ALIPAY_PUBLIC_KEY_PATH).with_name("sandbox_gateway_private_key.pem")


def _sandbox_key_paths():
    return (
        Path(settings.ALIPAY_APP_PRIVATE_KEY_PATH),
        sandbox_app_public_key_path(),
        Path(settings.ALIPAY_PUBLIC_KEY_PATH),
        sandbox_gateway_private_key_path(),
    )


def _write_private(path, content):
    """Write atomically (readers never see half a key) and readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, path)


def ensure_sandbox_keys():
    """Create both sandbox key pairs unless all four files already exist."""
    paths = _sandbox_key_paths()
    if all(p.exists() for p in paths):
        return
    app_private_path, app_public_path, gateway_public_path, gateway_private_path = paths
    app_private_path.parent.mkdir(parents=True, exist_ok=True)
    # Several processes (runserver, workers, test runs) may start at once; a half-replaced set
    # would pair one process's private key with another's public key, so one of them makes all four.
    with open(app_private_path.with_name(".sandbox_keys.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(p.exists() for p in paths):
            return
        if app_private_path.exists() or gateway_public_path.exists():
            raise ImproperlyConfigured(
                "Alipay keys are configured but the sandbox gateway's own halves are missing: set PAYMENT_GATEWAY="
                "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway to use them, "
                "or point the ALIPAY_*_KEY_PATH settings elsewhere."
            )
        app_key = RSA.generate(KEY_BITS)
        gateway_key = RSA.generate(KEY_BITS)
        _write_private(app_private_path, app_key.export_key())
        _write_private(app_public_path, app_key.publickey().export_key())
        _write_private(gateway_private_path, gateway_key.export_key())
        _write_private(gateway_public_path, gateway_key.publickey().export_key())


def read_key(path, *, private=False):
    """The PEM text of the RSA key file at `path`, checked the way the SDK will parse it.

    Raises AlipayKeyMissing or AlipayKeyUnreadable (the message names the file and the reason).
    """
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise AlipayKeyMissing(f"{path} does not exist") from None
    except OSError as exc:
        raise AlipayKeyUnreadable(f"{path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise AlipayKeyUnreadable(f"{path} is not a PEM text file") from None
    try:
        key = RSA.import_key(text)
    except (ValueError, IndexError, TypeError):
        raise AlipayKeyUnreadable(f"{path} holds no RSA key in PEM form") from None
    if private and not key.has_private():
        raise AlipayKeyUnreadable(f"{path} holds a public key where the app's private key belongs")
    return text
