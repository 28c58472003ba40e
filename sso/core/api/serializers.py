from rest_framework import serializers

from sso.core.models import Office, Province, User
from sso.core.roles import ROLES_BY_CODE


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name_th", "name_en"]


class OfficeSerializer(serializers.ModelSerializer):
    province = ProvinceSerializer(read_only=True)

    class Meta:
        model = Office
        fields = ["code", "kind", "name_th", "name_en", "province", "address", "phone", "opened_on", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    office = OfficeSerializer(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "office", "roles"]

    def get_roles(self, user) -> list[str]:
        return [code for code in user.role_codes if code in ROLES_BY_CODE]


class TokenSerializer(serializers.Serializer):
    """An API token and when it stops working (`Authorization: Token <token>`)."""

    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
