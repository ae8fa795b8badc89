from rest_framework_simplejwt.tokens import AccessToken


def issue_jwt(user):
    """The JWT a login, a registration or a QQ binding hands to the pages."""
    token = AccessToken.for_user(user)
    token["username"] = user.username
    return str(token)


def login_payload(user):
    return {"token": issue_jwt(user), "user_id": user.id, "username": user.username}
