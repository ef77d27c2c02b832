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
