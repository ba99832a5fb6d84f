"""factory_boy factories for test data; they flush, and tests commit when they need to."""

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from counsel.auth.passwords import hash_password
from counsel.models import (
    Agreement,
    Assignment,
    Case,
    CaseMember,
    CheckIn,
    CheckInSchedule,
    Client,
    CounselingSession,
    Exercise,
    ExercisePrompt,
    SessionAttendee,
    User,
    utcnow,
)

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


class ExerciseFactory(Base):
    """A counselor's own exercise by default; pass owner=None for a library one."""

    class Meta:
        model = Exercise

    owner = factory.SubFactory(CounselorFactory)
    slug = None
    stage = "reflection"
    kind = "reflection"
    title = factory.Sequence(lambda n: f"Exercise {n}")
    purpose = "To think something through."
    instructions = "Take your time.\n\nWrite as much or as little as you like."
    estimated_minutes = 20
    prompts = factory.LazyFunction(lambda: [ExercisePrompt(position=0, text="What happened?"),
                                            ExercisePrompt(position=1, text="What now?")])


class AssignmentFactory(Base):
    class Meta:
        model = Assignment

    client = factory.SubFactory(ClientFactory)
    counselor = factory.SelfAttribute("client.counselor")
    exercise = factory.SubFactory(ExerciseFactory, owner=factory.SelfAttribute("..counselor"))
    title = factory.SelfAttribute("exercise.title")
    stage = factory.SelfAttribute("exercise.stage")
    kind = factory.SelfAttribute("exercise.kind")
    purpose = factory.SelfAttribute("exercise.purpose")
    instructions = factory.SelfAttribute("exercise.instructions")
    prompts = factory.LazyAttribute(lambda o: [p.text for p in o.exercise.prompts])
    due_date = None
    note = None
    _status = "assigned"


class CaseFactory(Base):
    """An individual case for one new client; pass ``partners=[a, b]`` for a couple."""

    class Meta:
        model = Case

    class Params:
        partners = None

    counselor = factory.SubFactory(CounselorFactory)
    name = factory.Sequence(lambda n: f"Case {n}")
    kind = factory.LazyAttribute(lambda o: "couple" if o.partners and len(o.partners) == 2
                                 else "individual")
    members = factory.LazyAttribute(lambda o: [
        CaseMember(client=c, position=i + 1)
        for i, c in enumerate(o.partners or [ClientFactory(counselor=o.counselor)])])


class CounselingSessionFactory(Base):
    """A joint session of a couple's case an hour ago, attended by both; not signed."""

    class Meta:
        model = CounselingSession

    case = factory.SubFactory(CaseFactory)
    counselor = factory.SelfAttribute("case.counselor")
    starts_at = factory.LazyFunction(lambda: utcnow() - timedelta(hours=1))
    duration_minutes = 50
    format = "in_person"
    type = factory.LazyAttribute(lambda o: "joint" if o.case.is_couple else "individual")
    attendees = factory.LazyAttribute(
        lambda o: [SessionAttendee(client=c) for c in o.case.partners])


class AgreementFactory(Base):
    class Meta:
        model = Agreement

    session = factory.SubFactory(CounselingSessionFactory)
    case_id = factory.SelfAttribute("session.case_id")
    text = factory.Sequence(lambda n: f"Agreement {n}: we will talk on Sundays.")
    binds = None


class CheckInScheduleFactory(Base):
    """Weekly check-ins on the default scales, from a week ago."""

    class Meta:
        model = CheckInSchedule

    client = factory.SubFactory(ClientFactory)
    updated_by = factory.LazyAttribute(lambda o: o.client.counselor)
    starts_on = factory.LazyFunction(lambda: utcnow().date() - timedelta(days=7))


class CheckInFactory(Base):
    class Meta:
        model = CheckIn

    client = factory.SubFactory(ClientFactory)
    taken_on = factory.LazyFunction(lambda: utcnow().date())
    ratings = factory.LazyFunction(lambda: {"trust": 5, "communication": 6, "hope": 7})
