"""Intake throughput: the whole ``run --once`` pipeline beside the raw cost of IMAP fetch + SMTP send.

What is measured, for each backlog size (``--messages``, default 1,000, plus every ``--sizes``):

1. N realistic messages are APPENDed (one imaplib connection, not timed) to a fresh mailbox of a
   private Dovecot (``tests/servers.py``): ~80 % FAQ questions, 5 % candidatures with numbered
   answers, and 15 % that must never be answered (out-of-office replies, mailing-list posts,
   bounces). Every message has its own sender, so the per-sender cap (5 replies a day) never
   suppresses a reply.
2. **raw fetch**: imap-tools alone (``MailBoxUnencrypted``, login, ``fetch(mark_seen=False,
   bulk=100)``) reads the N messages. One untimed pass warms Dovecot's caches first, so the
   pipeline, which comes next, does not profit from a cache the baseline had to fill.
3. **pipeline**: in a *child process* (``python3 bench/intake.py --child …``), ``Runner(settings)``
   then ``runner.run_once()`` then ``close()`` — exactly what ``assistant run --once`` does after
   its imports: IMAP fetch by UID, store in SQLite, UID MOVE, classification, templated replies
   queued in the outbox, outbox flushed over SMTP to an aiosmtpd capture server. Logging is at
   INFO (as the CLI) into a file. Timed with ``time.perf_counter`` around those three calls; the
   stage split (fetch+store+move / process / send) comes from timing wrappers put on
   ``runner.pipeline.run_pending`` and ``runner.sender.flush``.
4. **raw send**: smtplib alone sends N messages over one connection to the same capture server,
   each one of the replies the pipeline actually produced (so the same size as ours).

How to read the table (one row per backlog size):

- ``pipeline msg/s`` = N / pipeline time; ``raw msg/s`` = N / (t_fetch + t_send), the rate a
  program that did nothing but fetch and send would reach; ``ratio`` = pipeline / raw. The aim
  of issue 2 is ratio >= 0.50.
- ``replies`` = replies captured by the SMTP server during the pipeline run / answerable messages
  generated. They must be equal: otherwise the command prints why and exits with status 1.
- ``fetch+store s`` = pipeline - process - send: opening the store (migrations), IMAP login, fetch,
  parse, SQLite insert + commit of every message, UID MOVE. ``process s`` is ``run_pending``
  (classify, feature handlers, reply rendering, outbox insert), ``send s`` the outbox flush.
- Memory, measured inside the child: ``RSS base`` is its resident set (``VmRSS``) once the imports
  are done and the Runner is built, just before ``run_once``; ``RSS peak`` the high-water mark
  (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, KiB on Linux) after it; ``growth`` = peak - base
  is what handling the backlog costs (lazy loads such as the FAQ corpus included, the same at every
  size). "Flat with backlog size" means ``growth`` does not grow with N. ``--tracemalloc`` adds
  the Python heap peak (``tracemalloc.get_traced_memory()``) of ``run_once``, but slows the run
  down, so its rates are not comparable (a note says so).
- Timings are wall-clock on a shared machine: ``--repeat K`` runs every size K times on fresh
  backlogs and keeps the fastest pipeline run and the fastest raw fetch and send.

``--profile FILE`` writes a cProfile of the pipeline run of the largest size to FILE and prints
its top functions by cumulative and by own time.

    python3 bench/intake.py [--messages 1000] [--sizes 250,2000] [--repeat K] [--tracemalloc]
                            [--profile FILE]

Exit status 1 when a reply is missing or extra (or a message was not fetched/processed).
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import io
import itertools
import json
import logging
import pstats
import resource
import smtplib
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from imap_tools import MailBoxUnencrypted  # noqa: E402
from intake_support import LABEL, make_settings  # noqa: E402
from servers import DovecotServer, SmtpCapture, make_server_dir, remove_server_dir  # noqa: E402

FETCH_BULK = 100
AIM_RATIO = 0.5
T = TypeVar("T")

# ============================================================================ realistic messages

COMMUNES = ("saint-andre", "villeneuve", "beaulieu", "montreuil-sur-mer", "la-roche", "plouzane", "ecully",
            "saint-genis", "belleville", "fontaine", "agglo-exemple", "cc-du-val", "ville-exemple")
FIRST = ("Claire", "Paul", "Marie", "Jean", "Sophie", "Luc", "Élodie", "François", "Nadia", "Hervé", "Anaïs",
         "Karim", "Inès", "Gaël", "Chloé")
LAST = ("Martin", "Leroy", "Durand", "Dupont", "Moreau", "Lefèvre", "Garnier", "Benali", "Le Gall", "Rousseau",
        "Perrin", "Faure")

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Question sur le label", "Notre commune de {hab} habitants utilise LibreOffice et Firefox. Est-ce que la "
     "participation au label est payante ?\nEt comment faut-il faire pour candidater ?"),
    ("Date limite de candidature", "Pourriez-vous me rappeler la date limite de dépôt des candidatures pour "
     "cette année ? Notre conseil municipal ne se réunit qu'à la fin du mois."),
    ("Renseignements", "Bonjour,\n\nnous sommes une petite communauté de communes ({hab} habitants). Peut-on "
     "candidater si nous n'avons pas encore de délibération sur les logiciels libres ?"),
    ("Niveaux du label", "Combien y a-t-il de niveaux (de « libres ») et que faut-il pour obtenir le niveau "
     "supérieur à celui de l'an dernier ?"),
    ("Questionnaire en ligne ?", "Le questionnaire doit-il être rempli en ligne ou peut-on vous l'envoyer "
     "au format ODT par courriel ? Et faut-il une signature de l'élu ?"),
    ("Remise des prix", "Où et quand aura lieu la remise du label ? Combien de personnes peuvent venir "
     "représenter la collectivité ?"),
    ("Open data", "Nous publions {n} jeux de données sur data.gouv.fr. Est-ce pris en compte si nous n'avons "
     "pas notre propre portail ?"),
    ("Mutualisation", "Nos logiciels sont hébergés par le syndicat informatique départemental. Comment "
     "répondre aux questions sur l'infrastructure dans ce cas ?"),
)

SIGNATURE = ("\n\nCordialement,\n{name}\n{role}\nMairie de {commune_title}\nTél. 04 67 {a:02d} {b:02d} {c:02d}\n"
             "--\nCe message et ses pièces jointes sont confidentiels et destinés exclusivement à leurs "
             "destinataires.\nSi vous n'êtes pas destinataire de ce message, merci de le détruire.\n")

QUOTED = ("\n\nLe 02/10/2024 à 10:14, Label TNL a écrit :\n> Bonjour,\n> merci pour votre message, l'équipe "
          "vous répondra rapidement.\n> Le label Territoire Numérique Libre\n")

CANDIDATURE_LINES = (
    "0.1 Nom de la collectivité : {commune_title}",
    "0.2 Type de structure : commune",
    "0.3 Numéro du département : {dept}",
    "0.4 Nombre d'habitants : {hab}",
    "0.5 Élu·e référent·e : {name}, adjoint·e au numérique",
    "0.7 Responsable de la candidature : {name}",
    "1.1 Enjeux : souveraineté numérique, maîtrise des coûts, mutualisation avec les communes voisines.",
    "1.2 Soutien interne : le maire, la DGS et la commission numérique.",
    "1.4 Plan d'action : migration bureautique LibreOffice d'ici 2025, messagerie libre, SIG QGIS.",
    "2.1 Formats ouverts : ODF pour les documents, CSV et JSON pour les données.",
    "3.1 Logiciels génériques : LibreOffice, Firefox, Thunderbird.",
    "3.2 Logiciels métiers : openCimetière, openADS, QGIS.",
    "3.4 Postes sous système libre : {n}",
    "4.1 Formation des agents : ateliers mensuels et tutoriels internes.",
    "5.1 Portail open data : https://data.{domain}",
    "5.3 Licence : Licence Ouverte 2.0",
)


@dataclass(frozen=True)
class Backlog:
    raws: list[bytes]
    answerable: int
    kinds: dict[str, int]


def _sender(i: int, run: str) -> tuple[str, str, str, str]:
    """(display name, address, commune title, domain), distinct address for every message."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    commune = COMMUNES[i % len(COMMUNES)]
    domain = f"mairie-{commune}.fr"
    local = f"{first}.{last}".lower().replace(" ", "-").replace("é", "e").replace("è", "e").replace("ï", "i")
    local = local.replace("ç", "c").replace("ë", "e")
    return f"{first} {last}", f"{local}.{run}{i}@{domain}", commune.replace("-", " ").title(), domain


