"""The township and villages a resident may register in."""
from __future__ import annotations

from marshmallow import Schema, fields

from wxapp.services import regions as region_service
from wxapp.web.blueprint import Blueprint

blp = Blueprint("regions", __name__, url_prefix="/regions", description="Townships and villages")


class VillageSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class TownshipSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    villages = fields.List(fields.Nested(VillageSchema))


@blp.get("")
@blp.response(200, TownshipSchema(many=True))
def regions():
    """Towns and villages of the township, for choosing a village."""
    return region_service.townships()
