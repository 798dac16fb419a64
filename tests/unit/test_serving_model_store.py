"""ModelStore: loads only what validates, swaps atomically, remembers refused versions."""

from __future__ import annotations

import asyncio
import math
import threading

import pytest

from serving.model_store import ModelRef, ModelStore


class VersionedSource:
    """A source whose 'alias' can be moved by the test; a model is just a float probability."""

    def __init__(self) -> None:
        self.versions: dict[str, float] = {}
        self.alias: str | None = None
        self.loads = 0
        self.fail_lookup = False

    def describe(self) -> str:
        return "test source"

    def current(self) -> ModelRef | None:
        if self.fail_lookup:
            raise ConnectionError("registry down")
        if self.alias is None:
            return None
        return ModelRef(name="m", version=self.alias, alias="champion", uri=f"test:/{self.alias}")

    def load(self, ref: ModelRef) -> float:
        self.loads += 1
        value = self.versions[ref.version]
        if value < 0:
            raise OSError("artifact truncated")
        return value


def finite_probability(p: float) -> float:
    if not (math.isfinite(p) and 0.0 <= p <= 1.0):
        raise ValueError(f"smoke input gave a non-finite or out-of-range probability: {p}")
    return p


def test_no_model_then_load_then_unchanged() -> None:
    src = VersionedSource()
    store = ModelStore(src, validate=finite_probability)
    assert store.refresh().outcome == "unavailable"
    assert store.current is None
    src.versions["1"] = 0.3
    src.alias = "1"
    r = store.refresh()
    assert (r.outcome, r.version, r.previous_version) == ("loaded", "1", None)
    assert store.current is not None and store.current.model == 0.3
    assert store.refresh().outcome == "unchanged"
    assert src.loads == 1


@pytest.mark.parametrize("broken", [float("nan"), 1.5, -1.0], ids=["nan", "out-of-range", "load-error"])
def test_broken_version_is_refused_and_old_one_stays(broken: float) -> None:
    src = VersionedSource()
    src.versions.update({"1": 0.3, "2": broken})
    src.alias = "1"
    swaps: list[str] = []
    store = ModelStore(src, validate=finite_probability, on_swap=lambda s: swaps.append(s.ref.version))
    store.refresh()
    src.alias = "2"
    r = store.refresh()
    assert r.outcome == "refused" and r.version == "2" and r.error
    assert store.current is not None and store.current.ref.version == "1"
    assert "2" in store.refused
    # A refused version is not reloaded on every poll, only when forced.
    loads = src.loads
    assert store.refresh().outcome == "refused"
    assert src.loads == loads
    assert swaps == ["1"]


def test_registry_outage_keeps_current_model() -> None:
    src = VersionedSource()
    src.versions["1"] = 0.3
    src.alias = "1"
    store = ModelStore(src, validate=finite_probability)
    store.refresh()
    src.fail_lookup = True
    r = store.refresh()
    assert r.outcome == "unavailable" and "registry down" in (r.error or "")
    assert store.current is not None and store.current.ref.version == "1"


def test_readers_never_see_a_missing_model_during_swaps() -> None:
    src = VersionedSource()
    for i in range(50):
        src.versions[str(i)] = i / 100
    src.alias = "0"
    store = ModelStore(src, validate=finite_probability)
    store.refresh()
    stop = threading.Event()
    seen: list[float] = []

    def reader() -> None:
        while not stop.is_set():
            served = store.current
            assert served is not None
            seen.append(served.model)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(1, 50):
        src.alias = str(i)
        assert store.refresh().outcome == "loaded"
    stop.set()
    t.join()
    assert store.current.model == 0.49
    assert seen and all(0.0 <= v <= 0.49 for v in seen)


def test_poller_follows_the_alias() -> None:
    src = VersionedSource()
    src.versions.update({"1": 0.1, "2": 0.2})
    src.alias = "1"
    store = ModelStore(src, validate=finite_probability)

    async def scenario() -> str:
        await store.refresh_async()
        task = asyncio.create_task(store.poll_forever(0.01))
        src.alias = "2"
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.current.ref.version == "2":
                break
        task.cancel()
        return store.current.ref.version

    assert asyncio.run(scenario()) == "2"


def test_a_refused_version_is_logged_and_counted_once(caplog: pytest.LogCaptureFixture) -> None:
    """Issue #21: polls that find the alias still on a refused version neither log nor count again."""
    src = VersionedSource()
    counted: list[str] = []
    store = ModelStore(
        src,
        validate=finite_probability,
        on_outcome=lambda r: None if r.repeated else counted.append(r.outcome),
    )
    src.versions.update({"1": 0.3, "2": -1.0})
    src.alias = "1"
    store.refresh()
    src.alias = "2"
    with caplog.at_level("ERROR", logger="serving.model_store"):
        results = [store.refresh() for _ in range(5)] + [store.refresh(force=True)]
    assert [r.outcome for r in results] == ["refused"] * 6
    assert [r.repeated for r in results] == [False] + [True] * 5
    assert counted == ["loaded", "refused"]
    assert sum("refused model" in m for m in caplog.messages) == 1
    assert store.current is not None and store.current.model == 0.3