def _base(i: int, run: str, subject: str, sender: tuple[str, str]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(sender)
    msg["To"] = f"Label TNL <{LABEL}>"
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<bench-{run}-{i}.{time.time_ns()}@{sender[1].split('@')[1]}>"
    msg["MIME-Version"] = "1.0"
    msg["User-Agent"] = "Mozilla/5.0 Thunderbird/115.10.1" if i % 2 else "Microsoft Outlook 16.0"
    return msg


def _question(i: int, run: str) -> EmailMessage:
    name, address, commune_title, _domain = _sender(i, run)
    subject, body = QUESTIONS[i % len(QUESTIONS)]
    fields = {"hab": 800 + 37 * i, "n": i % 90 + 3, "name": name, "role": "Secrétaire de mairie",
              "commune_title": commune_title, "a": i % 100, "b": (i * 7) % 100, "c": (i * 13) % 100}
    text = "Bonjour,\n\n" + body.format(**fields) + SIGNATURE.format(**fields) + (QUOTED if i % 3 == 0 else "")
    msg = _base(i, run, subject, (name, address))
    msg.set_content(text)
    if i % 2:  # half of them as a mail client sends them: text and HTML alternatives
        html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
        msg.add_alternative(f"<html><body style=\"font-family: Arial\">{html}</body></html>", subtype="html")
    return msg


def _candidature(i: int, run: str) -> EmailMessage:
    name, address, commune_title, domain = _sender(i, run)
    fields = {"hab": 2000 + 91 * i, "n": i % 40, "name": name, "commune_title": commune_title,
              "dept": 1 + i % 95, "domain": domain}
    lines = "\n".join(line.format(**fields) for line in CANDIDATURE_LINES)
    msg = _base(i, run, f"Candidature au label TNL - {commune_title}", (name, address))
    msg.set_content("Bonjour,\n\nVeuillez trouver ci-dessous notre candidature au label.\n\n" + lines
                    + "\n\nCordialement,\n" + name + "\n")
    return msg


def _out_of_office(i: int, run: str) -> EmailMessage:
    name, address, _commune, _domain = _sender(i, run)
    msg = _base(i, run, "Réponse automatique : Re: Question sur le label", (name, address))
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content("Bonjour,\n\nJe suis absent·e jusqu'au 28 octobre. Pour toute question urgente, "
                    "contactez le standard au 04 67 00 00 00.\n\n" + name + "\n")
    return msg


def _list_post(i: int, run: str) -> EmailMessage:
    msg = _base(i, run, "[libre-territoires] Retour d'expérience migration messagerie",
                ("Liste Libre Territoires", f"libre-territoires-{run}{i}@listes.exemple.org"))
    msg["List-Id"] = "<libre-territoires.listes.exemple.org>"
    msg["List-Unsubscribe"] = "<mailto:libre-territoires-unsubscribe@listes.exemple.org>"
    msg["Precedence"] = "list"
    msg.set_content("Bonjour à toutes et à tous,\n\nvoici notre retour sur la migration de la messagerie "
                    "de la ville vers une solution libre...\n" + "Détail de la migration. " * 40 + "\n")
    return msg


def _bounce(i: int, run: str) -> EmailMessage:
    msg = _base(i, run, "Undelivered Mail Returned to Sender", ("Mail Delivery System", "MAILER-DAEMON@mx.exemple.net"))
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("This is the mail system at host mx.exemple.net.\n\nI'm sorry to have to inform you that "
                    "your message could not be delivered.\n\n<ancien.contact@commune-disparue.fr>: 550 5.1.1 "
                    "User unknown\n")
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.exemple.net\n\nFinal-Recipient: rfc822; "
                       "ancien.contact@commune-disparue.fr\nAction: failed\nStatus: 5.1.1\n")
    msg.make_mixed()
    msg.attach(status)
    msg.replace_header("Content-Type", msg.get("Content-Type").replace("multipart/mixed", "multipart/report"))
    msg.set_param("report-type", "delivery-status")
    return msg


