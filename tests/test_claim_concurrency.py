"""Two reviewers asking at the same moment never get the same task: 20 parallel claims on 10 tasks."""

from __future__ import annotations

import threading

from review_app.db import session_scope
from review_app.models import Role, User
from review_app.services.tasks import claim_next
from tests.helpers import make_user, seed_review_tasks


def test_twenty_parallel_claims_on_ten_tasks(runtime):  # type: ignore[no-untyped-def]
    tasks = seed_review_tasks(runtime, 10)
    users = [make_user(runtime, f"r{n}@example.com", Role.REVIEWER) for n in range(20)]
    barrier = threading.Barrier(len(users))
    results: dict[int, int | None] = {}
    errors: list[BaseException] = []

    def claim(user_id: int) -> None:
        try:
            with session_scope(runtime.database_url) as session:
                user = session.get(User, user_id)
                session.commit()  # hold no transaction (nor SQLite's write lock) while waiting to start
                barrier.wait(timeout=30)
                task = claim_next(session, user, runtime.settings)
                results[user_id] = task.id if task else None
        except BaseException as e:  # reported below, never swallowed
            errors.append(e)

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    claimed = [t for t in results.values() if t is not None]
    assert sorted(claimed) == sorted(tasks), "every task claimed exactly once"
    assert len(set(claimed)) == 10
    assert sum(1 for t in results.values() if t is None) == 10, "the other ten are told there is nothing left"
