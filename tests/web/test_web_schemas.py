"""openapi.json declares a response schema for every JSON route: a named model, not a free
object (the convention is in soulmark/web/schemas.py)."""

from __future__ import annotations

from typing import Any


def _named(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return _named(schema.get("items", {}))
    return "$ref" in schema


def test_every_json_route_declares_a_named_response_model(web):
    spec = web.client.get("/openapi.json").json()
    json_routes, untyped = 0, []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                body = answer.get("content", {}).get("application/json")
                if not status.startswith("2") or body is None:
                    continue
                json_routes += 1
                if not _named(body.get("schema", {})):
                    untyped.append(f"{method.upper()} {path} {status}")
    assert json_routes >= 20 and untyped == []


def test_the_declared_models_describe_what_is_sent(web):
    """The models are referenced and complete: each named schema has its properties."""
    spec = web.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("WristOut", "WorldOut", "JoinedOut", "AuditOut", "DashboardOut", "TranscriptOut"):
        assert schemas[name]["properties"], name
    world = web.world(["A", "B"], seal=False)
    body = web.client.get(f"/api/worlds/{world.slug}").json()
    assert set(schemas["WorldOut"]["required"]) <= set(body)


def test_i10_response_models_carry_every_field_of_their_service_result():
    """A field added to a service's result appears in openapi.json without a second edit."""
    import dataclasses

    from soulmark.services.joins import Joined
    from soulmark.services.sealing import Sealed
    from soulmark.services.shares import Share
    from soulmark.services.worlds import WorldCreated, WorldInfo
    from soulmark.services.wrist_view import SharedView, WristView
    from soulmark.web import schemas

    pairs = [
        (schemas.WorldOut, WorldInfo),
        (schemas.JoinedOut, Joined),
        (schemas.OpenedOut, WorldCreated),
        (schemas.WristOut, WristView),
        (schemas.SharedViewOut, SharedView),
        (schemas.ShareOut, Share),
        (schemas.ShareCreatedOut, Share),
        (schemas.SealedOut, Sealed),
    ]
    for model, result in pairs:
        assert {f.name for f in dataclasses.fields(result)} <= set(model.model_fields), model
