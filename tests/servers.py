"""Real servers for tests: a private Dovecot IMAP server and an aiosmtpd SMTP capture server.

Tests talk to real servers on 127.0.0.1 rather than mocks so that IMAP quirks (UIDVALIDITY, MOVE
announced only after login, \\Seen side effects, dropped connections) are exercised for real.
This module has no pytest dependency: ``conftest.py`` only wraps it in fixtures.

The helper methods of :class:`DovecotServer` use :mod:`imaplib` directly, never the application
code, so that a bug in the application cannot hide itself in the test's own checks.
"""

from __future__ import annotations

import contextlib
import email
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from imap_tools.imap_utf7 import utf7_decode, utf7_encode

LOCALHOST = "127.0.0.1"
DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now.

    Servers are given an explicit port (aiosmtpd cannot use port 0, and a restarted server must come
    back on the same port). There is a small race with other processes; DovecotServer retries.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def port_refuses(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when nothing accepts connections on host:port (what a client of a down server sees)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def dovecot_binary() -> str | None:
    """Path of the dovecot executable, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    return next((c for c in DOVECOT_CANDIDATES if os.access(c, os.X_OK)), None)


def make_server_dir(prefix: str = "tnl-test-") -> Path:
    """Create a fresh temp dir that Dovecot's unprivileged processes can traverse.

    As root, Dovecot's auth and mail processes run as the ``dovecot`` user: pytest's own ``tmp_path``
    (under a 0700 directory) makes every login fail with "Temporary authentication failure", so we
    use ``tempfile.mkdtemp`` (under /tmp) and open it to 0755.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def remove_server_dir(path: Path) -> None:
    """Delete a directory made by :func:`make_server_dir` (files may belong to the dovecot user)."""
    shutil.rmtree(path, ignore_errors=True)


def imap_quote(name: str) -> str:
    """Encode a folder name for an imaplib command: modified UTF-7, then a quoted string.

    imaplib sends mailbox arguments verbatim, so a name with a space or an accent would break the
    command without this.
    """
    encoded = utf7_encode(name).decode("ascii")
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result: tuple[str, list[Any]], what: str) -> list[Any]:
    """Raise with the server's text unless an imaplib command answered OK."""
    typ, data = result
    if typ != "OK":
        raise RuntimeError(f"IMAP {what} failed: {typ} {data!r}")
    return data


_LIST_RE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>"[^"]*"|NIL) (?P<name>.*)$')
_FLAGS_RE = re.compile(rb"FLAGS \(([^)]*)\)")
_UID_RE = re.compile(rb"UID (\d+)")


