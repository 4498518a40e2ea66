"""Where units of work run: this process's bounded thread pool, or a Dask cluster.

Observation of an organisation (:mod:`unify.observe.organisation`) and
evaluation partitioned by account (:mod:`unify.partitions`) hand their units
to an :class:`Executor` and get the outcomes back in the order of the units,
so nothing downstream depends on where or in what order the units ran.

* ``local`` (the default): a ``ThreadPoolExecutor`` of ``max_workers``
  threads in this process, the pool a single-account observation uses;
* ``dask-local``: a ``distributed.LocalCluster`` with worker processes on
  this machine;
* ``dask://HOST:PORT``: a running ``dask.distributed`` scheduler, started with
  Dask's own commands (``dask scheduler``, ``dask worker``).

``distributed`` is an optional dependency (``pip install 'unify[dask]'``):
it is imported only when a Dask executor is asked for. The context shared by
every unit (collectors, options) is sent to the workers once, not per unit.
A unit that raises on a worker (or whose worker died) comes back as a
:class:`Failure`, never as an exception out of :meth:`Executor.map`: the
caller decides to retry it or to record it as coverage error.
"""

from __future__ import annotations

import copyreg
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar, cast

from unify.errors import InputError, Problem

__all__ = ["DASK_LOCAL", "LOCAL", "DaskExecutor", "Done", "Executor", "Failure", "LocalExecutor", "open_executor"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

LOCAL: Final = "local"
DASK_LOCAL: Final = "dask-local"
_DASK_SCHEME: Final = "dask://"


def _reduce_mapping_proxy(proxy: types.MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return (types.MappingProxyType, (dict(proxy),))


# Declarations and compiled checks freeze their mappings as read-only proxies, which pickle cannot
# copy by default; a task sent to a worker process carries them (as a copy, read-only again there).
copyreg.pickle(types.MappingProxyType, _reduce_mapping_proxy)


@dataclass(frozen=True)
class Failure:
    """A unit that did not return: it raised, or its worker was lost. ``message`` says how."""

    message: str


#: Told, in the calling process, of each item as it finishes: its index and its outcome.
Done = Callable[[int, Any], None]


class Executor(Protocol):
    """Runs ``work(shared, item)`` for every item and returns the outcomes in the items' order.

    ``done`` (if given) is called in the calling process as each item
    finishes, in the order they finish: what a resumable run writes down.
    """

    name: str

    def map(
        self,
        work: Callable[[S, T], R],
        items: Sequence[T],
        shared: S,
        *,
        on_done: Callable[[int, R | Failure], None] | None = None,
    ) -> list[R | Failure]:
        """The outcomes in the items' order; ``on_done(index, outcome)`` as each finishes, in the caller's thread."""
        ...

    def close(self) -> None: ...


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class LocalExecutor:
    """The bounded thread pool of this process (``--executor local``)."""

    name = LOCAL

    def __init__(self, max_workers: int = 16) -> None:
        self.max_workers = max_workers

    def map(
        self,
        work: Callable[[S, T], R],
        items: Sequence[T],
        shared: S,
        *,
        on_done: Callable[[int, R | Failure], None] | None = None,
    ) -> list[R | Failure]:
        def run(item: T) -> R | Failure:
            try:
                return work(shared, item)
            except Exception as exc:  # noqa: BLE001 - one unit's bug is that unit's failure, not the run's
                return Failure(_describe(exc))

        if not items:
            return []
        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="unify-unit")
        try:
            futures = {pool.submit(run, item): index for index, item in enumerate(items)}
            out: list[R | Failure | None] = [None] * len(items)
            for future in as_completed(futures):
                index = futures[future]
                outcome = future.result()
                out[index] = outcome
                if on_done is not None:
                    on_done(index, outcome)
        finally:
            # An interrupted run (Ctrl-C) starts nothing more; what finished has been told to ``on_done``.
            pool.shutdown(wait=True, cancel_futures=True)
        return cast(list[R | Failure], out)  # every index was filled above

    def close(self) -> None:
        pass


class DaskExecutor:
    """A ``dask.distributed`` client: of a ``LocalCluster`` it starts, or of a running scheduler."""

    def __init__(self, address: str | None = None, *, workers: int = 2, threads: int = 8) -> None:
        try:
            import distributed  # optional dependency: unify[dask]
        except ImportError:
            raise InputError(
                Problem(
                    "<executor>",
                    None,
                    "--executor",
                    "the Dask executors need the 'distributed' package: pip install 'unify[dask]'",
                )
            ) from None
        self._cluster: Any = None
        self._as_completed: Any = distributed.as_completed
        cluster: Any = distributed.LocalCluster  # untyped constructors
        client: Any = distributed.Client
        if address is None:
            self.name = DASK_LOCAL
            self._cluster = cluster(
                n_workers=workers,
                threads_per_worker=threads,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
            self._client: Any = client(self._cluster)
        else:
            self.name = f"{_DASK_SCHEME}{address}"
            try:
                self._client = client(f"tcp://{address}", timeout=30)
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    Problem("<executor>", None, "--executor", f"cannot reach the Dask scheduler at {address}: {exc}")
                ) from None

    @property
    def workers(self) -> int:
        """How many workers the scheduler has now."""
        return len(self._client.scheduler_info().get("workers", {}))

    def map(
        self,
        work: Callable[[S, T], R],
        items: Sequence[T],
        shared: S,
        *,
        on_done: Callable[[int, R | Failure], None] | None = None,
    ) -> list[R | Failure]:
        if not items:
            return []
        # Sent once to every worker; each task then carries only its own item.
        [context] = self._client.scatter([shared], broadcast=True, hash=False)
        futures = self._client.map(work, [context] * len(items), list(items), pure=False, retries=0)
        index = {future.key: i for i, future in enumerate(futures)}
        out: list[R | Failure | None] = [None] * len(items)
        try:
            for future in self._as_completed(futures):
                i = index[future.key]
                outcome: R | Failure
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker or a raising task fails that unit only
                    outcome = Failure(_describe(exc))
                out[i] = outcome
                if on_done is not None:
                    on_done(i, outcome)
        finally:
            self._client.cancel([context, *futures])
        return cast(list[R | Failure], out)  # every index was filled above

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_executor(spec: str, *, max_workers: int = 16, workers: int = 2) -> Executor:
    """The executor ``--executor SPEC`` names: ``local``, ``dask-local`` or ``dask://HOST:PORT``."""
    if spec == LOCAL:
        return LocalExecutor(max_workers)
    if spec == DASK_LOCAL:
        return DaskExecutor(workers=workers)
    if spec.startswith(_DASK_SCHEME):
        address = spec.removeprefix(_DASK_SCHEME)
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise InputError(Problem("<executor>", None, "--executor", f"{spec!r}: expected dask://HOST:PORT"))
        return DaskExecutor(address)
    raise InputError(
        Problem("<executor>", None, "--executor", f"unknown executor {spec!r}: local, dask-local or dask://HOST:PORT")
    )
