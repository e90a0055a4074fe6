"""Any service by its table: the endpoint table itself, the generic clients, and a service
declared at run time — all against the embedded sandbox, with no service-specific code.

Run: ``python examples/python/generic_demo.py`` with logibridge installed (``make python-dev``).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import logibridge
from logibridge import sandbox

# A "gateway" in front of the shop, declared as data: the sandbox's Carreta emulator seen
# through two rows of our own (the shape `logibridge.endpoints()` gives).
GATEWAY: Dict[str, Any] = {
    "prefix": "gateway",
    "name": "Gateway",
    "auth": {"kind": "query_param", "param": "api_key", "credential": "api_key"},
    "credentials": [{"name": "api_key"}],
    "error_message_keys": ["error", "detail"],
    "endpoints": [
        {
            "id": "gateway.parts.find",
            "summary": "Offers for a part code.",
            "method": "GET",
            "path": "search/",
            "params": [{"name": "code", "wire": "q", "in": "query", "type": "string", "required": True}],
            "response": {"envelope": "objects", "list": True},
        },
        {
            "id": "gateway.orders.one",
            "summary": "One order.",
            "method": "GET",
            "path": "order/{id}/",
            "params": [{"name": "id", "in": "path", "type": "integer", "required": True}],
            "names": {"python": "orders.get"},
        },
    ],
}


def show_table() -> None:
    for service in logibridge.endpoints():
        print(f"{service['name']} ({service['prefix']}), {service['default_base_url'] or 'no default URL'}")
        for row in service["endpoints"]:
            params = ", ".join(p["name"] + ("" if p["required"] else "?") for p in row["params"])
            print(f"  client.{row['names']['python']}({params})  {row['method']} {row['path'] or '(library-side)'}")


async def main() -> None:
    with sandbox.start() as sb:
        # Every call of a built-in service by its id, or by its Python name.
        with logibridge.Client("carreta", api_key=sb.carreta.api_key, base_url=sb.carreta.base_url, max_retries=1) as shop:
            offers = shop.search.query(q="oc47")
            print(f"carreta.search.query: {len(offers)} offers, the first at {offers[0]['price']} ₽")
            print("carreta.order.check_qty:", shop.call("carreta.order.check_qty", {"qty": "<10", "min_qty": 1, "order_qty": 9}))
            try:
                shop.call("carreta.search.query", {"q": "oc47", "page": 2})
            except logibridge.InvalidArgumentError as e:
                print(f"not sent: {e.field} [{e.code}]")

        logibridge.register_service(GATEWAY)
        show_table()

        async with logibridge.AsyncClient("gateway", api_key=sb.carreta.api_key, base_url=sb.carreta.base_url) as gw:
            found = await gw.parts.find(code="oc47")
            print(f"gateway.parts.find: {len(found)} offers")
            try:
                await gw.orders.get(id=10**9)
            except logibridge.NotFoundError as e:
                print(f"gateway.orders.one: {e.status} {e.message}")


if __name__ == "__main__":
    asyncio.run(main())
