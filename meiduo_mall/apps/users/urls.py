from django.urls import path, re_path

from meiduo_mall.utils.mobile import MOBILE

from . import address_views, history, profile_views, views

urlpatterns = [
    re_path(r"^usernames/(?P<username>[\w-]{5,20})/count/$", views.UsernameCountView.as_view()),
    path(f"mobiles/<{MOBILE}:mobile>/count/", views.MobileCountView.as_view()),
    path("users/", views.UserView.as_view()),
    path("authorizations/", views.LoginView.as_view()),
    re_path(r"^accounts/(?P<account>[\w-]{1,20})/sms/token/$", views.SMSTokenView.as_view()),
    path("sms_codes/", views.SMSCodeByTokenView.as_view()),
    re_path(r"^accounts/(?P<account>[\w-]{1,20})/password/token/$", views.PasswordTokenView.as_view()),
    path("users/<int:user_id>/password/", views.UserPasswordView.as_view()),
    path("browse_histories/", history.BrowseHistoryView.as_view()),
    path("user/", profile_views.UserDetailView.as_view()),
    path("email/", profile_views.EmailView.as_view()),
    path("emails/", profile_views.EmailView.as_view()),
    path("emails/verification/", profile_views.VerifyEmailView.as_view()),
    path("password/", profile_views.ChangePasswordView.as_view()),
    path("users/<int:user_id>/resetpassword/", profile_views.ResetPasswordView.as_view()),
    path("addresses/", address_views.AddressesView.as_view()),
    path("addresses/<int:address_id>/", address_views.AddressView.as_view()),
    path("addresses/<int:address_id>/status/", address_views.DefaultAddressView.as_view()),
    path("addresses/<int:address_id>/title/", address_views.AddressTitleView.as_view()),
]
