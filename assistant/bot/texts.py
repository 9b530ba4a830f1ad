"""Short French messages of the bot (the longer ones are templates in ``templates/bot/``).

Every text here is Telegram HTML: plain sentences need no escaping, values are escaped where inserted.
"""

from __future__ import annotations

FEEDBACK_QUESTION = "Cela répond-il à votre question ?"
FEEDBACK_YES = "Cela répond-il à votre question ? <b>Oui</b>. Merci pour votre retour !"
FEEDBACK_NO = (
    "Cela répond-il à votre question ? <b>Non</b>. Merci pour votre retour : votre question est signalée à "
    "l'équipe du label pour améliorer la foire aux questions. Pour une réponse personnelle, écrivez à {address}."
)
FEEDBACK_THANKS = "Merci !"
ENTRY_GONE = "Cette réponse n'existe plus dans la foire aux questions. Posez à nouveau votre question."
BUTTON_EXPIRED = "Ce bouton n'est plus valable. Posez à nouveau votre question."
NOT_TEXT = "Je ne lis que les messages écrits. Posez votre question en quelques mots, ou tapez /aide."
UNKNOWN_COMMAND = "Je ne connais pas cette commande. Tapez /aide pour voir ce que je sais faire."
ERROR = (
    "Désolé, une erreur est survenue de mon côté. Réessayez dans quelques minutes ou écrivez à {address}."
)

QUESTIONNAIRE_CAPTION = "Le questionnaire de candidature, édition {edition}, à renvoyer rempli à {address}."
QUESTIONNAIRE_MISSING = "Le questionnaire de l'édition {edition} n'est pas disponible pour l'instant."

STATUT_USAGE = (
    "Indiquez le numéro du dossier et son code de suivi, par exemple :\n<code>/statut TNL-2024-0001 ABC234</code>\n"
    "Tous deux figurent dans le courriel d'accusé de réception du label."
)
STATUT_REFUSED = (
    "Je ne trouve pas de dossier correspondant à ce numéro et à ce code. Vérifiez-les dans le courriel "
    "d'accusé de réception, ou écrivez à {address}."
)
STATUT_TOO_MANY = "Trop de tentatives : réessayez dans un quart d'heure, ou écrivez à {address}."

STAFF_ONLY = (
    "Cette commande est réservée à l'équipe du label. Pour une question, écrivez-la simplement ici ; "
    "tapez /aide pour voir ce que je sais faire."
)
DOSSIER_USAGE = "Indiquez le numéro du dossier, par exemple : <code>/{command} TNL-2024-0001</code> (ou juste 1)."
DOSSIER_UNKNOWN = "Dossier {number} introuvable."
REMINDER_QUEUED = "Relance du dossier {number} mise en file d'envoi pour {recipient}."
REMINDER_REFUSED = "Relance impossible : {reason}."

STATE_LABELS = {
    "incomplet": "incomplet : des réponses manquent encore",
    "complet": "complet : il sera examiné par le jury",
    "hors délai": "reçu hors délai",
    "retiré": "retiré",
}
