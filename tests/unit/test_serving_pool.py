"""The scoring pool: CPU work leaves the event loop, and the queue in front of it is bounded."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fastapi import HTTPException

from serving.scoring_pool import ScoringPool


def test_work_runs_off_the_loop_and_a_full_queue_answers_503() -> None:
    pool = ScoringPool(threads=1, max_queued=1)
    release = threading.Event()

    async def main() -> None:
        loop_thread = threading.get_ident()
        assert await pool.run(threading.get_ident) != loop_thread
        first = asyncio.create_task(pool.run(release.wait, 5))
        second = asyncio.create_task(pool.run(release.wait, 5))
        t0 = time.perf_counter()
        await asyncio.sleep(0.05)  # the loop is free while both wait
        assert time.perf_counter() - t0 < 1.0
        with pytest.raises(HTTPException) as refused:
            await pool.run(int)
        assert refused.value.status_code == 503 and refused.value.headers == {"Retry-After": "1"}
        release.set()
        assert await first and await second
        assert await pool.run(int, "7") == 7

    asyncio.run(main())
    pool.shutdown()
    asyncio.run(pool.run(int))  # usable again after shutdown (a new app lifespan)


def test_letter_reader_refuses_text_over_the_limit_naming_it() -> None:
    from features.spec import load_spec
    from serving.letter_reader import LetterReader, TextTooLong
    from serving.schemas import EXAMPLE_LETTER

    reader = LetterReader(load_spec(), max_chars=len(EXAMPLE_LETTER), process_from_chars=0)
    assert reader.text(EXAMPLE_LETTER, "SYNTHETIC-1").rows  # at the limit: read (here, in this thread)
    with pytest.raises(TextTooLong, match=f"the limit is {len(EXAMPLE_LETTER):,} characters"):
        reader.text(EXAMPLE_LETTER + " ", None)
    with pytest.raises(TextTooLong, match="IMR_SERVE_MAX_TEXT_CHARS"):
        reader.upload((EXAMPLE_LETTER + " ").encode(), "synthetic.txt")
