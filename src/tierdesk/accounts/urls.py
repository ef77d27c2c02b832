from django.contrib.auth import views as auth_views
from django.urls import path

from tierdesk.accounts import pickers, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("language/", views.set_language, name="set-language"),
    path("profile/", views.profile, name="profile"),
    path("people/pick/", pickers.PeoplePickView.as_view(), name="people-pick"),
]
