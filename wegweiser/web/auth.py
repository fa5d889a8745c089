"""Signing in and out, and accepting an invitation: for the people who keep the entries."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import db
from ..cities import current_city
from ..models.audit import RECOVERY_CODE_USED, SECOND_FACTOR_ENABLED, SECOND_FACTOR_FAILED
from ..services import audit
from ..services import second_factor as factors
from ..services.accounts import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    AccountError,
    accept_invitation,
    authenticate,
    end_sessions,
    normalise_email,
    record_failed_sign_in,
    record_sign_in,
    session_user,
    start_password_reset,
    user_for_invitation,
)
from ..services.notifications import send_password_reset
from .forms import stale_note
from .language import language_blueprint

bp = language_blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)],
                       render_kw={"dir": "ltr"})
    password = PasswordField(_l("Password"), validators=[DataRequired(),
                                                        Length(max=PASSWORD_MAX)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])


class ResetForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)],
                       render_kw={"dir": "ltr"})


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class SessionUser:
    """What Flask-Login keeps: the user and the session version the session was made with."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    def __getattr__(self, name):
        return getattr(self.user, name)


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)
    limiter.init_app(app)
    app.before_request(enforce_session_timeouts)


def load_user(session_id: str) -> SessionUser | None:
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session_user(db.session(), int(user_id), int(version))
    return SessionUser(user) if user is not None else None


def enforce_session_timeouts():
    if not current_user.is_authenticated:
        return None
    now = time.time()
    config = current_app.config
    if now - session.get("signed_in_at", 0) > config["WEGWEISER_SESSION_HOURS"] * 3600 or \
            now - session.get("seen_at", 0) > config["WEGWEISER_IDLE_MINUTES"] * 60:
        logout_user()
        session.clear()
        return None
    session["seen_at"] = now
    return None


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_account_key)
def login():
    form = LoginForm()
    failed = False
    if stale_note():  # the session ended: the address comes back as typed, nobody signed in
        return render_template("auth/login.html", form=form, failed=False,
                               stale=stale_note()), 400
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        target = _safe_next(url_for("manage.dashboard"))
        if user is not None and user.needs_second_factor:
            return _second_step(user, target)
        if user is not None:
            return _complete_sign_in(user, "password", target)
        record_failed_sign_in(db.session(), form.email.data)
        db.session().commit()
        failed = True
    return render_template("auth/login.html", form=form, failed=failed), \
        (400 if request.method == "POST" else 200)


# -- the second step: a code from an authenticator app (or a recovery code) ----------------

PENDING_SECONDS = 300  # the password step is valid this long without the second step


def _second_step(user, target: str):
    """The password was right; the sign-in waits for the second factor (or its set-up)."""
    db.session().commit()
    session.clear()  # a new session on every sign-in
    session["pending"] = {"user": user.id, "version": user.session_version,
                          "at": time.time(), "next": target}
    endpoint = "auth.second_factor" if user.has_second_factor else "auth.setup"
    return redirect(url_for(endpoint), code=303)


def _complete_sign_in(user, how: str, target: str):
    record_sign_in(db.session(), user, how)
    db.session().commit()
    session.clear()
    login_user(SessionUser(user))
    session["signed_in_at"] = session["seen_at"] = time.time()
    return redirect(target, code=303)


def _pending_user():
    """The user whose password step is done, if it was done in the last few minutes."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return session_user(db.session(), int(pending["user"]), int(pending["version"]))


def _pending_key() -> str:
    pending = session.get("pending")
    return f"pending:{pending.get('user') if isinstance(pending, dict) else ''}"


def _start_again():
    session.pop("pending", None)
    flash(_("The sign-in has expired. Please sign in again."), "error")
    return redirect(url_for("auth.login"), code=303)


def _second_factor_failed(user, template: str, form, **context):
    audit.record(db.session(), SECOND_FACTOR_FAILED, user.id)
    db.session().commit()
    return _not_stored(render_template(template, form=form, failed=True, **context), 400)


def _not_stored(html: str, status: int = 200):
    """A page with a secret (the key being set up, recovery codes): kept in no cache."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_pending_key)
def second_factor():
    user = _pending_user()
    if user is None:
        return _start_again()
    if not user.has_second_factor:
        return redirect(url_for("auth.setup"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        target = session["pending"]["next"]
        if factors.check_code(user, form.code.data):
            return _complete_sign_in(user, "password + app", target)
        if factors.use_recovery_code(db.session(), user, form.code.data):
            audit.record(db.session(), RECOVERY_CODE_USED, user.id)
            return _complete_sign_in(user, "password + recovery code", target)
        return _second_factor_failed(user, "auth/code.html", form)
    return render_template("auth/code.html", form=form, failed=False)


def enrolment(user, done):
    """The set-up page of a second factor: a QR code and the key as text, then a code to
    confirm; ``done(codes)`` answers once it is confirmed, with the recovery codes."""
    secret = factors.enrolment_secret(user)
    db.session().commit()
    form = CodeForm()
    context = {"qr": Markup(factors.qr_svg(user, _issuer())),
               "secret": factors.grouped(secret)}
    if form.validate_on_submit():
        codes = factors.confirm(db.session(), user, form.code.data)
        if codes is None:
            return _second_factor_failed(user, "auth/setup.html", form, **context)
        audit.record(db.session(), SECOND_FACTOR_ENABLED, user.id)
        return done(codes)
    return _not_stored(render_template("auth/setup.html", form=form, failed=False, **context))


def recovery_codes_page(codes: list[str], target: str):
    """The recovery codes, shown this once (not stored anywhere in plain text)."""
    return _not_stored(render_template("auth/recovery_codes.html", codes=codes, target=target))


def _issuer() -> str:
    return f"Wegweiser {current_city().name}"


@bp.route("/login/setup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_pending_key)
def setup():
    """A moderator or administrator without a second factor sets one up before signing in."""
    user = _pending_user()
    if user is None:
        return _start_again()
    if user.has_second_factor:
        return redirect(url_for("auth.second_factor"), code=303)

    def done(codes):
        target = session["pending"]["next"]
        _complete_sign_in(user, "password + app (set up)", target)
        return recovery_codes_page(codes, target)

    return enrolment(user, done)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_sessions(db.session(), current_user.id)  # this one and copies of its cookie
        db.session().commit()
    logout_user()
    session.clear()
    return redirect(url_for("public.index"), code=303)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_account_key)
def reset():
    """Forgotten password: the same answer whether or not the address has an account."""
    form = ResetForm()
    if stale_note():  # the session ended: the address comes back as typed, nothing sent
        return render_template("auth/reset.html", form=form, sent=False,
                               stale=stale_note()), 400
    if form.validate_on_submit():
        user = start_password_reset(db.session(), form.email.data)
        if user is not None:
            db.session().commit()
            send_password_reset(user)
        return render_template("auth/reset.html", form=form, sent=True)
    return render_template("auth/reset.html", form=form, sent=False)


@bp.route("/invitation/<token:token>", methods=["GET", "POST"])
def invitation(token: str):
    session_ = db.session()
    try:
        user = user_for_invitation(session_, token)
    except AccountError as error:
        return render_template("auth/invitation.html", error=error.code, form=None), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        accept_invitation(session_, token, form.password.data)
        session_.commit()
        flash(_("Your password is set. Please sign in."))
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/invitation.html", form=form, email=user.email, error=None)

