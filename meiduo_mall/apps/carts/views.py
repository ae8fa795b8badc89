from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import non_field_errors
from meiduo_mall.utils.ready_json import JSONOnly
from meiduo_mall.utils.schema import MESSAGE

from .serializers import CartLineSerializer, CartRemovalSerializer, CartSelectionSerializer, CartSKUSerializer
from .services import add_to_cart, cart_lines, cart_store, change_line
from .stores import CartLine

MESSAGE_OK = {"message": "OK"}


class CartAPIView(APIView):
    """Guests and members use the same cart URLs (docs/api.md K1–K5)."""

    # JSON in, JSON out, whatever the headers say: DRF's negotiation was a tenth of an add to the cart.
    content_negotiation_class = JSONOnly
    # The cart and detail pages show `non_field_errors[0]` only, so every message goes there.
    error_shape = non_field_errors

    def perform_authentication(self, request):
        # Deferred to services.cart_user(): a bad token makes a guest here, never a 401.
        pass

    @staticmethod
    def validated(serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def answer(store, data=None, status_code=status.HTTP_200_OK):
        response = Response(data, status=status_code)
        store.save(response)
        return response


def line_answer(line):
    return {"sku_id": line.sku_id, "count": line.count, "selected": line.selected}


class CartView(CartAPIView):
    @extend_schema(responses=CartSKUSerializer(many=True))
    def get(self, request):
        store = cart_store(request)
        return self.answer(store, cart_lines(store))

    @extend_schema(request=CartLineSerializer, responses={201: CartLineSerializer})
    def post(self, request):
        store, line = cart_store(request), CartLine(**self.validated(CartLineSerializer, request))
        add_to_cart(store, line)
        return self.answer(store, line_answer(line), status.HTTP_201_CREATED)

    @extend_schema(request=CartLineSerializer, responses=CartLineSerializer)
    def put(self, request):
        store, line = cart_store(request), CartLine(**self.validated(CartLineSerializer, request))
        change_line(store, line)
        return self.answer(store, line_answer(line))

    @extend_schema(request=CartRemovalSerializer, responses={204: OpenApiResponse(description="已删除")})
    def delete(self, request):
        store = cart_store(request)
        store.remove(self.validated(CartRemovalSerializer, request)["sku_id"])
        return self.answer(store, status_code=status.HTTP_204_NO_CONTENT)


class CartSelectionView(CartAPIView):
    @extend_schema(request=CartSelectionSerializer, responses={200: MESSAGE})
    def put(self, request):
        store = cart_store(request)
        store.select_all(self.validated(CartSelectionSerializer, request)["selected"])
        return self.answer(store, MESSAGE_OK)
