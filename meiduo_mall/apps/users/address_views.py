"""Address book (docs/api.md A3–A8). Every address is looked up among the member's own live ones,
so another member's id is a 404 for every verb."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import one_line
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from .address_serializers import AddressSerializer, AddressTitleSerializer
from .address_services import (
    ADDRESS_LIMIT,
    create_address,
    delete_address,
    live_addresses,
    set_default_address,
    update_address,
)

# Area ids are the national codes: 北京市, 北京市, 东城区.
ADDRESS_EXAMPLE = OpenApiExample(
    "东城区",
    request_only=True,
    value={
        "receiver": "张三",
        "province_id": 110000,
        "city_id": 110100,
        "district_id": 110101,
        "place": "东华门街道1号",
        "mobile": "13800138000",
        "title": "家",
    },
)


class MemberAddressView(APIView):
    permission_classes = [IsAuthenticated]
    error_shape = one_line

    def get_address(self, address_id):
        return get_object_or_404(live_addresses(self.request.user), pk=address_id)


class AddressesView(MemberAddressView):
    """A3 list, A4 create."""

    @extend_schema(
        responses=inline_serializer(
            "AddressBook",
            {
                "user_id": serializers.IntegerField(),
                "default_address_id": serializers.IntegerField(allow_null=True),
                "limit": serializers.IntegerField(),
                "addresses": AddressSerializer(many=True),
            },
        )
    )
    def get(self, request):
        addresses = live_addresses(request.user).select_related("province", "city", "district")
        return Response(
            {
                "user_id": request.user.id,
                "default_address_id": request.user.default_address_id,
                "limit": ADDRESS_LIMIT,
                "addresses": AddressSerializer(addresses, many=True).data,
            }
        )

    @extend_schema(
        request=AddressSerializer,
        responses={201: AddressSerializer, 400: SHOP_ERROR},
        examples=[ADDRESS_EXAMPLE],
    )
    def post(self, request):
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = create_address(request.user, **serializer.validated_data)
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressView(MemberAddressView):
    """A5 edit, A6 (soft) delete."""

    @extend_schema(request=AddressSerializer, responses={200: AddressSerializer, 400: SHOP_ERROR})
    def put(self, request, address_id):
        address = self.get_address(address_id)
        serializer = AddressSerializer(address, data=request.data)
        serializer.is_valid(raise_exception=True)
        update_address(address, **serializer.validated_data)
        return Response(AddressSerializer(address).data)

    @extend_schema(responses={204: None})
    def delete(self, request, address_id):
        delete_address(request.user, self.get_address(address_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DefaultAddressView(MemberAddressView):
    """A7 `PUT /addresses/<id>/status/`"""

    @extend_schema(request=None, responses=MESSAGE)
    def put(self, request, address_id):
        set_default_address(request.user, self.get_address(address_id))
        return Response({"message": "OK"})


class AddressTitleView(MemberAddressView):
    """A8 `PUT /addresses/<id>/title/`"""

    @extend_schema(request=AddressTitleSerializer, responses={200: AddressTitleSerializer, 400: SHOP_ERROR})
    def put(self, request, address_id):
        address = self.get_address(address_id)
        serializer = AddressTitleSerializer(address, data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response({"title": address.title})
