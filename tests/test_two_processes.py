"""Work shared with a forked process: the same results as doing it all here, in order,
whatever the other process does."""

from __future__ import annotations

import os

from casebook.content import two_processes
from casebook.content.two_processes import map_in_two


def square_and_where(number: int) -> list[int]:
    return [number * number, os.getpid()]


def test_results_come_back_in_order_half_from_another_process():
    items = list(range(200))
    results = map_in_two(square_and_where, items)
    assert [square for square, _ in results] == [n * n for n in items]
    places = {pid for _, pid in results}
    assert os.getpid() in places and len(places) == 2
    assert {pid for _, pid in results[1::2]} == places - {os.getpid()}


def test_few_items_stay_in_this_process():
    results = map_in_two(square_and_where, list(range(two_processes.WORTH_A_PROCESS - 1)))
    assert {pid for _, pid in results} == {os.getpid()}
    results = map_in_two(square_and_where, list(range(two_processes.WORTH_A_PROCESS)))
    assert len({pid for _, pid in results}) == 2  # from that many on, shared


def test_a_caller_may_say_how_few_items_are_worth_a_process():
    assert len({pid for _, pid in map_in_two(square_and_where, [1, 2], worth=2)}) == 2
    assert {pid for _, pid in map_in_two(square_and_where, [1], worth=2)} == {os.getpid()}


def test_a_failing_helper_leaves_its_share_to_this_process():
    parent = os.getpid()

    def fails_elsewhere(number: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the helper broke")
        return number + 1

    assert map_in_two(fails_elsewhere, list(range(100))) == list(range(1, 101))


def test_a_helper_that_dies_leaves_its_share_to_this_process():
    parent = os.getpid()

    def dies_elsewhere(number: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return -number

    assert map_in_two(dies_elsewhere, list(range(100))) == [-n for n in range(100)]
