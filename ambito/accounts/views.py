from django.contrib.auth import views as auth_views

from ambito.accounts.forms import LoginForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
# POST only (Django refuses GET logouts); redirects to LOGOUT_REDIRECT_URL.
logout = auth_views.LogoutView.as_view()
