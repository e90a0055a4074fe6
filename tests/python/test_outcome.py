"""A lost answer is not a plain failure: the error says the outcome is unknown, and
``order.create_once`` resolves it by the order's client_comment without sending twice."""

from __future__ import annotations

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import CreatedOrder, CreateOutcome, NewOrder, Order

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


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_after_the_order_was_made_says_the_outcome_is_unknown(fresh_sb: sandbox.Sandbox, status: int) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = _offer(shop)
        comment = unique_comment("GW")
        fresh_sb.add_fault("carreta.order.create", status=status, after_apply=True, method="POST")
        with pytest.raises(logibridge.ServerError) as info:
            shop.order.create(offer, order_qty=1, client_comment=comment)
        assert (info.value.status, info.value.outcome_unknown) == (status, True)
        assert [o.client_comment for o in shop.order.list(client_comment=comment)] == [comment]
        # A read answered the same way is known: nothing was changed.
        fresh_sb.add_fault("carreta.search.query", status=status)
        with pytest.raises(logibridge.ServerError) as read:
            shop.search.query("OC47")
        assert read.value.outcome_unknown is False


# -- orders.create_once: the typed twin of orders.create ------------------------------


def _posts(sb: sandbox.Sandbox) -> int:
    """Order creations the sandbox received (creates and lookups share ``order/``)."""
    return sum(1 for r in sb.requests() if r["method"] == "POST" and r["path"].endswith("/order/"))


def test_create_once_takes_create_s_arguments_and_answers_a_model(fresh_sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = _offer(shop)
        comment = unique_comment("ONCE")
        done = shop.orders.create_once(offer, order_qty=2, client_comment=comment)
    assert isinstance(done, CreatedOrder)
    assert done.outcome is CreateOutcome.CREATED and done.outcome.value == "created"
    assert isinstance(done.order, Order)
    assert (done.order.client_comment, done.order.order_qty, done.order.code) == (comment, 2, offer.code)
    assert done.to_dict(mode="json")["outcome"] == "created"
    assert _posts(fresh_sb) == 1


def test_create_once_recovers_a_lost_answer_without_sending_again(fresh_sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = _offer(shop)
        comment = unique_comment("ONCE")
        fresh_sb.add_fault("carreta.order.create", after_apply=True, drop_answer=True, method="POST")
        done = shop.orders.create_once(NewOrder.from_offer(offer, 1, client_comment=comment))
        found = list(shop.orders.list(client_comment=comment))
    assert done.outcome is CreateOutcome.RECOVERED
    assert isinstance(done.order, Order) and done.order.client_comment == comment
    assert [o.id for o in found] == [done.order.id]
    assert _posts(fresh_sb) == 1


def test_create_once_without_a_comment_is_refused_before_sending(fresh_sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = _offer(shop)
        fresh_sb.clear_requests()
        with pytest.raises(logibridge.ValidationError) as info:
            shop.orders.create_once(offer, order_qty=1)
    assert (info.value.field, info.value.code) == ("order.client_comment", "param.required")
    assert "комментари" in info.value.message_ru
    assert fresh_sb.requests() == []


async def test_async_create_once_created_and_recovered(fresh_sb: sandbox.Sandbox) -> None:
    async with logibridge.AsyncCarreta(SECRET_KEY, base_url=fresh_sb.carreta.base_url, max_retries=0) as shop:
        offer = next(o for o in await shop.search.query("OC47") if o.min_qty == 1 and o.qty.isdigit() and int(o.qty) >= 5)
        first, second = unique_comment("AONCE"), unique_comment("AONCE")
        created = await shop.orders.create_once(offer, order_qty=1, client_comment=first)
        fresh_sb.add_fault("carreta.order.create", after_apply=True, drop_answer=True, method="POST")
        recovered = await shop.orders.create_once(offer, order_qty=1, client_comment=second)
        found = [o.id async for o in shop.orders.list(client_comment=second)]
    assert isinstance(created, CreatedOrder) and created.outcome is CreateOutcome.CREATED
    assert created.order.client_comment == first
    assert isinstance(recovered, CreatedOrder) and recovered.outcome is CreateOutcome.RECOVERED
    assert recovered.order.client_comment == second and found == [recovered.order.id]
    assert _posts(fresh_sb) == 2


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
