from django.contrib.auth import views as auth_views
from django.urls import path

from tierdesk.accounts import entra, pickers, views

urlpatterns = [
    path("login/", views.SignInView.as_view(redirect_authenticated_user=True), name="login"),
    # Ends the session, then the Entra session when the person signed in through it.
    path("logout/", entra.EntraSignOutView.as_view(), name="logout"),
    # Sign-in with Entra ID (accounts/entra.py); 404 while it is not configured. The
    # callback is the redirect URI registered in Entra.
    path("oidc/start/", entra.EntraSignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", entra.EntraCallbackView.as_view(), name="oidc_authentication_callback"),
    path("oidc/signed-out/", entra.SignedOutView.as_view(), name="oidc-signed-out"),
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
