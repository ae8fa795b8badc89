import pytest

from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.models import User


@pytest.fixture
def back_office(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "password123", mobile="13700000000"))
    return client


def test_back_office_finds_a_payment_by_trade_number_and_cannot_edit_it(back_office, order):
    payment = Payment.objects.create(order=order, trade_id="2026112322001400000000000001")
    Payment.objects.create(order=order, trade_id="2026112322001400000000000999")

    found = back_office.get("/admin/payment/payment/", {"q": "0000000001"})

    assert found.status_code == 200
    assert "2026112322001400000000000001" in found.content.decode()
    assert "2026112322001400000000000999" not in found.content.decode()
    assert back_office.get("/admin/payment/payment/add/").status_code == 403
    assert back_office.post(f"/admin/payment/payment/{payment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Payment.objects.count() == 2


def test_payments_cannot_be_deleted_even_by_a_superuser(back_office, order):
    payment = Payment.objects.create(order=order, trade_id="2026112322001400000000000001")

    listing = back_office.get("/admin/payment/payment/").content.decode()
    back_office.post("/admin/payment/payment/", {"action": "delete_selected", "_selected_action": [payment.pk]})

    assert back_office.get(f"/admin/payment/payment/{payment.pk}/delete/").status_code == 403
    assert back_office.post(f"/admin/payment/payment/{payment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in listing
    assert Payment.objects.filter(pk=payment.pk).exists()
