"""Command line for staff: ``assistant dossiers …``, ``assistant staff …`` and ``assistant purge``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.store.database import Database

STATE_CHOICES = ("incomplet", "complet", "hors délai", "retiré")


def _actor() -> str:
    try:
        return f"{getpass.getuser()} (ligne de commande)"
    except (KeyError, OSError):
        return "ligne de commande"


def register(subparsers: argparse._SubParsersAction) -> None:
    dossiers = subparsers.add_parser("dossiers", help="suivre les dossiers de candidature, relancer, exporter")
    sub = dossiers.add_subparsers(dest="dossiers_command", metavar="SOUS-COMMANDE", required=True)

    lst = sub.add_parser("list", help="lister les dossiers (tous, ou d'un état)")
    lst.add_argument("--state", choices=STATE_CHOICES, help="seulement les dossiers dans cet état")
    lst.add_argument("--edition", help="édition (par défaut : toutes)")
    lst.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="afficher un dossier : réponses par volet, manques, historique")
    show.add_argument("number", metavar="NUMERO", help="numéro du dossier, par exemple TNL-2024-0001")
    show.set_defaults(func=cmd_show)

    remind = sub.add_parser(
        "remind", help="relancer un dossier incomplet, ou tous ceux dont la relance automatique est due",
        description="Avec un NUMERO : relance manuelle de ce dossier. Sans : relances automatiques dues "
        "aujourd'hui (selon [reminders] days_before_close et min_days_between). Les relances sont mises en file "
        "d'attente ; « assistant run » les envoie, ou --send tout de suite.")
    remind.add_argument("number", nargs="?", metavar="NUMERO")
    remind.add_argument("--dry-run", action="store_true", help="afficher les dossiers à relancer sans rien envoyer")
    remind.add_argument("--send", action="store_true", help="envoyer aussitôt les messages en file d'attente")
    remind.add_argument("--by", default=None, help="nom enregistré comme auteur de la relance manuelle")
    remind.set_defaults(func=cmd_remind)

    export = sub.add_parser("export", help="tableau pour le jury : une ligne par dossier, une colonne par question")
    export.add_argument("--format", choices=("ods", "csv", "json"), default="ods", help="format (ods par défaut)")
    export.add_argument("-o", "--output", type=Path, help="fichier à écrire (par défaut : tnl-dossiers-ÉDITION.FMT)")
    export.add_argument("--edition", help="édition (par défaut : l'édition active)")
    export.add_argument("--state", choices=STATE_CHOICES, action="append", help="seulement cet état (répétable)")
    export.set_defaults(func=cmd_export)

    for name, helptext, required in (
        ("complete", "forcer un dossier complet (motif obligatoire)", True),
        ("withdraw", "retirer un dossier (la collectivité renonce)", False),
        ("reopen", "rouvrir un dossier retiré ou forcé : son état redevient celui de ses réponses", False),
    ):
        action = sub.add_parser(name, help=helptext)
        action.add_argument("number", metavar="NUMERO")
        action.add_argument("--reason", required=required, default="", help="motif, enregistré dans l'historique")
        action.add_argument("--by", default=None, help="nom enregistré comme auteur")
        action.set_defaults(func=cmd_state, action_name=name)

    rgpd = sub.add_parser("rgpd-export", help="tout ce qui est conservé sur une collectivité (droit d'accès), en JSON")
    rgpd.add_argument("who", metavar="NOM-OU-NUMERO", help="nom de la collectivité ou numéro d'un de ses dossiers")
    rgpd.add_argument("-o", "--output", type=Path, required=True, help="fichier JSON à écrire")
    rgpd.set_defaults(func=cmd_rgpd_export)

    staff = subparsers.add_parser("staff", help="comptes de l'équipe pour le tableau de bord web")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="SOUS-COMMANDE", required=True)
    add = staff_sub.add_parser("add", help="créer un compte (mot de passe demandé, jamais en argument)")
    add.add_argument("name", metavar="NOM")
    add.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    add.set_defaults(func=cmd_staff_add)
    passwd = staff_sub.add_parser("password", help="changer le mot de passe d'un compte (et le déverrouiller)")
    passwd.add_argument("name", metavar="NOM")
    passwd.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    passwd.set_defaults(func=cmd_staff_password)
    staff_list = staff_sub.add_parser("list", help="lister les comptes")
    staff_list.set_defaults(func=cmd_staff_list)
    unlock = staff_sub.add_parser("unlock", help="déverrouiller un compte bloqué après trop d'échecs")
    unlock.add_argument("name", metavar="NOM")
    unlock.set_defaults(func=cmd_staff_unlock)

    purge = subparsers.add_parser(
        "purge", help="RGPD : supprimer les dossiers clos et leurs messages après la durée de conservation",
        description="Sans --apply, affiche seulement ce qui serait supprimé. Durée : [privacy] retention_days, "
        "comptée depuis la clôture de l'édition ou la dernière mise à jour du dossier.")
    purge.add_argument("--apply", action="store_true", help="supprimer réellement")
    purge.set_defaults(func=cmd_purge)


def _open(settings: Settings) -> Database:
    return Database(settings.store.path)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers import store as dstore

    with _open(settings) as db:
        dossiers = dstore.list_dossiers(db, state=args.state, edition=args.edition)
    if not dossiers:
        print("Aucun dossier.")
        return 0
    for d in dossiers:
        flag = "  [à voir]" if d.staff_flag else ""
        print(f"{d.number}\t{d.state}\t{d.collectivite or '(collectivité inconnue)'}\t{d.departement or '?'}\t"
              f"{len(d.missing)} manquante(s), {len(d.invalid)} invalide(s)\t{d.updated_at:%Y-%m-%d}{flag}")
    print(f"{len(dossiers)} dossier(s)")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers import store as dstore
    from assistant.dossiers.handler import questionnaire_for

    with _open(settings) as db:
        d = dstore.find_by_number(db, args.number)
        if d is None:
            print(f"Dossier {args.number} introuvable", file=sys.stderr)
            return 1
        answers = dstore.current_answers(db, d.id)
        history = dstore.events(db, d.id)
    print(f"Dossier {d.number} — {d.collectivite or 'collectivité inconnue'} — {d.state}")
    print(f"Type : {d.structure_type or '?'}   Département : {d.departement or '?'}   "
          f"Responsable : {d.responsable_email or '?'}")
    print(f"Déposé le {d.created_at:%Y-%m-%d}, mis à jour le {d.updated_at:%Y-%m-%d}")
    if d.staff_flag:
        print(f"À voir par l'équipe : {d.staff_flag}")
    questionnaire = questionnaire_for(d.edition)
    for volet in questionnaire.volets:
        print(f"\n{volet.id}. {volet.title}")
        for q in volet.questions:
            answer = answers.get(q.id)
            if q.id in d.invalid:
                mark = f"INVALIDE ({d.invalid[q.id]})"
            elif q.id in d.missing:
                mark = "MANQUANTE"
            else:
                mark = ""
            value = " ".join(answer.value.split()) if answer else "—"
            source = f"  [{answer.source}]" if answer else ""
            print(f"  {q.id} {q.text}\n      {value}{source}" + (f"\n      → {mark}" if mark else ""))
    print("\nHistorique :")
    for e in history:
        print(f"  {e.at:%Y-%m-%d %H:%M}  {e.kind}  ({e.actor})  {e.detail}")
    return 0


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers import actions

    with _open(settings) as db:
        if args.number:
            if args.dry_run:
                print(f"Relancerait {args.number.upper()}")
                return 0
            try:
                results = [actions.send_reminder(db, settings, args.number, args.by or _actor())]
            except actions.ActionError as exc:
                print(f"Erreur : {exc}", file=sys.stderr)
                return 1
        else:
            if args.dry_run:
                due = actions.due_automatic_reminders(db, settings)
                print("\n".join(due) if due else "Aucune relance automatique due aujourd'hui.")
                return 0
            results = actions.send_automatic_reminders(db, settings)
        for r in results:
            print(f"{r.dossier} : relance en file d'attente pour {r.recipient} (envoi n° {r.outbox_id})")
        if not results:
            print("Aucune relance automatique due aujourd'hui.")
        if args.send and results:
            from assistant.mail.outbox import OutboxSender, make_transport

            sender = OutboxSender(db, make_transport(settings.smtp, settings.outbox), settings.reply_sender(),
                                  settings.outbox)
            report = sender.flush()
            print(f"Envoi : {report.sent} envoyé(s), {report.deferred} différé(s), {report.failed} en échec")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers import export

    edition = args.edition or settings.edition.active
    with _open(settings) as db:
        table = export.jury_table(db, edition, tuple(args.state) if args.state else None)
    data = export.render(table, args.format)
    output = args.output or Path(export.default_filename(edition, args.format))
    output.write_bytes(data)
    print(f"{len(table.rows)} dossier(s) exporté(s) dans {output}")
    return 0


def cmd_state(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers import actions

    func = {"complete": actions.mark_complete, "withdraw": actions.withdraw, "reopen": actions.reopen}
    with _open(settings) as db:
        try:
            func[args.action_name](db, args.number, args.by or _actor(), args.reason)
        except actions.ActionError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
        from assistant.dossiers import store as dstore

        d = dstore.find_by_number(db, args.number)
    print(f"Dossier {d.number} : {d.state}")
    return 0


def cmd_rgpd_export(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers.export import collectivite_export

    with _open(settings) as db:
        data = collectivite_export(db, args.who)
    if not data["dossiers"]:
        print(f"Aucun dossier pour « {args.who} »", file=sys.stderr)
        return 1
    fd = _private_file(args.output)
    with fd:
        fd.write(json.dumps(data, ensure_ascii=False, indent=2))
    print(f"{len(data['dossiers'])} dossier(s) exporté(s) dans {args.output}")
    return 0


def _private_file(path: Path):
    """Personal data: the file is created readable by its owner only."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        print("Les deux mots de passe diffèrent.", file=sys.stderr)
        return None
    return first


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.staff import StaffError, add_user

    password = _read_password(args)
    if password is None:
        return 1
    with _open(settings) as db:
        try:
            add_user(db, args.name, password)
        except StaffError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
    print(f"Compte « {args.name} » créé.")
    return 0