# kind -> (builder, answered?)
KINDS: dict[str, tuple[Callable[[int, str], EmailMessage], bool]] = {
    "question": (_question, True),
    "candidature": (_candidature, True),
    "absence": (_out_of_office, False),
    "liste": (_list_post, False),
    "rebond": (_bounce, False),
}


def kind_of(i: int) -> str:
    """Mix over 20 messages: 16 questions, 1 candidature, 1 out-of-office, 1 list post, 1 bounce."""
    return {0: "candidature", 7: "absence", 13: "liste", 19: "rebond"}.get(i % 20, "question")


def make_backlog(count: int, run: str) -> Backlog:
    raws: list[bytes] = []
    kinds: dict[str, int] = {}
    answerable = 0
    for i in range(count):
        kind = kind_of(i)
        builder, answered = KINDS[kind]
        raws.append(builder(i, run).as_bytes())
        kinds[kind] = kinds.get(kind, 0) + 1
        answerable += int(answered)
    return Backlog(raws, answerable, kinds)


# ============================================================================ measurements


@dataclass
class ChildResult:
    fetched: int
    processed: int
    sent: int
    deferred: int
    failed: int
    seconds: float
    process_seconds: float
    send_seconds: float
    rss_base_kib: int
    rss_peak_kib: int
    heap_peak_bytes: int | None


