"""Group sizes: how many groups, and the leftover rule.

A size range ``[min_size, max_size]`` adapts to the cohort: every number of
groups ``g`` with ``g * min_size <= n <= g * max_size`` splits ``n`` evenly
inside the range. ``size_plans`` lists those splits, the preferred first: the
one whose sizes are closest in total to the middle of the range (so 2-4 means
"triads where possible", 3-6 "groups of 4 or 5"), a size below the middle
counting twice as far as one above it (a pair loses the role-play observer, a
small circle its variety: 8 people in 2-4 make 4 + 4, not 3 + 3 + 2), and on a
tie the one with fewer groups. The engine takes the first plan the reporting lines allow, so a
manager chain that needs three groups gets them when the range permits.

Only when no ``g`` fits the range at all (``n`` below the minimum, or a gap
such as 5 people in groups of 3 to 4) does the leftover rule below apply.
Nobody is ever dropped. With ``n`` people to group:

* ``n == 0``: no groups. ``n == 1``: infeasible (nobody to pair with).
* ``n < min_size``: one group of ``n``, with a note.
* Otherwise make ``g = n // min_size`` groups (as many as the minimum allows) and
  split ``n`` as evenly as possible, so sizes differ by at most one.

  - With ``min_size == max_size == k`` this is "groups of k, and the remainder
    ``r`` goes +1 into ``r`` groups": a pair becomes a trio, a triad a group of
    four. Those groups exceed ``max_size`` by one. That is the documented
    exception, and ``Grouping.notes`` says so.
  - With a range, the sizes stay inside ``[min_size, max_size]`` whenever some
    number of groups allows it. If none does (3 to 4 people per group, and 5
    people), the even split goes above ``max_size``, with a note.
  - Only when ``n < k * k`` can the remainder exceed the number of groups. Then
    the extra people are spread round-robin, so one group may get +2 or more.
    If that would make a group of 10 or more, one more group is made instead,
    and some groups fall below ``min_size``, with a note.
"""

from __future__ import annotations

from .model import MAX_GROUP, InfeasibleGrouping

_NAMES = {2: "pair", 3: "triad"}


def size_name(size: int, plural: bool = False) -> str:
    """The name of a group size: pair, triads, group of 5, groups of 4."""
    if size in _NAMES:
        return _NAMES[size] + ("s" if plural else "")
    return f"group{'s' if plural else ''} of {size}"


def even_split(n: int, groups: int) -> list[int]:
    """``n`` split into ``groups`` sizes that differ by at most one, largest first."""
    q, r = divmod(n, groups)
    return [q + 1] * r + [q] * (groups - r)


def plan_sizes(n: int, min_size: int, max_size: int) -> tuple[list[int], list[str]]:
    """The group sizes for ``n`` people, and notes on any exception to the bounds."""
    if n == 0:
        return [], []
    if n == 1:
        raise InfeasibleGrouping(
            "Only 1 person is left to group, so they have nobody to work with; "
            "add them to an existing group by hand or wait for more people."
        )
    if n < min_size:
        return [n], [
            f"Only {n} people to group, fewer than the minimum of {min_size}, "
            f"so they form one group of {n}."
        ]
    groups = n // min_size
    sizes = even_split(n, groups)
    while sizes[0] > MAX_GROUP:
        groups += 1
        sizes = even_split(n, groups)
    return sizes, _notes(n, sizes, min_size, max_size)


def _notes(n: int, sizes: list[int], min_size: int, max_size: int) -> list[str]:
    notes: list[str] = []
    above = [s for s in sizes if s > max_size]
    below = [s for s in sizes if s < min_size]
    if above and min_size == max_size and not below and max(above) == max_size + 1:
        k = max_size
        count = len(above)
        was = size_name(k, plural=count > 1)
        became = "a group" if count == 1 else "groups"
        notes.append(
            f"{count} {was} became {became} of {k + 1} because {n} is not a multiple of {k}."
        )
    elif above or below:
        shown = ", ".join(str(s) for s in sizes)
        bounds = f"{min_size}" if min_size == max_size else f"{min_size} to {max_size}"
        notes.append(
            f"{n} people cannot be split into groups of {bounds}, so the sizes are {shown}."
        )
    return notes


def range_fits(n: int, min_size: int, max_size: int) -> bool:
    """Whether ``n`` people split into groups that all lie within the range."""
    return n == 0 or any(g * min_size <= n <= g * max_size for g in range(1, n // min_size + 1))


def _distance(sizes: list[int], target: float) -> float:
    """How far a split is from the middle of the range; below counts double."""
    return sum(2 * (target - s) if s < target else s - target for s in sizes)


def size_plans(n: int, min_size: int, max_size: int) -> list[tuple[list[int], list[str]]]:
    """The size plans to try in order (see the module docstring): the in-range
    even splits, preferred first, else the leftover rule's single plan."""
    if n >= 2:
        target = (min_size + max_size) / 2
        fitting = [
            even_split(n, g)
            for g in range(max(1, -(-n // max_size)), n // min_size + 1)
            if g * min_size <= n <= g * max_size
        ]
        if fitting:
            fitting.sort(key=lambda sizes: (_distance(sizes, target), len(sizes)))
            return [(sizes, []) for sizes in fitting]
    return [plan_sizes(n, min_size, max_size)]
