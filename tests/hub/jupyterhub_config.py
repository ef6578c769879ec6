# JupyterHub configuration for the kit's hub test (tests/test_hub.py) and `./kit bench --hub`.
#
# A throw-away hub: dummy login (any name, any password), every student server a local process of the user
# who runs the test, each with its own home folder under the test's temporary folder. Everything listens on
# 127.0.0.1 only. Started by tests/hub/hubkit.py, which passes the folder and ports in IRAQTALKS_HUB_*.
#
# Why not the stock LocalProcessSpawner: it switches to a system user of the same name (setuid, the home
# folder from /etc/passwd). Run by a normal user that fails for any other name; run as root it needs real
# system users, made and removed by the test, and every file the student servers read (the kit's .venv, the
# teacher's repository) readable by them. TmpHomeSpawner keeps everything else of LocalProcessSpawner (the
# same Popen of the same single-user command, the same polling and stopping) and only replaces the switch to
# another user by a home folder of the student's own, so the test works the same as root (CI) and as a
# normal user (both tried). The students are kept apart by their folders only, not by the operating system:
# right for a test, not for a real class, where the stock spawner (or a container spawner) does that.
import asyncio
import os
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

WORK = Path(os.environ["IRAQTALKS_HUB_WORK"])
HOMES = WORK / "homes"
VENV_BIN = Path(sys.executable).parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# "name:seconds,...": students whose server is slow to start, as on a busy hub (the test makes one so).
SLOW_START = {name: float(sec) for name, _, sec in (item.partition(":") for item in
              os.environ.get("IRAQTALKS_HUB_SLOW_START", "").split(",") if item)}

# JupyterLab settings of every student: no news or update pop-ups, no autosave (the test saves explicitly).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false", "checkForUpdates": false}',
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autosave": false}',
}


class TmpHomeSpawner(LocalProcessSpawner):
    """LocalProcessSpawner without the switch of user: the server runs as the hub's user, in HOMES/<name>."""

    def home(self) -> Path:
        return HOMES / self.user.name

    def make_preexec_fn(self, name):
        home = str(self.home())

        def preexec():
            os.chdir(home)

        return preexec

    def user_env(self, env):
        home = self.home()
        env.update(USER=self.user.name, HOME=str(home), SHELL="/bin/sh")
        # The kit in the student's own copy (the folder nbgitpuller clones into), as the README says for a
        # hub whose image has the kit's package installed.
        env["IRAQTALKS_DATA"] = str(home / os.environ["IRAQTALKS_HUB_FOLDER"] / "data")
        return env

    async def start(self):
        home = self.home()
        settings = home / ".jupyter" / "lab" / "user-settings"
        for rel, text in LAB_SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.notebook_dir = str(home)
        if self.user.name in SLOW_START:
            await asyncio.sleep(SLOW_START[self.user.name])
        return await super().start()


c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['IRAQTALKS_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['IRAQTALKS_HUB_INTERNAL_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{WORK / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(WORK / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(WORK / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # the hub stops the student servers when it stops
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = TmpHomeSpawner
# The test's own API token (to ask where the servers are, and to stop them).
c.JupyterHub.services = [{"name": "kit-test", "api_token": os.environ["IRAQTALKS_HUB_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "kit-test", "services": ["kit-test"],
                            "scopes": ["admin:users", "admin:servers", "list:users", "read:users"]}]

# The Python configurable-http-proxy from PyPI (no Node.js), from the kit's environment. Unlike the Node one,
# it ends any proxied request after 20 s (its HTTP client's default) unless --proxy-timeout says otherwise:
# the page that waits for a student's server then stops at "0% Complete" when the server takes longer.
c.ConfigurableHTTPProxy.command = [str(VENV_BIN / "configurable-http-proxy"), "--proxy-timeout=600000"]  # ms
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['IRAQTALKS_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = str(WORK / "proxy.pid")
c.ConfigurableHTTPProxy.auth_token = os.environ["IRAQTALKS_HUB_PROXY_TOKEN"]

# Student servers: JupyterLab from the kit's environment (where the kit and nbgitpuller are installed).
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--LabApp.expose_app_in_browser=True", "--ServerApp.terminals_enabled=False",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
                  *(["--allow-root"] if IS_ROOT else [])]
c.Spawner.environment = {"GIT_CONFIG_NOSYSTEM": "1", "PYTHONUNBUFFERED": "1"}
c.Spawner.start_timeout = 180  # two shared cores, other work on the machine
c.Spawner.http_timeout = 180
c.LocalProcessSpawner.interrupt_timeout = 10
c.LocalProcessSpawner.term_timeout = 5
