"""factory_boy factories for test data; they flush, and tests commit when they need to."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from counsel.auth.passwords import hash_password
from counsel.models import Client, User

PASSWORD = "a long test password 42"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = "counselor"
    active = True
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))


class CounselorFactory(UserFactory):
    role = "counselor"


class AdminFactory(UserFactory):
    role = "admin"


class ClientFactory(Base):
    class Meta:
        model = Client

    user = factory.SubFactory(UserFactory, role="client")
    counselor = factory.SubFactory(CounselorFactory)


def bind(session) -> None:
    """Point every factory at the test's session."""
    pending = [Base]
    while pending:
        factory_class = pending.pop()
        factory_class._meta.sqlalchemy_session = session
        pending.extend(factory_class.__subclasses__())