@dataclass
class Row:
    size: int
    answerable: int
    replies: int
    pipeline: ChildResult
    fetch_seconds: float
    send_seconds: float

    @property
    def pipeline_rate(self) -> float:
        return self.size / self.pipeline.seconds

    @property
    def raw_rate(self) -> float:
        return self.size / (self.fetch_seconds + self.send_seconds)

    @property
    def ratio(self) -> float:
        return self.pipeline_rate / self.raw_rate


def _timed(func: Callable[[], T], into: list[float]) -> Callable[[], T]:
    def wrapper() -> T:
        start = time.perf_counter()
        try:
            return func()
        finally:
            into.append(time.perf_counter() - start)

    return wrapper


def _max_rss_kib() -> int:
    """High-water mark of this process's resident set (Linux: KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _current_rss_kib() -> int:
    """Resident set right now (VmRSS), falling back to the high-water mark off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return _max_rss_kib()


def child_main(spec: dict[str, Any]) -> None:
    """In the child process: build the Runner, run once, print a ChildResult as JSON on stdout."""
    from assistant.runner import Runner

    work = Path(spec["work"])
    logging.basicConfig(level=logging.INFO, filename=str(work / "assistant.log"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    dovecot = SimpleNamespace(host=spec["host"], port=spec["imap_port"], user=spec["user"],
                              password=spec["password"])
    smtp = SimpleNamespace(host=spec["host"], port=spec["smtp_port"])
    settings = make_settings(work, dovecot, smtp)
    process_times: list[float] = []
    send_times: list[float] = []

    start = time.perf_counter()
    runner = Runner(settings)
    runner.pipeline.run_pending = _timed(runner.pipeline.run_pending, process_times)  # type: ignore[method-assign]
    runner.sender.flush = _timed(runner.sender.flush, send_times)  # type: ignore[method-assign]
    build_seconds = time.perf_counter() - start
    rss_base = _current_rss_kib()
    if spec["tracemalloc"]:
        tracemalloc.start()
    profiler = cProfile.Profile() if spec["profile"] else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    report = runner.run_once()
    runner.close()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start + build_seconds
    heap_peak = tracemalloc.get_traced_memory()[1] if spec["tracemalloc"] else None
    rss_peak = _max_rss_kib()
    if profiler is not None:
        profiler.dump_stats(spec["profile"])
    result = ChildResult(report.fetched, report.processed, report.outbox.sent, report.outbox.deferred,
                         report.outbox.failed, seconds, sum(process_times), sum(send_times), rss_base, rss_peak,
                         heap_peak)
    print(json.dumps(asdict(result)))


def _run_child(spec: dict[str, Any]) -> str:
    """Run this file with ``--child SPEC`` and return the last line it printed."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{spec['mode']} child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc.stdout.strip().splitlines()[-1]


def run_pipeline(spec: dict[str, Any]) -> ChildResult:
    return ChildResult(**json.loads(_run_child({**spec, "mode": "pipeline"})))


def append_all(server: DovecotServer, raws: list[bytes], user: str) -> None:
    with server.connect(user) as imap:
        for raw in raws:
            typ, data = imap.append("INBOX", None, None, raw)
            if typ != "OK":
                raise RuntimeError(f"APPEND failed: {data!r}")


def raw_fetch(spec: dict[str, Any]) -> tuple[int, float]:
    """imap-tools alone: login, then every message of INBOX in bulks, not marked seen."""
    start = time.perf_counter()
    with MailBoxUnencrypted(spec["host"], spec["imap_port"]).login(spec["user"], spec["password"],
                                                                     initial_folder="INBOX") as box:
        count = sum(1 for _msg in box.fetch(mark_seen=False, bulk=FETCH_BULK))
    return count, time.perf_counter() - start


def raw_send(spec: dict[str, Any]) -> tuple[int, float]:
    """smtplib alone: ``count`` messages over one connection, cycling through the saved replies."""
    replies = [path.read_bytes() for path in sorted(Path(spec["replies"]).glob("*.eml"))]
    count = spec["count"]
    start = time.perf_counter()
    with smtplib.SMTP(spec["host"], spec["smtp_port"], timeout=30) as conn:
        for i, raw in zip(range(count), itertools.cycle(replies), strict=False):
            conn.sendmail(LABEL, [f"destinataire{i}@mairie-exemple.fr"], raw)
    return count, time.perf_counter() - start


def baseline_child(spec: dict[str, Any]) -> None:
    """In a child process, like the pipeline: one raw measurement, printed as JSON (count, seconds)."""
    count, seconds = raw_fetch(spec) if spec["mode"] == "fetch" else raw_send(spec)
    print(json.dumps({"count": count, "seconds": seconds}))


def run_baseline(spec: dict[str, Any]) -> tuple[int, float]:
    data = json.loads(_run_child(spec))
    return int(data["count"]), float(data["seconds"])


def measure(server: DovecotServer, smtp: SmtpCapture, size: int, rep: int, work: Path, *, tracemalloc_on: bool,
            profile: str | None) -> tuple[Row, Backlog]:
    """One row: append a fresh backlog, raw fetch, pipeline, raw send (each timed in its own child)."""
    user = f"bench{size}r{rep}"  # a fresh Maildir, and a fresh store below
    backlog = make_backlog(size, f"n{size}r{rep}-")
    append_all(server, backlog.raws, user)
    run_dir = work / f"run-{size}-{rep}"
    run_dir.mkdir()
    spec: dict[str, Any] = {"work": str(run_dir), "host": server.host, "imap_port": server.port, "user": user,
                            "password": server.password, "smtp_port": smtp.port}

    run_baseline({**spec, "mode": "fetch"})  # warm-up: Dovecot builds its index and cache, the page cache fills
    fetched, fetch_seconds = run_baseline({**spec, "mode": "fetch"})
    if fetched != size:
        raise RuntimeError(f"raw fetch read {fetched} messages, expected {size}")

    smtp.clear()
    result = run_pipeline({**spec, "tracemalloc": tracemalloc_on, "profile": profile})
    captured = [m.raw for m in smtp.messages]
    replies = captured or [backlog.raws[0]]
    replies_dir = run_dir / "replies"
    replies_dir.mkdir()
    for n, raw in enumerate(replies):
        (replies_dir / f"{n:06d}.eml").write_bytes(raw)

    smtp.clear()
    sent, send_seconds = run_baseline({**spec, "mode": "send", "replies": str(replies_dir), "count": size})
    smtp.wait_for(sent, timeout=60)
    smtp.clear()
    return Row(size, backlog.answerable, len(captured), result, fetch_seconds, send_seconds), backlog


def problems(row: Row) -> list[str]:
    """Why a run does not count: a reply missing or extra, a message not fetched or not processed."""
    p, size = row.pipeline, row.size
    found = []
    if row.replies != row.answerable:
        found.append(f"{size}: {row.replies} replies captured for {row.answerable} answerable messages")
    if p.fetched != size or p.processed != size:
        found.append(f"{size}: fetched {p.fetched}, processed {p.processed}, expected {size}")
    if p.sent != row.answerable or p.deferred or p.failed:
        found.append(f"{size}: outbox sent {p.sent} (deferred {p.deferred}, failed {p.failed}), "
                     f"expected {row.answerable} sent")
    return found


def best_of(runs: list[Row]) -> Row:
    """Repetitions of one size: the fastest pipeline run (with its memory), the fastest raw fetch and send."""
    best = min(runs, key=lambda row: row.pipeline.seconds)
    return replace(best, fetch_seconds=min(row.fetch_seconds for row in runs),
                   send_seconds=min(row.send_seconds for row in runs))


# ============================================================================ report


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def render(rows: list[Row], main_size: int, tracemalloc_on: bool) -> str:
    header = ["messages", "pipeline s", "fetch+store s", "process s", "send s", "pipeline msg/s", "raw fetch s",
              "raw send s", "raw msg/s", "ratio", "replies", "RSS base MiB", "RSS peak MiB", "growth MiB"]
    if tracemalloc_on:
        header.append("heap peak MiB")
    lines = [header]
    for row in rows:
        p = row.pipeline
        fetch_store = p.seconds - p.process_seconds - p.send_seconds
        cells = [f"{row.size:,}" + (" *" if row.size == main_size else ""), f"{p.seconds:.2f}", f"{fetch_store:.2f}",
                 f"{p.process_seconds:.2f}", f"{p.send_seconds:.2f}", f"{row.pipeline_rate:.0f}",
                 f"{row.fetch_seconds:.2f}", f"{row.send_seconds:.2f}", f"{row.raw_rate:.0f}", f"{row.ratio:.2f}",
                 f"{row.replies}/{row.answerable}", _mib(p.rss_base_kib), _mib(p.rss_peak_kib),
                 _mib(p.rss_peak_kib - p.rss_base_kib)]
        if tracemalloc_on:
            cells.append(f"{(p.heap_peak_bytes or 0) / 2**20:.1f}")
        lines.append(cells)
    widths = [max(len(line[col]) for line in lines) for col in range(len(header))]
    out = io.StringIO()
    for n, line in enumerate(lines):
        out.write("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * width for width in widths) + "\n")
    return out.getvalue()


def _print_profile(path: str) -> None:
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(path, stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(25)
        print(f"\n--- profile of the pipeline, by {order} ({path})")
        print("\n".join(stream.getvalue().splitlines()[4:]))


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=1000, help="backlog of the main row (default 1000)")
    parser.add_argument("--sizes", type=_sizes, default=[250, 2000],
                        help="other backlog sizes, comma-separated, to see memory against size (default 250,2000;"
                             " empty for none)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per size, each on a fresh backlog; the table keeps the fastest (default 1)")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the Python heap peak (slower)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the largest pipeline run into FILE")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        (child_main if spec["mode"] == "pipeline" else baseline_child)(spec)
        return 0

    sizes = sorted({args.messages, *args.sizes})
    work = make_server_dir("tnl-bench-")
    rows: list[Row] = []
    failures: list[str] = []
    kinds: dict[str, int] = {}
    try:
        server = DovecotServer(work / "dovecot")
        smtp = SmtpCapture()
        with server, smtp:
            for size in sizes:
                runs: list[Row] = []
                for rep in range(args.repeat):
                    profile = args.profile if args.profile and size == sizes[-1] and rep == 0 else None
                    row, backlog = measure(server, smtp, size, rep, work, tracemalloc_on=args.tracemalloc,
                                           profile=profile)
                    failures += problems(row)
                    runs.append(row)
                    kinds = backlog.kinds if size == args.messages else kinds
                rows.append(best_of(runs))
    finally:
        remove_server_dir(work)

    mix = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    print(f"Intake benchmark: Dovecot (private, maildir) → run --once → SMTP capture (aiosmtpd), Python "
          f"{sys.version.split()[0]}")
    print(f"Backlog of {args.messages:,}: {mix}; one sender per message.\n")
    print(render(rows, args.messages, args.tracemalloc))
    main_row = next(row for row in rows if row.size == args.messages)
    verdict = "met" if main_row.ratio >= AIM_RATIO else "NOT met"
    print(f"* main row. Aim pipeline >= {AIM_RATIO:.2f} x raw fetch+send: {verdict} ({main_row.ratio:.2f}).")
    growths = [row.pipeline.rss_peak_kib - row.pipeline.rss_base_kib for row in rows]
    print(f"RSS growth during run_once from {sizes[0]:,} to {sizes[-1]:,} messages: "
          f"{_mib(growths[0])} → {_mib(growths[-1])} MiB (ru_maxrss after run_once - VmRSS before, in the child).")
    if args.tracemalloc:
        print("Note: --tracemalloc was on, so the pipeline rates above are slowed down by the tracing.")
    if args.profile:
        _print_profile(args.profile)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
