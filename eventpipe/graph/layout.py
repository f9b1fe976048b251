"""Where each node of a page goes: a grid with one band per consumer.

Every lane has the same columns, so a reader's eye runs down one column to compare
consumers (all queues line up, all DLQs line up):

    bar | rule / subscription | intake queue | pipe | queue | function | alarm bar
        | no-group rule       | intake DLQ   |      | DLQ   |          |

The event sources (the bus, each SNS topic, the producers of directly fed queues) are
vertical bars spanning the lanes they feed, and the alarm topic a bar on the right, so
each lane's links to them are short horizontal arrows whatever the number of lanes.
Stack-level resources that are not on an event's path (the event archive, the delivery
DLQ, the circuit breaker, the dead-letter archiver and its bucket) sit in two rows above
the lanes. Text is cut to its box with an ellipsis; the SVG keeps the whole text in each
node's tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventpipe.graph.model import Edge, Lane, Node, Page

MARGIN = 20.0
CAPTION_H = 34.0
BAR_W = 30.0
BOX_H = 56.0
"""A label and two lines of facts."""
ROW_GAP = 20.0
"""Between a lane's two rows: room for a vertical arrow's label beside it."""
LANE_TITLE_H = 18.0
LANE_GAP = 12.0
HEADER_GAP = 26.0
FONT_PX = 12.0
LABEL_PX = 11.0
CHAR_W = 7.0
"""A generous average advance of a 12 px sans-serif character (DejaVu Sans, the widest
common default, averages about 6.9 px on this text), so a cut line never overflows."""
CHAR_W_BOLD = 7.7
LABEL_CHAR_W = 6.5
PADDING = 6.0

# (column, width, gap after it)
COLUMNS: tuple[tuple[str, float, float], ...] = (
    ("c1", 230.0, 80.0),
    ("c2", 150.0, 60.0),
    ("c3", 150.0, 90.0),
    ("c4", 170.0, 80.0),
    ("c5", 170.0, 60.0),
)
LANE_CELLS: dict[str, tuple[int, str]] = {
    "rule": (0, "c1"),
    "subscription": (0, "c1"),
    "intake-queue": (0, "c2"),
    "pipe": (0, "c3"),
    "queue": (0, "c4"),
    "function": (0, "c5"),
    "missing-rule": (1, "c1"),
    "intake-dlq": (1, "c2"),
    "dlq": (1, "c4"),
}
HEADER_CELLS: dict[str, tuple[int, str]] = {
    "delivery-dlq": (0, "c1"),
    "breaker": (0, "c2"),
    "archiver": (0, "c4"),
    "archive-bucket": (0, "c5"),
    "event-archive": (1, "c1"),
}
LEFT_BAR_KINDS = ("bus", "topic", "producers")
RIGHT_BAR_KINDS = ("alarm-topic",)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.x
            or other.right <= self.x
            or self.bottom <= other.y
            or other.bottom <= self.y
        )


@dataclass(frozen=True)
class Placed:
    node: Node
    box: Box
    bar: bool = False
    """Drawn as a vertical bar (sources, the alarm topic): its label runs upwards."""


@dataclass(frozen=True)
class Route:
    edge: Edge
    points: tuple[tuple[float, float], ...]
    label_at: tuple[float, float] | None
    """Where the label's anchor goes; None when the label does not fit beside the line
    (it stays in the edge's tooltip)."""
    label_anchor: str = "middle"


@dataclass(frozen=True)
class Band:
    lane: Lane
    box: Box


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    caption: str
    placed: tuple[Placed, ...]
    routes: tuple[Route, ...]
    bands: tuple[Band, ...]

    def box(self, node_id: str) -> Box:
        return next(p.box for p in self.placed if p.node.id == node_id)


def fit_text(text: str, width: float, char_w: float = CHAR_W) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` pixels."""
    room = int(width // char_w)
    if len(text) <= room:
        return text
    return text[: max(room - 1, 0)] + "…" if room > 0 else ""


def text_width(text: str, char_w: float = CHAR_W) -> float:
    return len(text) * char_w


def _column_x() -> dict[str, tuple[float, float]]:
    x = MARGIN + BAR_W + 40.0
    found = {}
    for name, width, gap in COLUMNS:
        found[name] = (x, width)
        x += width + gap
    return found


def _route(edge: Edge, source: Placed, target: Placed) -> Route:
    s, t = source.box, target.box
    points: tuple[tuple[float, float], ...]
    if source.bar:  # a bar feeds the lane: a level arrow at the target's height
        points = ((s.right, t.cy), (t.x, t.cy))
    elif target.bar:
        points = ((s.right, s.cy), (t.x, s.cy))
    elif abs(s.cy - t.cy) < 1:
        points = ((s.right, s.cy), (t.x, t.cy))
    elif abs(s.cx - t.cx) < 1:
        points = ((s.cx, s.bottom), (t.cx, t.y))
    else:  # right, then down or up, then right
        mid = (s.right + t.x) / 2
        points = ((s.right, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy))
    return Route(edge, points, *_label_place(edge.label, points))


def _label_place(
    label: str, points: tuple[tuple[float, float], ...]
) -> tuple[tuple[float, float] | None, str]:
    if not label:
        return None, "middle"
    (x1, y1), (x2, y2) = points[0], points[-1]
    if len(points) == 2 and x1 == x2:  # vertical: beside the line, mid-way
        return (x1 + 5, (y1 + y2) / 2 + LABEL_PX / 3), "start"
    span = abs(x2 - x1) if len(points) == 2 else abs(points[1][0] - x1)
    if text_width(label, LABEL_CHAR_W) + 8 > span:
        return None, "middle"
    end = x2 if len(points) == 2 else points[1][0]
    return ((x1 + end) / 2, y1 - 4), "middle"


def layout(page: Page) -> Layout:
    """Place a page's nodes and route its edges."""
    topo = page.topology
    columns = _column_x()
    last_x, last_w = columns[COLUMNS[-1][0]]
    right_bar_x = last_x + last_w + COLUMNS[-1][2]
    width = right_bar_x + BAR_W + MARGIN
    placed: dict[str, Placed] = {}

    def cell(node: Node, top: float, row: int, column: str) -> None:
        x, w = columns[column]
        placed[node.id] = Placed(node, Box(x, top + row * (BOX_H + ROW_GAP), w, BOX_H))

    header_top = MARGIN + CAPTION_H
    header_rows = 0
    for node in topo.stack_nodes():
        if node.kind in HEADER_CELLS:
            row, column = HEADER_CELLS[node.kind]
            cell(node, header_top, row, column)
            header_rows = max(header_rows, row + 1)
    y = header_top + header_rows * (BOX_H + ROW_GAP) - ROW_GAP + HEADER_GAP
    lanes_top = y
    bands = []
    for lane in topo.lanes:
        nodes = topo.lane_nodes(lane.consumer)
        rows = 1 + any(LANE_CELLS[n.kind][0] == 1 for n in nodes if n.kind in LANE_CELLS)
        top = y + LANE_TITLE_H
        for node in nodes:
            row, column = LANE_CELLS[node.kind]
            cell(node, top, row, column)
        height = LANE_TITLE_H + rows * BOX_H + (rows - 1) * ROW_GAP + LANE_GAP
        bands.append(
            Band(lane, Box(MARGIN + BAR_W + 20, y, right_bar_x - MARGIN - BAR_W - 40, height))
        )
        y += height
    lanes_bottom = max(y, lanes_top + BOX_H)
    for node in topo.stack_nodes():
        if node.kind in LEFT_BAR_KINDS:
            fed = [b.box for b in bands if b.lane.source == node.id]
            top = min((b.y for b in fed), default=header_top)
            bottom = max((b.bottom for b in fed), default=lanes_top - HEADER_GAP + LANE_GAP)
            if node.kind == "bus":  # the bus also feeds the header's archive and DLQ
                top = header_top
            box = Box(MARGIN, top, BAR_W, bottom - top - LANE_GAP)
            placed[node.id] = Placed(node, box, bar=True)
        elif node.kind in RIGHT_BAR_KINDS:
            height = max(lanes_bottom - lanes_top - LANE_GAP, BOX_H)
            placed[node.id] = Placed(node, Box(right_bar_x, lanes_top, BAR_W, height), bar=True)
    routes = tuple(
        _route(edge, placed[edge.source], placed[edge.target])
        for edge in topo.edges
        if edge.source in placed and edge.target in placed
    )
    height = lanes_bottom + MARGIN
    return Layout(width, height, page.caption, tuple(placed.values()), routes, tuple(bands))
