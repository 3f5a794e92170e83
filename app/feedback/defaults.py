# SPDX-License-Identifier: AGPL-3.0-or-later
"""The wording every organization starts with, in each language candidates may read.

These are starting texts that organizations edit (rows of ``MessageTemplate``), not interface
strings, so they are written out per language here instead of going through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.models import ApplicationStage

PLAIN = ""  # stage key and reason of a message that changes nothing


@dataclass(frozen=True)
class DefaultTemplate:
    """One starting template: where it applies, and its wording per language."""

    stage_key: str
    reason: str
    names: dict[str, str]
    subjects: dict[str, str]
    bodies: dict[str, str]


# Reasons recruiters pick from, per stage (a template may also use a reason of its own).
REASONS: dict[str, list[tuple[str, object]]] = {
    ApplicationStage.REJECTED.value: [
        ("after_cv_review", _l("After CV review")),
        ("after_interview", _l("After the interview")),
        ("position_filled", _l("Position filled")),
    ],
}

_SIGN_OFF = {
    "en": "Kind regards,\n{sender_name}\n{organization}",
    "it": "Un cordiale saluto,\n{sender_name}\n{organization}",
}
_GREETING = {"en": "Dear {first_name},", "it": "Ciao {first_name},"}
_PORTAL = {
    "en": "You can follow your applications on your page: {portal_link}",
    "it": "Puoi seguire le tue candidature sulla tua pagina: {portal_link}",
}


def _body(language: str, *paragraphs: str) -> str:
    greeting = _GREETING[language]
    return "\n\n".join([greeting, *paragraphs, _PORTAL[language], _SIGN_OFF[language]])


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        PLAIN,
        "",
        names={"en": "Message", "it": "Messaggio"},
        subjects={"en": "About your application for {job_title}", "it": "La tua candidatura per {job_title}"},
        bodies={
            "en": _body("en", "We wanted to give you an update on your application for {job_title}."),
            "it": _body("it", "Volevamo aggiornarti sulla tua candidatura per {job_title}."),
        },
    ),
    DefaultTemplate(
        ApplicationStage.REJECTED.value,
        "after_cv_review",
        names={
            "en": "Not moving forward: after CV review",
            "it": "Non proseguiamo: dopo la lettura del CV",
        },
        subjects={
            "en": "Your application for {job_title} at {organization}",
            "it": "La tua candidatura per {job_title} presso {organization}",
        },
        bodies={
            "en": _body(
                "en",
                "Thank you for applying for {job_title} and for the time you gave us.",
                "We read your application carefully and decided not to move forward with it for this role. "
                "This was not an easy choice, and it says nothing about your worth: other profiles were "
                "closer to what this particular role needs right now.",
                "We would be glad to hear from you again for future openings.",
            ),
            "it": _body(
                "it",
                "grazie per esserti candidato/a per {job_title} e per il tempo che ci hai dedicato.",
                "Abbiamo letto con attenzione la tua candidatura e abbiamo deciso di non proseguire per questo "
                "ruolo. Non è stata una scelta facile e non dice nulla del tuo valore: altri profili erano più "
                "vicini a ciò di cui questo ruolo ha bisogno in questo momento.",
                "Saremo felici di risentirti per le prossime posizioni aperte.",
            ),
        },
    ),
    DefaultTemplate(
        ApplicationStage.REJECTED.value,
        "after_interview",
        names={"en": "Not moving forward: after the interview", "it": "Non proseguiamo: dopo il colloquio"},
        subjects={
            "en": "Your interview for {job_title} at {organization}",
            "it": "Il tuo colloquio per {job_title} presso {organization}",
        },
        bodies={
            "en": _body(
                "en",
                "Thank you for taking the time to interview for {job_title}. We enjoyed learning about you.",
                "After reviewing every interview, we decided not to move forward with your application for "
                "this role. We know this is disappointing after the effort you put in.",
                "Below you may find some feedback from the people who reviewed your interview; we hope it helps.",
            ),
            "it": _body(
                "it",
                "grazie per aver dedicato del tempo al colloquio per {job_title}. È stato un piacere conoscerti.",
                "Dopo aver valutato tutti i colloqui, abbiamo deciso di non proseguire con la tua candidatura "
                "per questo ruolo. Sappiamo che è deludente dopo l'impegno che ci hai messo.",
                "Qui sotto trovi alcuni riscontri di chi ha valutato il tuo colloquio: speriamo ti siano utili.",
            ),
        },
    ),
    DefaultTemplate(
        ApplicationStage.REJECTED.value,
        "position_filled",
        names={"en": "Not moving forward: position filled", "it": "Non proseguiamo: posizione coperta"},
        subjects={
            "en": "The {job_title} position has been filled",
            "it": "La posizione {job_title} è stata coperta",
        },
        bodies={
            "en": _body(
                "en",
                "Thank you for your interest in {job_title}.",
                "We wanted to let you know that the position has now been filled, so we are closing the "
                "remaining applications, including yours.",
                "We would be glad to hear from you again for future openings.",
            ),
            "it": _body(
                "it",
                "grazie per il tuo interesse per {job_title}.",
                "Volevamo farti sapere che la posizione è stata coperta: stiamo quindi chiudendo le candidature "
                "rimaste aperte, compresa la tua.",
                "Saremo felici di risentirti per le prossime posizioni aperte.",
            ),
        },
    ),
    DefaultTemplate(
        ApplicationStage.SHORTLISTED.value,
        "",
        names={"en": "Moving forward", "it": "Proseguiamo"},
        subjects={"en": "Good news about {job_title}", "it": "Buone notizie su {job_title}"},
        bodies={
            "en": _body(
                "en",
                "Good news: your application for {job_title} is moving to the next step.",
                "We will be in touch shortly with what comes next.",
            ),
            "it": _body(
                "it",
                "buone notizie: la tua candidatura per {job_title} passa alla fase successiva.",
                "Ti contatteremo a breve con i prossimi passi.",
            ),
        },
    ),
    DefaultTemplate(
        ApplicationStage.OFFER.value,
        "",
        names={"en": "Offer", "it": "Offerta"},
        subjects={"en": "An offer for {job_title}", "it": "Un'offerta per {job_title}"},
        bodies={
            "en": _body(
                "en",
                "We are delighted to tell you that we would like to offer you the {job_title} role.",
                "We will send you the details of the offer separately and are happy to answer any question.",
            ),
            "it": _body(
                "it",
                "siamo felici di comunicarti che vorremmo offrirti il ruolo di {job_title}.",
                "Ti invieremo i dettagli dell'offerta a parte e rispondiamo volentieri a ogni domanda.",
            ),
        },
    ),
    DefaultTemplate(
        ApplicationStage.HIRED.value,
        "",
        names={"en": "Welcome aboard", "it": "Benvenuto/a a bordo"},
        subjects={"en": "Welcome to {organization}!", "it": "Benvenuto/a in {organization}!"},
        bodies={
            "en": _body(
                "en",
                "Welcome to {organization}! We are thrilled that you are joining us as {job_title}.",
                "You will hear from us soon about your first days.",
            ),
            "it": _body(
                "it",
                "benvenuto/a in {organization}! Siamo entusiasti che tu ti unisca a noi come {job_title}.",
                "Ti scriveremo presto per i tuoi primi giorni.",
            ),
        },
    ),
)
