import re

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

PASSWORD = "a-Long-pass-4-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"creator{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # Verified by default: allauth refuses unverified logins when verification is mandatory.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def bearer(user) -> dict:
    """Test-client headers authenticating as `user` with a fresh personal API token."""
    from accounts import services

    return {"HTTP_AUTHORIZATION": f"Bearer {services.api_token_create(user=user, name='test').raw}"}


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Signs in through the login form in a browser (Playwright's page) and waits for the landing page."""
    page.goto("/auth/")
    page.fill("#login-form input[name=login]", email)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form [type=submit]")
    page.wait_for_url(re.compile(r"/(dashboard|admin)/$"))