def _unquote(value: bytes) -> bytes:
    if len(value) >= 2 and value[:1] == b'"' and value[-1:] == b'"':
        return value[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
    return value


class DovecotServer:
    """A private Dovecot instance on 127.0.0.1 with one static password for every user.

    Everything (config, sockets, state, logs, mail) lives under ``base_dir``, so parallel test runs
    do not interfere. Any user name logs in with :attr:`password` and gets its own Maildir under
    ``base_dir/home/<user>``; :attr:`user` is the one the helpers use. ``restart()`` keeps the port
    and the Maildir, so UIDVALIDITY and UIDs survive, as they would on a real server reboot.
    """

    def __init__(
        self,
        base_dir: Path,
        *,
        user: str = "label",
        password: str = "secret-test-password",
        port: int | None = None,
        binary: str | None = None,
        start_timeout: float = 10.0,
    ) -> None:
        self.base_dir = Path(base_dir)
        self.host = LOCALHOST
        self.user = user
        self.password = password
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self.binary = binary or dovecot_binary() or "dovecot"
        self.start_timeout = start_timeout
        self.config_path = self.base_dir / "dovecot.conf"
        self.log_path = self.base_dir / "dovecot.log"
        self.stderr_path = self.base_dir / "dovecot.stderr"
        self.home_root = self.base_dir / "home"
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def maildir(self) -> Path:
        """Maildir of :attr:`user` (exists after the first login)."""
        return self.home_root / self.user / "Maildir"

    def _identity(self) -> dict[str, Any]:
        """Users and ids Dovecot must run as: the package's users as root, else ourselves.

        As root, login processes refuse to run as root and mail access for UID 0 is refused.
        """
        if os.geteuid() == 0:
            try:
                internal = pwd.getpwnam("dovecot")
                pwd.getpwnam("dovenull")
            except KeyError as exc:
                raise RuntimeError("running as root needs the 'dovecot' and 'dovenull' users") from exc
            return {
                "login_user": "dovenull",
                "internal_user": "dovecot",
                "uid": internal.pw_uid,
                "gid": internal.pw_gid,
                "group": grp.getgrgid(internal.pw_gid).gr_name,
            }
        uid, gid = os.getuid(), os.getgid()
        name = pwd.getpwuid(uid).pw_name
        return {
            "login_user": name,
            "internal_user": name,
            "uid": uid,
            "gid": gid,
            "group": grp.getgrgid(gid).gr_name,
        }

    def render_config(self) -> str:
        """The self-contained dovecot.conf (nothing is read from /etc/dovecot)."""
        ident = self._identity()
        base = self.base_dir
        return f"""\
# Generated by tests/servers.py: a private test instance, not for production.
base_dir = {base}/run
state_dir = {base}/state
instance_name = tnl-test-{self.port}
protocols = imap
listen = {LOCALHOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {self.log_path}
info_log_path = {self.log_path}
mail_location = maildir:~/Maildir
mail_fsync = never
mail_max_userip_connections = 100
default_login_user = {ident["login_user"]}
default_internal_user = {ident["internal_user"]}
default_internal_group = {ident["group"]}
mail_uid = {ident["uid"]}
mail_gid = {ident["gid"]}
first_valid_uid = {ident["uid"]}
last_valid_uid = {ident["uid"]}
first_valid_gid = {ident["gid"]}
last_valid_gid = {ident["gid"]}
namespace inbox {{
  inbox = yes
}}
passdb {{
  driver = static
  args = password={self.password}
}}
userdb {{
  driver = static
  args = uid={ident["uid"]} gid={ident["gid"]} home={self.home_root}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {LOCALHOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth-worker {{
  user = $default_internal_user
}}
"""

    def _prepare_dirs(self) -> None:
        """Create the directory tree with owners and modes Dovecot's processes can use."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._check_traversable()
        self.home_root.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            ident = self._identity()
            os.chown(self.home_root, ident["uid"], ident["gid"])
        self.config_path.write_text(self.render_config(), encoding="utf-8")
        # stop() kills the idle master, which may hold this dotlock; the next master would then
        # wait for it to go stale (minutes). The state dir is private and the old group is dead.
        (self.base_dir / "state" / "instances.lock").unlink(missing_ok=True)

    def _check_traversable(self) -> None:
        """As root, fail early with a clear message if the dovecot user cannot reach base_dir."""
        for directory in [self.base_dir, *self.base_dir.parents]:
            if not directory.stat().st_mode & 0o001:
                raise RuntimeError(
                    f"{directory} is not traversable by others (mode {directory.stat().st_mode & 0o777:o}):"
                    " Dovecot's processes run as the 'dovecot' user as root and would fail with"
                    " 'Temporary authentication failure'. Use make_server_dir() (0755 under /tmp)."
                )

    def start(self) -> None:
        """Start dovecot in the foreground, in its own session, and wait for the ``* OK`` greeting."""
        if self.running:
            return
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            try:
                self._start_once()
                self._fixed_port = True  # restart() must come back on the same port
                return
            except RuntimeError as exc:
                if attempt + 1 < attempts and "Address already in use" in str(exc):
                    self.port = free_port()  # lost the race for the port: try another one
                    continue
                raise

    def _start_once(self) -> None:
        self._prepare_dirs()
        with open(self.stderr_path, "ab") as stderr:
            self._proc = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its own process group: stop() kills imap children too
                close_fds=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._kill_group()
                raise RuntimeError(f"dovecot exited with code {self._proc.returncode}:\n{self.log_tail()}")
            if self._greets():
                return
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port} in {self.start_timeout}s:\n{self.log_tail()}")

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and every process it started; return only once the port refuses.

        SIGTERM goes to the whole process group (connected ``imap`` processes keep serving their
        clients when only the master stops), so clients get ``* BYE`` as on a real shutdown. The
        children exit within milliseconds, but the master then idles 0.1-1 s on a shutdown timer:
        once it is alone it is killed (like after a crash: the next start ignores its stale pid file,
        and :meth:`_prepare_dirs` removes the instance-list lock it may have been holding).
        """
        if self._proc is None:
            return
        pgid = self._proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None or set(_group_pids(pgid)) <= {pgid}:
                break
            time.sleep(0.005)
        self._kill_group()
        self._proc.wait(timeout=timeout)
        self._proc = None
        deadline = time.monotonic() + timeout
        while not port_refuses(self.host, self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"port {self.port} still accepts connections after stopping dovecot")
            time.sleep(0.01)

    def _kill_group(self) -> None:
        assert self._proc is not None
        pgid = self._proc.pid
        if _group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while _group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.01)

    def restart(self) -> None:
        """Stop then start on the same port and Maildir (UIDVALIDITY and UIDs are kept)."""
        self.stop()
        self.start()

    def kick(self) -> None:
        """End the connected imap processes only, as a server-side disconnect would.

        The server keeps listening: clients get ``* BYE`` / a closed connection and can reconnect
        at once. SIGTERM rather than SIGKILL, so no stale Maildir lock is left behind.
        """
        if self._proc is None:
            return
        master = self._proc.pid
        kicked = [pid for pid in _group_pids(master) if pid != master and _comm(pid) == "imap"]
        for pid in kicked:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5  # return once they are gone, so the drop is not racy
        while set(kicked) & set(_group_pids(master)) and time.monotonic() < deadline:
            time.sleep(0.005)

    def log_tail(self, lines: int = 30) -> str:
        """Last lines of the dovecot log and stderr, for error messages."""
        chunks = []
        for path in (self.stderr_path, self.log_path):
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                if text:
                    chunks.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(chunks) or "(no dovecot log)"

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- imaplib helpers

    @contextlib.contextmanager
    def connect(self, user: str | None = None) -> Iterator[imaplib.IMAP4]:
        """A logged-in imaplib connection (logged out afterwards), for checks from the outside."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            _check(imap.login(user or self.user, self.password), "LOGIN")
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "", user: str | None = None) -> int:
        """APPEND a message as it would arrive; return its UID (from APPENDUID).

        ``flags`` is e.g. ``"\\\\Seen \\\\Flagged"``; empty means a new, unseen message.
        """
        with self.connect(user) as imap:
            data = _check(imap.append(imap_quote(folder), flags or None, None, raw), "APPEND")
        match = re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0] or b"")
        if match is None:
            raise RuntimeError(f"no APPENDUID in {data!r}")
        return int(match.group(1))

    def create_folder(self, name: str, user: str | None = None) -> None:
        """CREATE (and SUBSCRIBE) a folder; ``name`` uses the server separator (see :meth:`separator`)."""
        with self.connect(user) as imap:
            _check(imap.create(imap_quote(name)), "CREATE")
            _check(imap.subscribe(imap_quote(name)), "SUBSCRIBE")

    def separator(self) -> str:
        """Hierarchy separator the server announces ("." for Dovecot's default Maildir layout)."""
        with self.connect() as imap:
            data = _check(imap.list('""', '""'), "LIST")
        match = _LIST_RE.match(data[0])
        assert match is not None, data
        return _unquote(match.group("sep")).decode()

    def folders(self, user: str | None = None, *, include_noselect: bool = False) -> list[str]:
        """Names of all folders (decoded from modified UTF-7), sorted, INBOX included.

        Creating ``A.B`` makes Dovecot list a ``\\Noselect`` placeholder ``A``: it is left out unless
        ``include_noselect``, since it holds no messages and cannot be selected.
        """
        with self.connect(user) as imap:
            data = _check(imap.list('""', "*"), "LIST")
        names = []
        for line in data:
            if not isinstance(line, bytes):
                continue
            match = _LIST_RE.match(line)
            if match is None:
                raise RuntimeError(f"cannot parse LIST line {line!r}")
            attributes = match.group("flags").lower().split()
            if not include_noselect and {b"\\noselect", b"\\nonexistent"} & set(attributes):
                continue
            names.append(utf7_decode(_unquote(match.group("name"))))
        return sorted(names)

    def uids(self, folder: str = "INBOX", user: str | None = None) -> list[int]:
        """UIDs in a folder, ascending (EXAMINE: nothing is changed)."""
        with self.connect(user) as imap:
            _check(imap.select(imap_quote(folder), readonly=True), "EXAMINE")
            data = _check(imap.uid("SEARCH", "ALL"), "UID SEARCH")
        return sorted(int(uid) for uid in data[0].split())

    def _fetch(self, folder: str, item: str, user: str | None) -> list[tuple[int, bytes, bytes | None]]:
        """UID FETCH ``item`` for every message: (uid, response header, literal or None)."""
        with self.connect(user) as imap:
            _check(imap.select(imap_quote(folder), readonly=True), "EXAMINE")
            data = _check(imap.uid("SEARCH", "ALL"), "UID SEARCH")
            if not data[0]:
                return []
            data = _check(imap.uid("FETCH", "1:*", f"(UID {item})"), "UID FETCH")
        out = []
        for part in data:
            header, literal = (part[0], part[1]) if isinstance(part, tuple) else (part, None)
            match = _UID_RE.search(header)
            if match:
                out.append((int(match.group(1)), header, literal))
        return sorted(out, key=lambda row: row[0])

    def fetch_raw(self, folder: str = "INBOX", user: str | None = None) -> list[bytes]:
        """Raw bytes of every message in UID order, with BODY.PEEK so nothing becomes \\Seen."""
        return [literal or b"" for _, _, literal in self._fetch(folder, "BODY.PEEK[]", user)]

    def fetch_by_uid(self, folder: str = "INBOX", user: str | None = None) -> dict[int, bytes]:
        """Like :meth:`fetch_raw` but keyed by UID."""
        return {uid: literal or b"" for uid, _, literal in self._fetch(folder, "BODY.PEEK[]", user)}

    def flags(self, folder: str = "INBOX", user: str | None = None) -> dict[int, set[str]]:
        """Flags of every message by UID, e.g. ``{1: {"\\\\Seen"}, 2: set()}``.

        ``\\Recent`` is left out: it depends on which session looked first, so tests cannot rely on it.
        """
        result = {}
        for uid, header, _ in self._fetch(folder, "FLAGS", user):
            match = _FLAGS_RE.search(header)
            result[uid] = set(match.group(1).decode().split()) - {"\\Recent"} if match else set()
        return result

    def uidvalidity(self, folder: str = "INBOX", user: str | None = None) -> int:
        """UIDVALIDITY of a folder (STATUS)."""
        with self.connect(user) as imap:
            data = _check(imap.status(imap_quote(folder), "(UIDVALIDITY)"), "STATUS")
        match = re.search(rb"UIDVALIDITY (\d+)", data[0])
        assert match is not None, data
        return int(match.group(1))


def _load_prctl() -> Any:
    """libc's prctl, looked up once in the parent: the forked child must not import anything."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl() if os.uname().sysname == "Linux" else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the forked child: get SIGTERM if the test process dies, so no dovecot outlives a killed run.

    Linux only; elsewhere a killed test run may leave a server behind.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _group_pids(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc.

    Zombies are skipped: in a container whose PID 1 does not reap orphans they linger forever.
    """
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # Format: "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            pids.append(int(entry.name))
    return pids


def _group_alive(pgid: int) -> bool:
    if not os.path.isdir("/proc/self"):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    return bool(_group_pids(pgid))


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


# ===================================================================== SMTP


@dataclass
class CapturedMessage:
    """One message received by :class:`SmtpCapture`, as the relay saw it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)
    received_at: float = field(default_factory=time.time)


class _CaptureHandler:
    """aiosmtpd handler: store every message, or refuse the next ones when asked to."""

    def __init__(self, capture: SmtpCapture) -> None:
        self.capture = capture

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        failure = self.capture._pop_failure()
        if failure is not None:
            return failure
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.capture._record(
            CapturedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                message=parsed,
            )
        )
        return "250 Message accepted for delivery"


class SmtpCapture:
    """An SMTP relay on 127.0.0.1 that records messages instead of delivering them.

    ``stop()`` / ``start()`` come back on the same port, so tests can simulate the relay going down
    and up again; ``fail_next()`` makes DATA answer an error to test retries.
    """

    def __init__(self, port: int | None = None, data_size_limit: int = 33_554_432) -> None:
        self.host = LOCALHOST
        self.port = port if port is not None else free_port()
        self.data_size_limit = data_size_limit
        self._controller: Controller | None = None
        self._lock = threading.Lock()
        self._messages: list[CapturedMessage] = []
        self._failures: list[str] = []
        self._received = threading.Condition(self._lock)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Listen on :attr:`port` (a new aiosmtpd Controller each time: a stopped one is closed)."""
        if self._controller is not None:
            return
        controller = Controller(
            _CaptureHandler(self),
            hostname=self.host,
            port=self.port,
            data_size_limit=self.data_size_limit,
            enable_SMTPUTF8=True,
            ready_timeout=10,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening; return once the port refuses connections. Received messages are kept."""
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None
        deadline = time.monotonic() + 5
        while not port_refuses(self.host, self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"SMTP port {self.port} still accepts connections after stop()")
            time.sleep(0.01)

    def fail_next(self, code: int = 451, text: str = "Temporary failure, try again later", count: int = 1) -> None:
        """Make the next ``count`` DATA commands answer ``code text`` (4xx temporary, 5xx permanent)."""
        with self._lock:
            self._failures.extend([f"{code} {text}"] * count)

    def _pop_failure(self) -> str | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _record(self, message: CapturedMessage) -> None:
        with self._received:
            self._messages.append(message)
            self._received.notify_all()

    @property
    def messages(self) -> list[CapturedMessage]:
        """A snapshot copy of the messages received so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[CapturedMessage]:
        """Wait until at least ``count`` messages were received; return them all.

        Raises TimeoutError (with what did arrive) so a test fails with a useful message.
        """
        with self._received:
            if not self._received.wait_for(lambda: len(self._messages) >= count, timeout=timeout):
                subjects = [m.message["subject"] for m in self._messages]
                raise TimeoutError(f"expected {count} messages within {timeout}s, got {subjects!r}")
            return list(self._messages)

    def clear(self) -> None:
        """Forget received messages and pending failures."""
        with self._lock:
            self._messages.clear()
            self._failures.clear()

    def __enter__(self) -> SmtpCapture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
