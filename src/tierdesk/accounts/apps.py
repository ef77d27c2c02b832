from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tierdesk.accounts"
    label = "accounts"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ADMIN_ONLY, ANY_USER, STAFF_WIDE

        navigation.register("home", _("Home"), ANY_USER, order=0)
        # The API's documentation is for staff who script (help desk, platform team,
        # managers, admins); requesters and makers never see the link.
        navigation.register("api-docs", _("API"), STAFF_WIDE, order=900)
        navigation.register("admin:index", _("Administration"), ADMIN_ONLY, order=1000)
