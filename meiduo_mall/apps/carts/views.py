from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .exceptions import CartError
from .serializers import CartLineSerializer, CartRemovalSerializer, CartSelectionSerializer, CartSKUSerializer
from .services import add_to_cart, cart_lines, cart_store


class CartAPIView(APIView):
    """Guests and members use the same cart URLs (API.md K1–K5)."""

    def perform_authentication(self, request):
        # Deferred to services.cart_user(): a bad token makes a guest here, never a 401.
        pass

    @staticmethod
    def validated(serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def refused(exc):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]})


class CartView(CartAPIView):
    def get(self, request):
        store = cart_store(request)
        response = Response(CartSKUSerializer(cart_lines(store), many=True).data)
        store.save(response)
        return response

    def post(self, request):
        store = cart_store(request)
        data = self.validated(CartLineSerializer, request)
        try:
            add_to_cart(store, data["sku"], data["count"], data["selected"])
        except CartError as exc:
            raise self.refused(exc) from None
        response = Response(
            {"sku_id": data["sku_id"], "count": data["count"], "selected": data["selected"]},
            status=status.HTTP_201_CREATED,
        )
        store.save(response)
        return response

    def put(self, request):
        store = cart_store(request)
        data = self.validated(CartLineSerializer, request)
        try:
            store.set(data["sku_id"], data["count"], data["selected"])
        except CartError as exc:
            raise self.refused(exc) from None
        response = Response({"sku_id": data["sku_id"], "count": data["count"], "selected": data["selected"]})
        store.save(response)
        return response

    def delete(self, request):
        store = cart_store(request)
        store.remove(self.validated(CartRemovalSerializer, request)["sku_id"])
        response = Response(status=status.HTTP_204_NO_CONTENT)
        store.save(response)
        return response


class CartSelectionView(CartAPIView):
    def put(self, request):
        store = cart_store(request)
        store.select_all(self.validated(CartSelectionSerializer, request)["selected"])
        response = Response({"message": "OK"})
        store.save(response)
        return response