def cmd_staff_password(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.staff import StaffError, set_password

    password = _read_password(args)
    if password is None:
        return 1
    with _open(settings) as db:
        try:
            set_password(db, args.name, password)
        except StaffError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
    print(f"Mot de passe de « {args.name} » changé.")
    return 0


def cmd_staff_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.staff import list_users
    from assistant.store.database import utcnow

    with _open(settings) as db:
        users = list_users(db)
    if not users:
        print("Aucun compte. Créez-en un : assistant staff add NOM")
    for u in users:
        locked = "  [verrouillé]" if u.locked_until and u.locked_until > utcnow() else ""
        last = f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "jamais connecté"
        print(f"{u.name}\tcréé le {u.created_at:%Y-%m-%d}\t{last}{locked}")
    return 0


def cmd_staff_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.staff import unlock

    with _open(settings) as db:
        if not unlock(db, args.name):
            print(f"Compte « {args.name} » inconnu", file=sys.stderr)
            return 1
    print(f"Compte « {args.name} » déverrouillé.")
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.dossiers.purge import apply_purge, plan_purge

    with _open(settings) as db:
        plan = plan_purge(db, settings)
        if not plan.items:
            print(f"Rien à supprimer (conservation : {settings.privacy.retention_days} jours, "
                  f"dossiers clos avant le {plan.cutoff}).")
            return 0
        verb = "Supprimé" if args.apply else "Serait supprimé"
        for item in plan.items:
            d = item.dossier
            print(f"{verb} : {d.number} ({d.state}, {d.collectivite or 'collectivité inconnue'}, référence "
                  f"{item.reference_date}) — {len(item.message_ids)} message(s), "
                  f"{len(item.outbox_ids)} envoi(s)")
        if args.apply:
            apply_purge(db, plan)
        print(f"{len(plan.items)} dossier(s), {plan.message_count} message(s), {plan.outbox_count} envoi(s)"
              + (" supprimés." if args.apply else " seraient supprimés. Relancez avec --apply pour supprimer."))
    return 0
