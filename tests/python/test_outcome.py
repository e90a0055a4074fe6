"""A lost answer is not a plain failure: the error says the outcome is unknown, and
``order.create_once`` resolves it by the order's client_comment without sending twice."""

from __future__ import annotations

import pytest

import logibridge
from logibridge import sandbox

from conftest import SECRET_KEY, unique_comment


def _offer(shop: logibridge.Carreta) -> logibridge.carreta.Offer:
    return next(o for o in shop.search.query("OC47") if o.min_qty == 1 and o.qty.isdigit() and int(o.qty) >= 5)


def test_a_dropped_answer_says_the_outcome_is_unknown(fresh_sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = _offer(shop)
        comment = unique_comment("OU")
        fresh_sb.add_fault("carreta.order.create", drop_answer=True, method="POST")
        with pytest.raises(logibridge.TransportError) as info:
            shop.order.create(offer, order_qty=1, client_comment=comment)
        assert info.value.outcome_unknown is True
        assert "комментари" in info.value.message_ru
        # It was applied: the order exists, once.
        assert [o.client_comment for o in shop.order.list(client_comment=comment)] == [comment]
        # Exactly-once creation finds it instead of ordering again.
        fresh_sb.add_fault("carreta.order.create", drop_answer=True, method="POST")
        again = unique_comment("OU")
        row = offer.to_dict(mode="json")
        row.update(order_qty=1, client_comment=again)
        result = shop.order.create_once(order=row)
        assert result["outcome"] == "recovered", result
        assert len(list(shop.order.list(client_comment=again))) == 1


def test_a_connect_failure_is_not_unknown() -> None:
    with logibridge.Carreta(SECRET_KEY, base_url="http://127.0.0.1:1/v1/", max_retries=0) as shop:
        with pytest.raises(logibridge.TransportError) as info:
            shop.profile.get()
        assert info.value.outcome_unknown is False


def test_a_401_carries_the_body(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta("wrong-key", base_url=sb.carreta.base_url, max_retries=0) as bad:
        with pytest.raises(logibridge.AuthenticationError) as info:
            bad.profile.get()
    assert info.value.body is not None and "Unauthorized" in info.value.body
    assert info.value.outcome_unknown is False
