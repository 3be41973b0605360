"""Editor accounts: the create-editor command, logging in and out, sessions, and the admin's editors page."""

import html
import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from corrections.access import accounts, login_throttle
from corrections.extensions import db
from corrections.models import Editor, LoginThrottle, utcnow
from tests.helpers import PASSWORD, csrf_token, form_tokens, login, make_editor

WRONG_MESSAGE = "The e-mail or the password is wrong."
NEW_PASSWORD = "a brand new passphrase"


def fresh(editor_id: int) -> Editor:
    """The editor as stored now: requests ran in their own sessions."""
    db.session.expire_all()
    return db.session.get(Editor, editor_id)


def editor_by_email(email: str) -> Editor | None:
    db.session.expire_all()
    return db.session.scalar(select(Editor).where(Editor.email == email))


def location(response) -> str:
    """The path (and query) a redirect points to, however the Location header is spelled."""
    assert response.status_code in (302, 303), response.status_code
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def redirect_path(response) -> str:
    return location(response).split("?")[0]


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# create-editor -------------------------------------------------------------------------------------------------


@pytest.mark.databases("sqlite")
def test_create_editor_with_password_stdin_creates_the_account(runner):
    result = runner.invoke(args=["create-editor", "New.Person@Example.org", "--name", "New Person", "--admin",
                                 "--password-stdin"], input=f"{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created admin New Person <new.person@example.org>" in result.output
    editor = editor_by_email("new.person@example.org")
    assert editor is not None
    assert editor.name == "New Person"
    assert editor.is_admin is True
    assert editor.active is True


@pytest.mark.databases("sqlite")
def test_create_editor_without_admin_flag_makes_a_plain_editor(runner):
    result = runner.invoke(args=["create-editor", "plain@example.org", "--password-stdin"],
                           input=f"{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    editor = editor_by_email("plain@example.org")
    assert editor.is_admin is False
    assert editor.name == "plain"


@pytest.mark.databases("sqlite")
def test_create_editor_stores_a_salted_hash_not_the_password(runner):
    runner.invoke(args=["create-editor", "hash@example.org", "--password-stdin"], input=f"{NEW_PASSWORD}\n")

    editor = editor_by_email("hash@example.org")
    assert NEW_PASSWORD not in editor.password_hash
    assert editor.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert check_password_hash(editor.password_hash, NEW_PASSWORD)


def test_create_editor_refuses_a_taken_email_whatever_its_case(runner, editor):
    result = runner.invoke(args=["create-editor", "EDITOR@example.ORG", "--password-stdin"],
                           input=f"{NEW_PASSWORD}\n")

    assert result.exit_code != 0
    assert "An editor with the e-mail editor@example.org already exists." in result.output
    assert len(db.session.scalars(select(Editor)).all()) == 1


@pytest.mark.databases("sqlite")
def test_create_editor_refuses_an_invalid_email(runner):
    result = runner.invoke(args=["create-editor", "not-an-email", "--password-stdin"], input=f"{NEW_PASSWORD}\n")

    assert result.exit_code != 0
    assert "“not-an-email” is not a valid e-mail address" in result.output
    assert db.session.scalars(select(Editor)).all() == []


@pytest.mark.databases("sqlite")
def test_create_editor_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-editor", "short@example.org", "--password-stdin"], input="short\n")

    assert result.exit_code != 0
    assert "The password must have at least 10 characters." in result.output
    assert editor_by_email("short@example.org") is None


@pytest.mark.databases("sqlite")
def test_create_editor_prompt_asks_twice_and_refuses_a_mismatch(runner):
    result = runner.invoke(args=["create-editor", "prompted@example.org"],
                           input=f"first passphrase\nsecond passphrase\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Password:") == 2
    assert result.output.count("Repeat the password:") == 2
    assert "do not match" in result.output
    editor = editor_by_email("prompted@example.org")
    assert check_password_hash(editor.password_hash, NEW_PASSWORD)
    assert not check_password_hash(editor.password_hash, "first passphrase")


@pytest.mark.databases("sqlite")
def test_create_editor_prompt_never_echoes_the_password(runner):
    result = runner.invoke(args=["create-editor", "quiet@example.org"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output


# Logging in ----------------------------------------------------------------------------------------------------


@pytest.mark.databases("sqlite")
def test_right_credentials_log_in_and_open_the_dashboard(client, editor):
    response = login(client, editor.email)

    assert redirect_path(response) == "/editor/"
    assert client.get("/editor/").status_code == 200
    assert fresh(editor.id).last_login_at is not None


def test_login_email_is_not_case_sensitive(client, editor):
    assert redirect_path(login(client, "Editor@EXAMPLE.org")) == "/editor/"


@pytest.mark.parametrize("email, password", [
    ("editor@example.org", "not the password"),
    ("nobody@example.org", PASSWORD),
], ids=["wrong password", "unknown e-mail"])
def test_wrong_credentials_give_one_message_and_keep_the_email(client, editor, email, password):
    response = login(client, email, password)

    assert response.status_code == 400
    page = page_text(response)
    assert WRONG_MESSAGE in page
    assert f'value="{email}"' in page
    assert password not in page
    assert client.get("/editor/").status_code == 302


def client_at(app, address: str):
    """A browser of its own, connecting from this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def guess(client, email: str = "editor@example.org", password: str = "not the password"):
    response = login(client, email, password)
    return response.status_code, page_text(response)


def age_failures(seconds: float) -> None:
    """Move every counted wrong password this far into the past, as if the time had gone by."""
    db.session.expire_all()
    for row in db.session.scalars(select(LoginThrottle)):
        row.last_failed_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_after_three_wrong_passwords_a_client_waits_longer_after_each(app, editor):
    guesser = client_at(app, "203.0.113.9")
    for _ in range(3):
        status, page = guess(guesser)
        assert status == 400 and WRONG_MESSAGE in page and "try again" not in page

    waits = []
    for _ in range(4):
        status, page = guess(guesser)
        assert status == 400 and WRONG_MESSAGE in page
        waits.append(int(re.search(r"You can try again in (\d+) seconds?", page)[1]))
        # Before the wait is over the next try is refused unchecked, even with the right password.
        refused = login(guesser, editor.email)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) == waits[-1]
        assert re.search(r"Too many wrong passwords for this account from here\. You can try again in \d+ "
                         r"seconds? \(at \d\d:\d\d:\d\d UTC\)", page_text(refused))
        age_failures(waits[-1])

    assert waits == [1, 2, 4, 8]
    assert redirect_path(login(guesser, editor.email)) == "/editor/"


def test_the_first_wait_is_configurable_and_doubles_from_there(make_app):
    app = make_app(LOGIN_FIRST_WAIT_SECONDS=30)
    with app.app_context():
        editor = make_editor()
        guesser = client_at(app, "203.0.113.9")
        for _ in range(login_throttle.FREE_FAILURES):
            assert guess(guesser)[0] == 400
        waits = []
        for _ in range(2):
            if waits:
                age_failures(waits[-1])
            status, page = guess(guesser)
            assert status == 400
            waits.append(int(re.search(r"You can try again in (\d+) seconds?", page)[1]))
        assert waits == [30, 60]
        refused = login(guesser, editor.email)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 60


def test_the_wait_stops_growing_at_fifteen_minutes(app, editor):
    guesser = client_at(app, "203.0.113.9")
    for _ in range(20):
        guess(guesser)
        age_failures(15 * 60)

    status, page = guess(guesser)

    assert status == 400
    assert "You can try again in 15 minutes" in page


def test_someone_elses_guesses_never_slow_down_the_editors_own_client(app, editor):
    guesser = client_at(app, "203.0.113.9")
    answers = [guess(guesser)[0] for _ in range(10)]
    assert answers[-1] == 429

    response = login(client_at(app, "198.51.100.7"), editor.email)

    assert redirect_path(response) == "/editor/"


def test_guesses_from_many_clients_hold_back_new_clients_but_never_the_editors_own_browser(app, editor):
    browser = client_at(app, "198.51.100.7")
    assert redirect_path(login(browser, editor.email)) == "/editor/"
    browser.post("/editor/logout", data={"csrf_token": csrf_token(browser)})
    # A botnet: every address guesses three times, below what would slow it down on its own.
    for n in range(login_throttle.FREE_FAILURES_EVERYWHERE // 3 + 1):
        for _ in range(3):
            guess(client_at(app, f"203.0.113.{n + 1}"))

    new_client = login(client_at(app, "192.0.2.44"), editor.email)
    assert new_client.status_code == 429
    assert "Too many wrong passwords for this account from many places" in page_text(new_client)
    # The browser the editor logged in from before, even on another network.
    browser.environ_base["REMOTE_ADDR"] = "192.0.2.45"
    assert redirect_path(login(browser, editor.email)) == "/editor/"


def test_a_device_cookie_counts_only_for_its_own_account(app, editor):
    with app.test_request_context():
        cookie = login_throttle.new_device_cookie(editor.email)
        assert login_throttle.device_source(cookie, "Editor@Example.org ").startswith("device:")
        assert login_throttle.device_source(cookie, "someone.else@example.org") is None
        assert login_throttle.device_source(cookie[:-2] + "xx", editor.email) is None
        assert login_throttle.device_source("", editor.email) is None


def test_unknown_addresses_and_wrong_passwords_are_answered_and_slowed_alike(app, editor):
    answers = {}
    for email in (editor.email, "nobody@example.org"):
        guesser = client_at(app, "203.0.113.9")
        seen = []
        for _ in range(5):
            status, page = guess(guesser, email)
            [message] = re.findall(r'<p class="error" id="password-error">([^<]*)</p>', page)
            seen.append((status, re.sub(r"\(at [\d:]+ UTC\)", "", message)))
        answers[email] = seen
        age_failures(24 * 3600)

    assert answers[editor.email] == answers["nobody@example.org"]
    assert [status for status, _ in answers[editor.email]] == [400, 400, 400, 400, 429]


def test_admin_sees_the_wrong_passwords_and_clears_them(app, editor, admin_client):
    for address in ("203.0.113.9", "203.0.113.10"):
        guesser = client_at(app, address)
        for _ in range(4):
            guess(guesser)
    assert login(guesser, editor.email).status_code == 429

    page = re.sub(r"\s+", " ", page_text(admin_client.get("/editor/admin/editors")))
    assert re.search(r"8 wrong passwords in the last day from 2 clients; some waiting until \d\d:\d\d:\d\d UTC",
                     page), page
    response = admin_client.post(f"/editor/admin/editors/{editor.id}/wrong-passwords/clear",
                                 data={"csrf_token": csrf_token(admin_client)})

    assert redirect_path(response) == "/editor/admin/editors"
    assert "wrong passwords are forgotten" in page_text(admin_client.get("/editor/admin/editors"))
    assert "wrong passwords in the last day" not in page_text(admin_client.get("/editor/admin/editors"))
    assert redirect_path(login(guesser, editor.email)) == "/editor/"


def test_admin_page_counts_wrong_passwords_of_an_editor_who_then_logged_in_without_naming_no_clients(
        app, editor, admin_client):
    mistyper = client_at(app, "203.0.113.9")
    guess(mistyper)
    assert redirect_path(login(mistyper, editor.email)) == "/editor/"

    page = re.sub(r"\s+", " ", page_text(admin_client.get("/editor/admin/editors")))
    assert "1 wrong password in the last day" in page, page
    assert "from 0 clients" not in page


def test_wrong_passwords_are_forgotten_after_a_day(app, editor):
    guesser = client_at(app, "203.0.113.9")
    for _ in range(6):
        guess(guesser)
    age_failures(24 * 3600 + 1)

    status, page = guess(guesser)

    assert status == 400 and "try again" not in page
    assert db.session.scalars(select(LoginThrottle.failures)).all() == [1, 1]


def test_guesses_sent_at_the_same_moment_take_turns_and_each_counts(app, editor):
    # The client has had its free tries: the next one is checked, and each after it waits. Guesses that arrive
    # together (several threads, several servers) must not all pass the check before any of them is counted.
    client, email = "203.0.113.9", editor.email
    for _ in range(login_throttle.FREE_FAILURES):
        with pytest.raises(accounts.AccountError):
            accounts.authenticate(email, "not the password", client=client)
    db.session.commit()
    together = 6
    start = threading.Barrier(together)
    answers = []

    def try_once():
        with app.app_context():
            start.wait()
            try:
                accounts.authenticate(email, "not the password", client=client)
            except accounts.LoginThrottled:
                answers.append("waits")
            except accounts.AccountError:
                answers.append("checked")
            finally:
                db.session.commit()

    threads = [threading.Thread(target=try_once) for _ in range(together)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["checked"] + ["waits"] * (together - 1)


@pytest.mark.databases("sqlite")
def test_deactivated_editor_cannot_log_in(client, editor):
    editor.active = False
    db.session.commit()

    response = login(client, editor.email)

    assert response.status_code == 400
    assert "This account has been deactivated." in page_text(response)
    assert client.get("/editor/").status_code == 302


@pytest.mark.databases("sqlite")
def test_login_rate_limit_gives_429_on_the_fourth_post(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    statuses = [login(client, "nobody@example.org", "not the password").status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]


def login_with_next(client, email: str, target: str):
    """Follow a link to the login page carrying ?next=, then send the form the page served."""
    page = client.get("/editor/login", query_string={"next": target}).get_data(as_text=True)
    [served_next] = re.findall(r'<input[^>]*name="next"[^>]*value="([^"]*)"', page)
    return client.post("/editor/login", data={**form_tokens(page), "next": html.unescape(served_next),
                                              "email": email, "password": PASSWORD})


@pytest.mark.databases("sqlite")
def test_login_goes_on_to_the_next_page_on_this_site(client, editor):
    response = login_with_next(client, editor.email, "/editor/reports/1")

    assert location(response) == "/editor/reports/1"


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
])
def test_login_never_sends_the_editor_to_another_site(client, editor, target):
    response = login_with_next(client, editor.email, target)

    assert location(response) == "/editor/"


@pytest.mark.databases("sqlite")
def test_anonymous_dashboard_visit_comes_back_after_login(client, editor):
    refused = client.get("/editor/export.csv?status=new")
    assert redirect_path(refused) == "/editor/login"

    page = client.get(location(refused)).get_data(as_text=True)
    [served_next] = re.findall(r'<input[^>]*name="next"[^>]*value="([^"]*)"', page)
    response = client.post("/editor/login", data={**form_tokens(page), "next": html.unescape(served_next),
                                                  "email": editor.email, "password": PASSWORD})

    assert location(response) == "/editor/export.csv?status=new"


# Logging out ---------------------------------------------------------------------------------------------------


@pytest.mark.databases("sqlite")
def test_logout_with_csrf_ends_the_session(editor_client):
    response = editor_client.post("/editor/logout", data={"csrf_token": csrf_token(editor_client)})

    assert redirect_path(response) == "/editor/login"
    assert redirect_path(editor_client.get("/editor/")) == "/editor/login"


@pytest.mark.databases("sqlite")
def test_logout_without_csrf_token_is_refused_and_keeps_the_session(editor_client):
    assert editor_client.post("/editor/logout").status_code == 400
    assert editor_client.get("/editor/").status_code == 200


@pytest.mark.databases("sqlite")
def test_logout_by_get_is_not_allowed(editor_client):
    assert editor_client.get("/editor/logout").status_code == 405
    assert editor_client.get("/editor/").status_code == 200


# Sessions ------------------------------------------------------------------------------------------------------


def set_active(admin_client, editor_id: int, active: bool):
    return admin_client.post(f"/editor/admin/editors/{editor_id}/active",
                             data={"csrf_token": csrf_token(admin_client), "active": "1" if active else "0"})


@pytest.mark.databases("sqlite")
def test_deactivation_signs_the_editor_out_at_the_next_request(editor_client, admin_client, editor):
    assert editor_client.get("/editor/").status_code == 200

    set_active(admin_client, editor.id, False)

    assert redirect_path(editor_client.get("/editor/")) == "/editor/login"


@pytest.mark.databases("sqlite")
def test_session_from_before_deactivation_stays_signed_out_after_reactivation(editor_client, admin_client, editor):
    old_token = fresh(editor.id).session_token
    set_active(admin_client, editor.id, False)
    set_active(admin_client, editor.id, True)

    assert fresh(editor.id).active is True
    assert fresh(editor.id).session_token != old_token
    assert redirect_path(editor_client.get("/editor/")) == "/editor/login"
    assert redirect_path(login(editor_client, editor.email)) == "/editor/"


@pytest.mark.databases("sqlite")
def test_remember_me_cookie_stops_working_after_deactivation(app, admin_client, editor):
    client = app.test_client()
    page = client.get("/editor/login").get_data(as_text=True)
    client.post("/editor/login", data={**form_tokens(page), "email": editor.email, "password": PASSWORD,
                                       "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    set_active(admin_client, editor.id, False)
    set_active(admin_client, editor.id, True)

    client.delete_cookie("session", domain="localhost")

    assert redirect_path(client.get("/editor/")) == "/editor/login"


def logged_in(app, editor, remember: bool = False):
    """A browser of its own, logged in as the editor (ticking "keep me logged in" if asked)."""
    client = app.test_client()
    page = client.get("/editor/login").get_data(as_text=True)
    data = {**form_tokens(page), "email": editor.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/editor/login", data=data).status_code == 302
    return client


def replay(app, name: str, value: str):
    """Open the dashboard in a fresh browser carrying nothing but a copy of one cookie."""
    client = app.test_client()
    client.set_cookie(name, value, domain="localhost")
    return client.get("/editor/")


def change_own_password(client, current: str = PASSWORD, new: str = NEW_PASSWORD, repeat: str | None = None):
    return client.post("/editor/account/password", data={
        "csrf_token": csrf_token(client, "/editor/account"), "current": current, "password": new,
        "repeat": new if repeat is None else repeat,
    })


def log_out(client, admin_client, runner, editor):
    assert redirect_path(client.post("/editor/logout", data={"csrf_token": csrf_token(client)})) == "/editor/login"


def deactivate_and_reactivate(client, admin_client, runner, editor):
    set_active(admin_client, editor.id, False)
    set_active(admin_client, editor.id, True)


def change_password_on_the_dashboard(client, admin_client, runner, editor):
    assert redirect_path(change_own_password(client)) == "/editor/account"


def set_password_on_the_server(client, admin_client, runner, editor):
    result = runner.invoke(args=["set-password", editor.email, "--password-stdin"], input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("cookie", ["session", "remember_token"])
@pytest.mark.parametrize("end", [log_out, deactivate_and_reactivate, change_password_on_the_dashboard,
                                 set_password_on_the_server], ids=lambda f: f.__name__)
def test_a_copied_cookie_opens_nothing_after_the_session_ended(app, admin_client, runner, editor, end, cookie):
    client = logged_in(app, editor, remember=True)
    # The remember cookie holds "<id>:<session token>|<signature>": the token is what ending a session changes.
    copied = client.get_cookie(cookie).value
    assert replay(app, cookie, copied).status_code == 200

    end(client, admin_client, runner, editor)

    assert redirect_path(replay(app, cookie, copied)) == "/editor/login"
    assert fresh(editor.id).active is True


@pytest.mark.databases("sqlite")
def test_logging_out_ends_the_editors_other_sessions_too(app, editor):
    laptop, phone = logged_in(app, editor), logged_in(app, editor, remember=True)

    laptop.post("/editor/logout", data={"csrf_token": csrf_token(laptop)})

    assert redirect_path(phone.get("/editor/")) == "/editor/login"
    assert redirect_path(login(laptop, editor.email)) == "/editor/"


@pytest.mark.databases("sqlite")
def test_changing_ones_password_keeps_this_browser_logged_in_and_needs_the_new_password(app, editor):
    client, elsewhere = logged_in(app, editor, remember=True), logged_in(app, editor)

    response = change_own_password(client)

    assert "Your password has been changed, and you were logged out everywhere else." in page_text(
        client.get(location(response)))
    assert client.get("/editor/").status_code == 200
    client.delete_cookie("session", domain="localhost")
    assert client.get("/editor/").status_code == 200  # the new remember cookie
    assert redirect_path(elsewhere.get("/editor/")) == "/editor/login"
    assert login(app.test_client(), editor.email, PASSWORD).status_code == 400
    assert redirect_path(login(app.test_client(), editor.email, NEW_PASSWORD)) == "/editor/"


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("current, new, repeat, field, message", [
    ("not my password", NEW_PASSWORD, NEW_PASSWORD, "current", "That is not your current password"),
    (PASSWORD, "too short", "too short", "password", "The password must have at least 10 characters."),
    (PASSWORD, NEW_PASSWORD, "another passphrase", "repeat", "The two new passwords differ"),
], ids=["wrong current password", "short new password", "repeated differently"])
def test_a_refused_password_change_says_why_and_changes_nothing(app, editor_client, editor, current, new, repeat,
                                                               field, message):
    token = fresh(editor.id).session_token

    response = change_own_password(editor_client, current, new, repeat)

    assert response.status_code == 400
    page = page_text(response)
    assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', page), page
    assert new not in page and current not in page
    assert fresh(editor.id).session_token == token
    assert editor_client.get("/editor/").status_code == 200
    assert redirect_path(login(app.test_client(), editor.email, PASSWORD)) == "/editor/"


def test_an_open_session_cannot_be_used_to_guess_the_current_password(app, editor_client, editor):
    for _ in range(login_throttle.FREE_FAILURES + 1):
        assert change_own_password(editor_client, current="a guess at it").status_code == 400

    response = change_own_password(editor_client)

    assert response.status_code == 429
    assert "Too many wrong passwords for this account from here" in page_text(response)
    assert check_password_hash(fresh(editor.id).password_hash, PASSWORD)


@pytest.mark.databases("sqlite")
def test_set_password_refuses_an_unknown_address_and_a_short_password(runner, editor):
    unknown = runner.invoke(args=["set-password", "nobody@example.org", "--password-stdin"], input=f"{NEW_PASSWORD}\n")
    short = runner.invoke(args=["set-password", editor.email, "--password-stdin"], input="short\n")

    assert unknown.exit_code != 0 and "No editor has the e-mail nobody@example.org." in unknown.output
    assert short.exit_code != 0 and "The password must have at least 10 characters." in short.output
    assert check_password_hash(fresh(editor.id).password_hash, PASSWORD)


# The admin's editors page --------------------------------------------------------------------------------------


def test_admin_page_lists_editors(admin_client, editor, admin):
    response = admin_client.get("/editor/admin/editors")

    assert response.status_code == 200
    page = page_text(response)
    for person in (editor, admin):
        assert person.name in page
        assert person.email in page


@pytest.mark.databases("sqlite")
def test_admin_adds_an_editor(admin_client):
    response = admin_client.post("/editor/admin/editors", data={
        "csrf_token": csrf_token(admin_client), "email": "Newcomer@Example.org", "name": "New  Comer",
        "password": NEW_PASSWORD,
    })

    assert redirect_path(response) == "/editor/admin/editors"
    page = page_text(admin_client.get("/editor/admin/editors"))
    assert "Account created for New Comer (newcomer@example.org)." in page
    added = editor_by_email("newcomer@example.org")
    assert added.name == "New Comer"
    assert added.is_admin is False
    assert check_password_hash(added.password_hash, NEW_PASSWORD)


@pytest.mark.databases("sqlite")
def test_admin_adds_an_admin(admin_client):
    admin_client.post("/editor/admin/editors", data={
        "csrf_token": csrf_token(admin_client), "email": "boss@example.org", "password": NEW_PASSWORD,
        "is_admin": "y",
    })

    assert editor_by_email("boss@example.org").is_admin is True


@pytest.mark.parametrize("email, password, field, message", [
    ("not-an-email", NEW_PASSWORD, "email", "is not a valid e-mail address"),
    ("fresh@example.org", "short pw", "password", "The password must have at least 10 characters."),
    ("Editor@example.org", NEW_PASSWORD, "email", "An editor with the e-mail editor@example.org already exists."),
], ids=["invalid e-mail", "short password", "taken e-mail"])
def test_bad_new_editor_shows_the_message_at_the_field_and_keeps_the_input(admin_client, editor, email, password,
                                                                          field, message):
    response = admin_client.post("/editor/admin/editors", data={
        "csrf_token": csrf_token(admin_client), "email": email, "name": "Typed Name", "password": password,
    })

    assert response.status_code == 400
    page = page_text(response)
    assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', page), page
    assert f'value="{email}"' in page
    assert 'value="Typed Name"' in page
    assert password not in page
    assert len(db.session.scalars(select(Editor)).all()) == 2


def test_taken_email_containing_password_shows_its_error_at_the_email_field(admin_client):
    make_editor("password@example.org", "Pat Word")

    response = admin_client.post("/editor/admin/editors", data={
        "csrf_token": csrf_token(admin_client), "email": "password@example.org", "password": NEW_PASSWORD,
    })

    assert response.status_code == 400
    assert re.search(r'<p class="error" id="email-error">[^<]*already exists', page_text(response))


@pytest.mark.databases("sqlite")
def test_admin_cannot_deactivate_themself(admin_client, admin):
    response = set_active(admin_client, admin.id, False)

    assert redirect_path(response) == "/editor/admin/editors"
    assert "You cannot deactivate your own account." in page_text(admin_client.get("/editor/admin/editors"))
    assert fresh(admin.id).active is True
    assert admin_client.get("/editor/").status_code == 200


@pytest.mark.databases("sqlite")
def test_admin_deactivates_and_reactivates_an_editor(admin_client, editor):
    set_active(admin_client, editor.id, False)
    assert fresh(editor.id).active is False
    page = page_text(admin_client.get("/editor/admin/editors"))
    assert f"{editor.name} deactivated: signed out everywhere." in page
    assert "Reactivate" in page
    assert login(admin_client.application.test_client(), editor.email).status_code == 400

    set_active(admin_client, editor.id, True)
    assert fresh(editor.id).active is True
    assert f"{editor.name} reactivated." in page_text(admin_client.get("/editor/admin/editors"))
    assert redirect_path(login(admin_client.application.test_client(), editor.email)) == "/editor/"


@pytest.mark.databases("sqlite")
def test_plain_editor_gets_403_on_every_admin_page(editor_client, admin):
    token = csrf_token(editor_client)

    assert editor_client.get("/editor/admin/editors").status_code == 403
    assert editor_client.post("/editor/admin/editors", data={
        "csrf_token": token, "email": "sneaky@example.org", "password": NEW_PASSWORD, "is_admin": "y",
    }).status_code == 403
    assert editor_client.post(f"/editor/admin/editors/{admin.id}/active",
                              data={"csrf_token": token, "active": "0"}).status_code == 403

    assert editor_by_email("sneaky@example.org") is None
    assert fresh(admin.id).active is True


@pytest.mark.databases("sqlite")
def test_plain_editor_sees_no_link_to_the_admin_page(editor_client):
    assert "/editor/admin/editors" not in editor_client.get("/editor/").get_data(as_text=True)


def test_the_app_hashes_passwords_with_scrypt(monkeypatch):
    # The suite swaps in a one-round hash for speed; the app's own choice is Werkzeug's scrypt.
    monkeypatch.undo()
    assert accounts.hash_password("a long enough password").startswith("scrypt:")


@pytest.mark.databases("postgresql")  # SQLite has one writer at a time: the race is PostgreSQL's
def test_wrong_passwords_for_two_accounts_at_once_never_deadlock_over_forgotten_counts(app, database_url,
                                                                                     monkeypatch):
    now = utcnow()
    day_old = now - login_throttle.FORGET_AFTER - timedelta(seconds=1)
    accounts_typed = ["one@example.org", "two@example.org"]
    sources = ["client:x", login_throttle.EVERYWHERE]
    for email in accounts_typed:
        for source in sources:
            db.session.add(LoginThrottle(account=login_throttle.account_key(email), source=source, failures=9,
                                         last_failed_at=day_old))
    db.session.commit()
    # Both transactions have reset their own forgotten rows before either removes the others'.
    both_counted = threading.Barrier(2, timeout=10)
    forget_old = login_throttle.forget_old

    def forget_after_the_other_counted(when):
        both_counted.wait()
        forget_old(when)

    monkeypatch.setattr(login_throttle, "forget_old", forget_after_the_other_counted)
    errors = []

    def count(email):
        with app.app_context():
            try:
                login_throttle.count_failure(login_throttle.account_key(email), sources, now)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (the test reports whatever went wrong)
                errors.append(error)
                db.session.rollback()

    threads = [threading.Thread(target=count, args=(email,)) for email in accounts_typed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    db.session.expire_all()
    assert sorted(db.session.scalars(select(LoginThrottle.failures))) == [1, 1, 1, 1]


@pytest.mark.databases("sqlite")
def test_a_bad_editor_address_is_explained_in_plain_words(admin_client, runner):
    response = admin_client.post("/editor/admin/editors", data={
        "csrf_token": csrf_token(admin_client), "email": "pat@exa_mple.org", "password": NEW_PASSWORD})
    page = page_text(response)
    assert response.status_code == 400
    assert ("“pat@exa_mple.org” is not a valid e-mail address: the part after @ should be a domain like "
            "example.com, without “_”.") in page
    assert "@-sign" not in page
    result = runner.invoke(args=["create-editor", "pat@example", "--password-stdin"], input=f"{NEW_PASSWORD}\n")
    assert "“pat@example” is not a valid e-mail address: the part after @ should be a domain like example.com." \
        in result.output
