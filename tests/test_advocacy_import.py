# SPDX-License-Identifier: AGPL-3.0-or-later
"""Inviting employees as ambassadors: one by one, or from a CSV file with errors reported per row."""

from __future__ import annotations

import io

from app.advocacy.ambassadors import MAX_IMPORT_ROWS, parse_employee_csv
from app.core.errors import Invalid
from app.core.extensions import db
from app.models import Ambassador, Role, User
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, link_in_mail, login, sent_mail, submit, text_of

PAGE = "/app/advocacy/ambassadors"
IMPORT = "/app/advocacy/ambassadors/import"


def make_admin(app) -> str:
    """An organization with an admin (signed in by the tests) and an existing colleague."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.ADMIN, email="ada@example.com", name="Ada Admin")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        db.session.commit()
    return "ada@example.com"


def upload(client, content: bytes, filename: str = "people.csv"):
    """Send a CSV file through the import form."""
    token = csrf_token(client, PAGE)
    return client.post(
        IMPORT,
        data={"csrf_token": token, "file": (io.BytesIO(content), filename, "text/csv")},
        content_type="multipart/form-data",
    )


def staff_emails(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(User.email)))


def test_a_clean_file_invites_everyone_as_employees_and_ambassadors(app, client):
    login(client, make_admin(app))
    content = "\ufeffNome;E-mail;Lingua\nGiulia Rossi;Giulia.Rossi@Example.com;italiano\nSam Taylor;sam@example.com;\n"
    response = upload(client, content.encode())
    assert response.status_code == 302
    assert "2 employees invited." in text_of(client.get(PAGE))
    with app.app_context():
        giulia = db.session.scalar(db.select(User).where(User.email == "giulia.rossi@example.com"))
        sam = db.session.scalar(db.select(User).where(User.email == "sam@example.com"))
        assert (giulia.name, giulia.role, giulia.language, giulia.has_password) == (
            "Giulia Rossi",
            Role.EMPLOYEE,
            "it",
            False,
        )
        assert (sam.language, sam.role) == (None, Role.EMPLOYEE)
        assert db.session.scalar(db.select(db.func.count(Ambassador.id))) == 2
    mails = {message.to: message for message in sent_mail(app)}
    assert set(mails) == {"giulia.rossi@example.com", "sam@example.com"}
    assert "Ada Admin invited you to share jobs at Aurora Robotics" in mails["sam@example.com"].subject
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    accept = link_in_mail(app, "sam@example.com", "invitation/")
    assert "Sam Taylor" in text_of(client.get(accept))


def test_every_bad_row_is_reported_and_nothing_is_imported(app, client):
    login(client, make_admin(app))
    before = staff_emails(app)
    content = (
        "name,email,language\n"
        "Good Person,good@example.com,en\n"
        "Broken Address,not-an-address,en\n"
        "Twice Again,good@example.com,\n"
        "Already Here,RITA@example.com,\n"
        ",nameless@example.com,\n"
        "Klingon Speaker,worf@example.com,tlh\n"
        "\n"
        "Missing Mail,,\n"
    )
    response = upload(client, content.encode())
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was imported: fix the rows below and upload the file again." in page
    table = page.split('class="import-errors"')[1]
    rows = [
        (3, "“not-an-address” is not a valid e-mail address."),
        (4, "This address is also on row 2."),
        (5, "There is already an account with this address."),
        (6, "The name is missing."),
        (7, "Unknown language “tlh”: write en or it, or leave it empty."),
        (9, "The e-mail address is missing."),
    ]
    for line, message in rows:
        assert f"<td>{line}</td>" in table and message in table
    assert "6 rows need fixing" in table
    assert "<td>2</td>" not in table
    assert staff_emails(app) == before
    assert sent_mail(app) == []


def test_a_file_that_is_not_a_usable_csv_is_refused_with_a_reason(app, client):
    login(client, make_admin(app))
    latin1 = "name,email\nJosé Álvarez,jose@example.com\n".encode("latin-1")
    assert "save it as “CSV UTF-8”" in text_of(upload(client, latin1))
    assert "The file is empty." in text_of(upload(client, b"  \n"))
    too_many = "\n".join(f"Person {n},p{n}@example.com" for n in range(MAX_IMPORT_ROWS + 1)).encode()
    response = upload(client, too_many)
    assert response.status_code == 400
    assert f"Import at most {MAX_IMPORT_ROWS} people at a time." in text_of(response)
    assert staff_emails(app) == {"ada@example.com", "rita@example.com"}


def test_parsing_without_a_header_and_with_tabs(app):
    with app.app_context():
        parsed = parse_employee_csv(b"Ann Lee\tann@example.com\tEN\nBo Li\tbo@example.com\n")
        assert [(row.line, row.name, row.email, row.language) for row in parsed.rows] == [
            (1, "Ann Lee", "ann@example.com", "en"),
            (2, "Bo Li", "bo@example.com", None),
        ]
        assert parsed.errors == []
        try:
            parse_employee_csv(b"name,email\n")
        except Invalid as error:
            assert "no one to import" in error.message
        else:
            raise AssertionError("a header alone imports no one")


def test_only_admins_import_or_invite(app, client):
    make_admin(app)
    login(client, "rita@example.com")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/app/advocacy/")
    response = client.post(
        IMPORT,
        data={"csrf_token": token, "file": (io.BytesIO(b"A B,ab@example.com"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert "ab@example.com" not in staff_emails(app)


def test_inviting_one_employee(app, client):
    login(client, make_admin(app))
    data = {"name": "Luca Bianchi", "email": "luca@example.com", "language": "it"}
    assert submit(client, PAGE, data, action="/app/advocacy/ambassadors/invite").status_code == 302
    with app.app_context():
        luca = db.session.scalar(db.select(User).where(User.email == "luca@example.com"))
        assert (luca.role, luca.language) == (Role.EMPLOYEE, "it")
    [message] = sent_mail(app)
    assert message.to == "luca@example.com"
    again = submit(client, PAGE, data, action="/app/advocacy/ambassadors/invite")
    assert again.status_code == 409
    assert "A staff account with the e-mail luca@example.com already exists." in text_of(again)
