"""Parent links: depths, cycles and unknown parents, in one linear pass.

Every hierarchy the package reads (the tidy standards table's ``parent_id``, a plain
CSV's ``parent_code``, a CASE package's ``isChildOf`` associations) is a map
``node -> parent``. :func:`walk_parents` checks it once for all of them, so the three
readers report cycles the same way and none of them is slower than linear: each node is
visited once, without recursion (a 100,000-deep chain is as cheap as 100,000 flat
rows, and cannot hit Python's recursion limit).

Deeper than :data:`MAX_DEPTH` levels is refused by the readers: no real framework is
more than about ten levels deep, and each row's ``match_text`` repeats its ancestors'
labels, so a chain of ``n`` items makes text that grows as ``n * n``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

#: Deepest hierarchy accepted (levels; the top is level 1). A 2,000-item chain of
#: short texts makes about 2 million ``match_text`` parts; 100,000 would make 5 billion.
MAX_DEPTH = 2_000


@dataclass
class Walk:
    """What :func:`walk_parents` found.

    ``depth``: node -> 0 at the top, for every node whose ancestors all exist and do not
    loop; ``order``: those nodes, each after its parent (a top-down order);
    ``cycles``: each cycle once, its nodes from the first one met, child to parent;
    ``unknown``: node -> the parent it names that is not a node (in node order).
    Nodes inside a cycle, below one, or below an unknown parent have no depth.
    """

    depth: dict = field(default_factory=dict)
    order: list = field(default_factory=list)
    cycles: list = field(default_factory=list)
    unknown: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.cycles and not self.unknown

    def too_deep(self, limit: int = MAX_DEPTH) -> list:
        """Nodes at level ``limit + 1`` (depth ``limit``): the first node past the limit on each chain."""
        return [node for node in self.order if self.depth[node] == limit]


def walk_parents(nodes: Iterable[Hashable], parent_of: Mapping) -> Walk:
    """Follow ``parent_of`` from every node once (linear in the number of nodes).

    ``parent_of[node]`` is the node's parent; a missing key or a falsy value (``""``,
    ``None``) means the node is at the top. ``nodes`` fixes the order in which nodes are
    started from, so cycles are reported at the first node (in that order) that reaches
    them and ``order`` is stable.
    """
    nodes = list(nodes)
    known = set(nodes)
    result = Walk()
    depth = result.depth
    failed: set = set()  # in a cycle, below one, or below an unknown parent
    for start in nodes:
        if start in depth or start in failed:
            continue
        path: list = []
        position: dict = {}  # node -> index in path (the walk in progress)
        current = start
        base: int | None = -1  # depth of the node above the path's top; None: the chain is broken
        while True:
            if current in depth:
                base = depth[current]
                break
            if current in failed:
                base = None
                break
            if current in position:  # back on the walk in progress: a new cycle
                result.cycles.append(path[position[current]:])
                base = None
                break
            position[current] = len(path)
            path.append(current)
            parent = parent_of.get(current)
            if not parent:
                break
            if parent not in known:
                result.unknown[current] = parent
                base = None
                break
            current = parent
        if base is None:
            failed.update(path)
            continue
        for offset, node in enumerate(reversed(path), start=1):
            depth[node] = base + offset
            result.order.append(node)
    if result.unknown:
        result.unknown = {node: result.unknown[node] for node in nodes if node in result.unknown}
    return result
