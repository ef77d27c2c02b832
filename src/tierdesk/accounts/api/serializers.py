from typing import Any

from rest_framework import serializers

from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership


class BusinessUnitSerializer(serializers.ModelSerializer[BusinessUnit]):
    class Meta:
        model = BusinessUnit
        fields = ["id", "code", "name"]


class MembershipSerializer(serializers.ModelSerializer[TeamMembership]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user", "username", "role"]


class SupportTeamSerializer(serializers.ModelSerializer[SupportTeam]):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = SupportTeam
        fields = ["id", "name", "kind", "business_unit", "lead", "email", "memberships"]


class TokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(help_text="Shown once; send it as `Authorization: Token …`")
    token_key = serializers.CharField(help_text="Its first characters, to name it when revoking")
    expiry = serializers.DateTimeField()
