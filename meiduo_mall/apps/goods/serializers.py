from rest_framework import serializers

from .models import SKU

# The five fields every SKU list of the pages reads (list, hot, history, search).
SKU_LIST_FIELDS = ("id", "name", "price", "default_image_url", "comments")


class SKUSerializer(serializers.ModelSerializer):
    class Meta:
        model = SKU
        fields = SKU_LIST_FIELDS
