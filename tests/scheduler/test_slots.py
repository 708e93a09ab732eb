"""The daemon's concurrency limit: first come first served, a cancelled waiter skipped, all turned away on close."""

from __future__ import annotations

import asyncio

from scheduler.slots import Slots


async def holder(slots: Slots, name: str, log: list[str], release: asyncio.Event) -> None:
    if not await slots.take():
        log.append(f"{name}: turned away")
        return
    log.append(f"{name}: holds")
    await release.wait()
    slots.give()


def test_waiters_get_the_slot_in_arrival_order_and_a_cancelled_one_is_skipped() -> None:
    async def main() -> list[str]:
        slots, log, go = Slots(1), [], asyncio.Event()
        tasks = [asyncio.create_task(holder(slots, n, log, go)) for n in ("a", "b", "c", "d")]
        await asyncio.sleep(0)
        tasks[1].cancel()  # b gives up while waiting
        go.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        return log

    assert asyncio.run(main()) == ["a: holds", "c: holds", "d: holds"]


def test_close_turns_every_waiter_and_every_later_one_away() -> None:
    async def main() -> tuple[list[str], bool]:
        slots, log, go = Slots(1), [], asyncio.Event()
        tasks = [asyncio.create_task(holder(slots, f"w{i}", log, go)) for i in range(1000)]
        await asyncio.sleep(0)
        slots.close()
        go.set()
        await asyncio.gather(*tasks)
        return log, await slots.take()

    log, later = asyncio.run(main())
    assert log[0] == "w0: holds" and log[1:] == [f"w{i}: turned away" for i in range(1, 1000)]
    assert later is False


def test_a_slot_handed_to_a_waiter_cancelled_before_it_ran_goes_to_the_next() -> None:
    async def main() -> list[str]:
        slots, log, go = Slots(1), [], asyncio.Event()
        assert await slots.take()
        b = asyncio.create_task(holder(slots, "b", log, go))
        c = asyncio.create_task(holder(slots, "c", log, go))
        await asyncio.sleep(0)
        slots.give()  # b is handed the slot ...
        b.cancel()  # ... and cancelled before it runs again
        go.set()
        await asyncio.gather(b, c, return_exceptions=True)
        return log

    assert asyncio.run(main()) == ["c: holds"]
