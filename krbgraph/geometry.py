"""Containment and overlap of areas of application, derived from their geometry.

An area (krb:Werkingsgebied) may carry ``geo:hasGeometry [ geo:asWKT "..." ]``.
The functions here read those WKT literals and compare them, so the registry
can store ``geo:sfWithin`` / ``geo:sfOverlaps`` as plain triples and queries
need no GeoSPARQL engine. They are pure: strings in, IRIs and numbers out, no
store and no RDF.

Coordinate reference systems (GeoSPARQL 1.1, section 8.5): a literal may start
with a CRS IRI, ``<http://www.opengis.net/def/crs/EPSG/0/28992> POLYGON((...))``;
without one it is CRS84 (longitude, latitude). Understood are
``http://www.opengis.net/def/crs/OGC/1.3/CRS84`` and
``http://www.opengis.net/def/crs/EPSG/0/{code}`` for any horizontal EPSG CRS
that PROJ knows, with coordinates in the axis order of that CRS: EPSG:4326 is
latitude first, EPSG:28992 (RD New) easting first. Every geometry is projected
to RD New (``WORKING_CRS``) with pyproj, so areas and lengths are in metres and
one tolerance fits all input. Without the RDNAPTRANS grids (not shipped with
pyproj) PROJ transforms WGS 84 to RD New with a Helmert transformation that is
accurate to about 1 m, far within the tolerances below for areas of a street
or larger.

Tolerance: digitised boundaries of a buurt and its wijk differ by centimetres,
so relations are decided on shares, not on exact topology:

- *within* (inner, outer): at most ``SHARE_TOLERANCE`` of inner lies outside
  outer. The share is measured as area for polygons, as length for lines and
  as the number of points for points. A point or line counts as inside when it
  is at most ``LINEAR_TOLERANCE_M`` from outer, so a street digitised on the
  boundary of a buurt lies within it (and within the neighbouring buurt across
  the street too). Polygons are compared exactly, without that buffer. A
  geometry never lies within one of lower dimension (a polygon is not within a
  line), as in GeoSPARQL.
- *overlaps* (a, b): both are polygons, neither lies within the other, and
  their shared area is more than ``SHARE_TOLERANCE`` of the smaller one. As in
  GeoSPARQL, geometries of different dimension never overlap (a street crossing
  two buurten lies within neither and overlaps neither).

Equal geometries lie within each other. A literal that cannot be used (bad WKT,
an unknown CRS, an empty geometry) is reported as a GeometryProblem naming the
area, and that area is left out; a geometry with invalid topology (a
self-intersecting ring) is repaired with ``shapely.make_valid`` and reported
too. Nothing here raises for bad data except ``read_wkt``, which reads one
literal.

One module of some 500 lines on purpose: reading WKT in every CRS the registry
meets, repairing it and comparing areas share one set of rules about coordinates,
and split apart they would have to be kept in step by hand.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError
from shapely import Geometry
from shapely.errors import ShapelyError

from .containment import TooDeeplyNested

logger = logging.getLogger(__name__)

SHARE_TOLERANCE = 0.01
"""Share (1 %) of an area, a line's length or a set of points that may lie outside
another area while it still lies within it; and the share of the smaller of two
polygons that they must have in common to overlap."""

LINEAR_TOLERANCE_M = 0.5
"""Distance in metres within which a point or line still counts as inside another
geometry (digitising noise of streets along a boundary)."""

WORKING_CRS = "EPSG:28992"
"""Amersfoort / RD New: all geometries are compared in this CRS, in metres."""

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
"""The default CRS of a WKT literal without a CRS IRI (longitude, latitude)."""

_CRS_IRI = re.compile(
    r"https?://www\.opengis\.net/def/crs/(?:OGC/(?:1\.3|0)/(?P<ogc>CRS84)|EPSG/0/(?P<epsg>[0-9]+))"
)


class GeometryError(ValueError):
    """A WKT literal that cannot be used, with the reason in Dutch and English."""

    def __init__(self, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_nl = message_nl
        self.message_en = message_en


@dataclass(frozen=True)
class GeometryProblem:
    """Why the geometry of ``area`` was left out (``usable`` False) or repaired (True)."""

    area: str
    message_nl: str
    message_en: str
    usable: bool


@dataclass(frozen=True)
class SpatialRelations:
    """What spatial_relations derived.

    ``within`` holds (inner, outer) pairs; ``overlaps`` unordered pairs, each
    once as (a, b) with a < b (geo:sfOverlaps is symmetric: store both ways).
    """

    within: frozenset[tuple[str, str]]
    overlaps: frozenset[tuple[str, str]]
    problems: tuple[GeometryProblem, ...]


@dataclass(frozen=True)
class Contradiction:
    """A declared krb:ligtIn that the geometries contradict: ``outside_share`` (0..1)
    of the child lies outside the parent (by area, length or points; 1.0 when the
    child has a higher dimension than the parent).

    With ``together_with`` (other declared parents), the share is that outside
    ``parent`` and those parents together.
    """

    child: str
    parent: str
    outside_share: float
    together_with: tuple[str, ...] = ()


def read_wkt(lexical: str) -> Geometry:
    """The geometry of a geo:wktLiteral's lexical form, in RD New (2D, metres).

    Raises GeometryError when the WKT cannot be parsed, the CRS is not understood
    or cannot be transformed to RD New, the geometry is empty, or its topology
    is invalid (read_areas repairs that instead).
    """
    geometry = _Reader().read(lexical)
    if not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        raise GeometryError(f"ongeldige geometrie ({reason})", f"invalid geometry ({reason})")
    return _principal(geometry)


def read_areas(
    areas: Mapping[str, str],
) -> tuple[dict[str, Geometry], tuple[GeometryProblem, ...]]:
    """Area IRI -> geometry in RD New for every usable literal of ``areas`` (area
    IRI -> WKT lexical form), and the problems found, sorted by area. Never raises
    for bad data. Literals read before come from a cache (_READ)."""
    reader = _Reader()
    usable: dict[str, bytes] = {}
    problems: list[GeometryProblem] = []
    for area in sorted(areas):
        wkb, problem = _READ.outcome(areas[area], reader)
        if problem is not None:
            problems.append(GeometryProblem(area, *problem))
        if wkb is not None:
            usable[area] = wkb
    read = shapely.from_wkb(np.array(list(usable.values()), dtype=object))
    return dict(zip(usable, read, strict=True)), tuple(problems)


_Problem = tuple[str, str, bool]
"""A GeometryProblem without its area: message_nl, message_en, usable."""


def _outcome(lexical: str, reader: _Reader) -> tuple[bytes | None, _Problem | None]:
    """One literal read, checked and repaired: the geometry (as WKB) when usable, and
    what was wrong with it."""
    try:
        geometry = reader.read(lexical)
    except GeometryError as exc:
        return None, (exc.message_nl, exc.message_en, False)
    problem: _Problem | None = None
    try:
        if not shapely.is_valid(geometry):
            reason = shapely.is_valid_reason(geometry)
            geometry = shapely.make_valid(geometry)
            problem = (
                f"ongeldige geometrie ({reason}), hersteld met make_valid",
                f"invalid geometry ({reason}), repaired with make_valid",
                True,
            )
        geometry = _principal(geometry)
        if geometry.is_empty or _measure(geometry) <= 0:
            return None, ("de geometrie is leeg", "the geometry is empty", False)
        return shapely.to_wkb(geometry), problem
    except ShapelyError as exc:
        # What GEOS cannot repair is a finding like any unusable geometry, never a crash
        # of every command that opens the store (the derived graph reads all of them).
        return None, (
            f"de geometrie is niet te herstellen: {exc}",
            f"the geometry cannot be repaired: {exc}",
            False,
        )


class _ReadCache:
    """Literals already read, by a digest of their text: every write that changes an
    area's geometry compares it with every other area's, and reading the WKT of 17,000
    detailed buurten took 1.5 s of the 1.8 s such a write cost; WKB is read back ten
    times faster. Kept as WKB, not as geometries, so that every call gets objects of its
    own (they are prepared in place). Bounded by the bytes it holds (emptied when they
    would pass ``budget``): a store with more geometry than that reads it as before."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._size = 0
        self._held: dict[bytes, tuple[bytes | None, _Problem | None]] = {}
        self._lock = threading.Lock()

    def outcome(self, lexical: str, reader: _Reader) -> tuple[bytes | None, _Problem | None]:
        key = hashlib.blake2b(lexical.encode(), digest_size=16).digest()
        with self._lock:
            held = self._held.get(key)
        if held is not None:
            return held
        found = _outcome(lexical, reader)
        size = len(found[0] or b"") + 100  # the key, the tuple and the dict's slot
        with self._lock:
            if self._size + size > self._budget:
                self._held.clear()
                self._size = 0
            self._held[key] = found
            self._size += size
        return found


_READ = _ReadCache(budget=256 * 1024 * 1024)


_CHUNK = 50_000
"""Candidate pairs compared at once: bounds the memory the intersections take, and lets
areas with many (nested or equal) geometries around them be refused after the first
chunk instead of after every pair (2,000 copies of one square are two million pairs:
87 s and 3 GB compared whole)."""

_BOXES = 256
"""Areas whose candidate pairs the tree is asked for at once (then compared in chunks)."""


def _candidate_pairs(
    tree: shapely.STRtree, boxes: np.ndarray, chosen: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs (i, j), i < j, whose boxes meet (with one of ``chosen``, if given), in
    chunks of at most _CHUNK: the tree is asked for _BOXES boxes at a time, so the
    pairs of many areas in one place never sit in memory at once."""
    for start in range(0, len(boxes), _BOXES):
        left, right = tree.query(boxes[start : start + _BOXES])
        left += start
        keep = left < right
        if chosen is not None:
            keep &= chosen[left] | chosen[right]
        a, b = left[keep], right[keep]
        for first in range(0, len(a), _CHUNK):
            yield a[first : first + _CHUNK], b[first : first + _CHUNK]


def spatial_relations(
    areas: Mapping[str, str],
    involving: Collection[str] | None = None,
    *,
    max_enclosing: int | None = None,
    lenient: bool = False,
) -> SpatialRelations:
    """Which areas lie within which, and which overlap, by their geometry.

    ``areas`` maps area IRIs to the lexical form of their geo:asWKT literal.
    Candidate pairs come from an STRtree, so thousands of buurten take seconds
    at most; the result does not depend on the order of ``areas``. With
    ``involving``, only pairs with at least one of those areas are compared and
    returned (what a write that changed their geometry can change). With
    ``max_enclosing``, TooDeeplyNested as soon as an area is found within more areas
    than that (krbgraph.containment.MAX_ENCLOSING), naming those found so far; with
    ``lenient`` too, such areas are left out instead (no relations of theirs, a warning
    in the log), so data already stored is derived in time about linear in its size.
    """
    geometries, problems = read_areas(areas)
    iris = sorted(geometries)
    comparison = _Comparison([geometries[iri] for iri in iris])
    tol = LINEAR_TOLERANCE_M
    bounds = shapely.bounds(comparison.geoms)
    boxes = shapely.box(
        bounds[:, 0] - tol, bounds[:, 1] - tol, bounds[:, 2] + tol, bounds[:, 3] + tol
    )
    chosen = None
    if involving is not None:
        wanted = set(involving)
        chosen = np.fromiter((iri in wanted for iri in iris), dtype=bool, count=len(iris))
    names = np.array(iris, dtype=object)
    enclosing = np.zeros(len(iris), dtype=np.int64)
    within: set[tuple[str, str]] = set()
    overlaps: set[tuple[str, str]] = set()
    left_out = np.zeros(len(iris), dtype=bool)
    for a, b in _candidate_pairs(shapely.STRtree(comparison.geoms), boxes, chosen):
        if left_out.any():
            kept = ~left_out[a] & ~left_out[b]
            a, b = a[kept], b[kept]
        a_in_b, b_in_a, shared = comparison.mutual_shares(a, b)
        a_within, b_within = a_in_b <= SHARE_TOLERANCE, b_in_a <= SHARE_TOLERANCE
        within.update(zip(names[a[a_within]], names[b[a_within]], strict=True))
        within.update(zip(names[b[b_within]], names[a[b_within]], strict=True))
        # Overlap: polygons only, neither within the other, enough area in common.
        polygons = (comparison.dims[a] == 2) & (comparison.dims[b] == 2)
        smaller = np.minimum(comparison.measures[a], comparison.measures[b])
        overlapping = polygons & ~a_within & ~b_within & (shared > SHARE_TOLERANCE * smaller)
        overlaps.update(zip(names[a[overlapping]], names[b[overlapping]], strict=True))
        if max_enclosing is not None:
            enclosing += np.bincount(a[a_within], minlength=len(iris))
            enclosing += np.bincount(b[b_within], minlength=len(iris))
            if enclosing.max(initial=0) > max_enclosing:
                if not lenient:
                    raise TooDeeplyNested(names[np.flatnonzero(enclosing > max_enclosing)])
                left_out |= enclosing > max_enclosing
    if left_out.any():
        excluded = set(names[left_out])
        within = {pair for pair in within if not excluded.intersection(pair)}
        overlaps = {pair for pair in overlaps if not excluded.intersection(pair)}
        logger.warning("%s; their spatial relations are left out", TooDeeplyNested(excluded))
    return SpatialRelations(frozenset(within), frozenset(overlaps), problems)


def contradicted_containment(
    declared: Iterable[tuple[str, str]], areas: Mapping[str, str]
) -> list[Contradiction]:
    """The declared (child, parent) pairs, krb:ligtIn, that the geometry contradicts,
    sorted by child and parent. ``areas`` maps area IRIs to WKT lexical forms.

    A child with one declared parent is contradicted when more than
    SHARE_TOLERANCE of it lies outside that parent (always when the child has the
    higher dimension). A child may lie across several parents (a plan area across
    two buurten); then each parent it shares at most SHARE_TOLERANCE with is a
    Contradiction, and, when all its parents have a geometry, so is lying more
    than SHARE_TOLERANCE outside all of them together: one Contradiction naming
    the first parent and the others in ``together_with``. Areas whose geometry is
    missing or unusable are not compared (read_areas reports why).
    """
    parents_of: dict[str, list[str]] = {}
    for child, parent in sorted(set(declared)):
        if child != parent:
            parents_of.setdefault(child, []).append(parent)
    needed = set(parents_of).union(*parents_of.values())
    geometries, _ = read_areas({iri: wkt for iri, wkt in areas.items() if iri in needed})
    pairs = [
        (child, parent)
        for child, parents in parents_of.items()
        for parent in parents
        if child in geometries and parent in geometries
    ]
    outside = _outside_shares([(geometries[c], geometries[p]) for c, p in pairs]).tolist()
    shares: dict[tuple[str, str], float] = dict(zip(pairs, outside, strict=True))

    found: list[Contradiction] = []
    for child, parents in parents_of.items():
        if child not in geometries:
            continue
        if len(parents) == 1:
            share = shares.get((child, parents[0]), 0.0)
            if share > SHARE_TOLERANCE:
                found.append(Contradiction(child, parents[0], share))
            continue
        found += [
            Contradiction(child, parent, shares[(child, parent)])
            for parent in parents
            if shares.get((child, parent), 0.0) >= 1.0 - SHARE_TOLERANCE
        ]
        if all(parent in geometries for parent in parents):
            region = _principal(shapely.union_all([geometries[p] for p in parents]))
            share = float(_outside_shares([(geometries[child], region)])[0])
            if share > SHARE_TOLERANCE:
                found.append(Contradiction(child, parents[0], share, tuple(parents[1:])))
    return sorted(found, key=lambda c: (c.child, c.parent, c.together_with))


def _outside_shares(pairs: Sequence[tuple[Geometry, Geometry]]) -> np.ndarray:
    """The share of the first geometry of each pair outside the second."""
    geometries: list[Geometry] = []
    index: dict[int, int] = {}  # id() of a geometry -> its place in geometries
    for geometry in (g for pair in pairs for g in pair):
        if id(geometry) not in index:
            index[id(geometry)] = len(geometries)
            geometries.append(geometry)
    comparison = _Comparison(geometries)
    return comparison.outside_shares(
        np.array([index[id(inner)] for inner, _ in pairs], dtype=np.intp),
        np.array([index[id(outer)] for _, outer in pairs], dtype=np.intp),
    )


# --- Reading ---------------------------------------------------------------------


class _Reader:
    """Reads WKT literals, with one pyproj Transformer per source CRS (per call)."""

    def __init__(self) -> None:
        self._transformers: dict[str, Transformer | None] = {}

    def read(self, lexical: str) -> Geometry:
        crs_iri, wkt = _split_literal(lexical)
        if not wkt:
            raise GeometryError("de geometrie is leeg", "the geometry is empty")
        try:
            geometry = shapely.from_wkt(wkt)
        except ShapelyError as exc:
            raise GeometryError(
                f"de WKT is niet te lezen: {exc}", f"the WKT cannot be read: {exc}"
            ) from exc
        except NotImplementedError as exc:
            # GEOS reads arcs (CIRCULARSTRING, CURVEPOLYGON, as BGT and PostGIS exports
            # hold them) but shapely cannot use them: the tools that wrote them can
            # approximate them with straight segments.
            raise GeometryError(
                "gebogen geometrieën (CIRCULARSTRING, COMPOUNDCURVE, CURVEPOLYGON, "
                "MULTICURVE, MULTISURFACE) worden niet ondersteund; zet ze om naar "
                "rechte lijnstukken (bijvoorbeeld ST_CurveToLine in PostGIS of ogr2ogr "
                "-nlt CONVERT_TO_LINEAR)",
                "curved geometries (CIRCULARSTRING, COMPOUNDCURVE, CURVEPOLYGON, "
                "MULTICURVE, MULTISURFACE) are not supported; convert them to straight "
                "segments (for example ST_CurveToLine in PostGIS or ogr2ogr -nlt "
                "CONVERT_TO_LINEAR)",
            ) from exc
        if geometry is None or geometry.is_empty:
            raise GeometryError("de geometrie is leeg", "the geometry is empty")
        geometry = shapely.force_2d(geometry)
        if not np.isfinite(shapely.get_coordinates(geometry)).all():
            # GEOS refuses to repair or compare such a geometry with an exception.
            raise GeometryError(
                "de geometrie heeft een coördinaat die geen eindig getal is (inf, nan of "
                "groter dan 1e308)",
                "the geometry has a coordinate that is not a finite number (inf, nan or "
                "larger than 1e308)",
            )
        transformer = self._transformer(crs_iri or CRS84)
        if transformer is not None:
            geometry = shapely.transform(geometry, lambda xy: _apply(transformer, xy))
            coordinates = shapely.get_coordinates(geometry)
            if not np.isfinite(coordinates).all():
                raise GeometryError(
                    f"de coördinaten liggen buiten het gebied van <{crs_iri or CRS84}>",
                    f"the coordinates lie outside the area of use of <{crs_iri or CRS84}>",
                )
        if (np.abs(shapely.get_coordinates(geometry)) > BEYOND_EARTH_M).any():
            # Finite, so GEOS takes them, but no place: measuring such an area overflows
            # to inf, and its map page answered 500.
            raise GeometryError(
                "de geometrie heeft een coördinaat verder dan de omtrek van de aarde "
                "(40.075 km) van de oorsprong van RD New",
                "the geometry has a coordinate farther from RD New's origin than the "
                "Earth's circumference (40,075 km)",
            )
        return geometry

    def _transformer(self, crs_iri: str) -> Transformer | None:
        """None for RD New itself (no transformation)."""
        if crs_iri not in self._transformers:
            self._transformers[crs_iri] = _transformer_for(crs_iri)
        return self._transformers[crs_iri]


BEYOND_EARTH_M = 40_075_000.0
"""A coordinate in RD New (metres) farther than this from its origin is on no map."""


def _split_literal(lexical: str) -> tuple[str | None, str]:
    """The CRS IRI (None when absent) and the WKT text of a literal's lexical form."""
    text = lexical.strip()
    if not text.startswith("<"):
        return None, text
    end = text.find(">")
    if end < 0:
        raise GeometryError(
            "de IRI van het coördinatenstelsel is niet afgesloten met '>'",
            "the IRI of the coordinate reference system is not closed with '>'",
        )
    return text[1:end].strip(), text[end + 1 :].strip()


def _transformer_for(crs_iri: str) -> Transformer | None:
    match = _CRS_IRI.fullmatch(crs_iri)
    unknown = GeometryError(
        f"het coördinatenstelsel <{crs_iri}> is onbekend",
        f"the coordinate reference system <{crs_iri}> is not known",
    )
    if match is None:
        raise unknown
    try:
        source = CRS("OGC:CRS84") if match.group("ogc") else CRS.from_epsg(int(match.group("epsg")))
    except ProjError as exc:
        raise unknown from exc
    horizontal = source.sub_crs_list[0] if source.is_compound else source
    if not (horizontal.is_geographic or horizontal.is_projected):
        raise GeometryError(
            f"het coördinatenstelsel <{crs_iri}> is geen horizontaal stelsel",
            f"the coordinate reference system <{crs_iri}> is not a horizontal CRS",
        )
    target = CRS(WORKING_CRS)
    if horizontal == target:
        return None
    try:
        return Transformer.from_crs(horizontal, target)
    except ProjError as exc:
        raise GeometryError(
            f"<{crs_iri}> is niet om te rekenen naar RD New: {exc}",
            f"<{crs_iri}> cannot be transformed to RD New: {exc}",
        ) from exc


def _apply(transformer: Transformer, xy: np.ndarray) -> np.ndarray:
    """Transform an (n, 2) array in the source CRS's axis order to RD New (x, y)."""
    x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
    return np.column_stack((x, y))


def _principal(geometry: Geometry) -> Geometry:
    """The parts of the highest dimension: a polygon with a stray line (as
    make_valid may give) is compared as the polygon."""
    if shapely.get_type_id(geometry) != shapely.GeometryType.GEOMETRYCOLLECTION:
        return geometry
    parts = shapely.get_parts(geometry)
    if len(parts) == 0:
        return geometry
    dims = shapely.get_dimensions(parts)
    return shapely.union_all(parts[dims == dims.max()])


# --- Comparing ---------------------------------------------------------------------


def _measures(geoms: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """Area of polygons, length of lines, number of points of (multi)points."""
    return np.where(
        dims == 2,
        shapely.area(geoms),
        np.where(dims == 1, shapely.length(geoms), shapely.get_num_geometries(geoms)),
    ).astype(float)


def _measure(geometry: Geometry) -> float:
    return float(_measures(np.array([geometry]), shapely.get_dimensions(geometry))[0])


class _Comparison:
    """Geometries to compare pairwise, prepared, with their dimensions, measures and
    coordinate counts, and the buffered zones of points and lines computed once
    per geometry."""

    def __init__(self, geometries: list[Geometry]) -> None:
        self.geoms = np.array(geometries, dtype=object)
        self.dims = shapely.get_dimensions(self.geoms)
        self.measures = _measures(self.geoms, self.dims)
        self._sizes = shapely.get_num_coordinates(self.geoms)
        shapely.prepare(self.geoms)
        self._buffers: dict[int, Geometry] = {}

    def outside_shares(self, inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
        """The share (0..1) of geoms[inner[k]] outside geoms[outer[k]], per k; 1.0
        when the inner one has the higher dimension.

        Polygons in polygons are compared exactly (shared_areas), points and lines
        against the outer geometry buffered by LINEAR_TOLERANCE_M.
        """
        return self.mutual_shares(inner, outer, both=False)[0]

    def mutual_shares(
        self, a: np.ndarray, b: np.ndarray, *, both: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """outside_shares(a, b), outside_shares(b, a) (only with ``both``) and the
        shared area of pairs of polygons (0 for other pairs), with one intersection
        per pair of polygons."""
        polygons = (self.dims[a] == 2) & (self.dims[b] == 2)
        shared = np.zeros(len(a))
        shared[polygons] = self.shared_areas(a[polygons], b[polygons])
        shares = []
        for inner, outer in ((a, b), (b, a)) if both else ((a, b),):
            share = np.ones(len(a))
            total = self.measures[inner[polygons]]
            share[polygons] = np.clip((total - shared[polygons]) / total, 0.0, 1.0)
            share[~polygons] = self._buffered_shares(inner[~polygons], outer[~polygons])
            shares.append(share)
        return shares[0], shares[-1], shared

    def _buffered_shares(self, inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
        """outside_shares for pairs that are not two polygons."""
        shares = np.ones(len(inner))
        todo = np.flatnonzero(self.dims[inner] <= self.dims[outer])
        zones = np.empty(len(todo), dtype=object)
        for position, index in enumerate(outer[todo]):
            zones[position] = self._buffer(int(index))
        inners = self.geoms[inner[todo]]
        covered = shapely.covers(zones, inners)
        shares[todo[covered]] = 0.0
        crossing = ~covered & shapely.intersects(zones, inners)
        k = todo[crossing]
        inside = _measures(
            shapely.intersection(inners[crossing], zones[crossing]), self.dims[inner[k]]
        )
        total = self.measures[inner[k]]
        shares[k] = np.clip((total - inside) / total, 0.0, 1.0)
        return shares

    def shared_areas(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Area of geoms[a[k]] ∩ geoms[b[k]] for pairs of polygons, symmetric in a and b.

        Most pairs are settled on prepared geometries (one covers the other, or
        they are disjoint); only pairs across a boundary need an intersection.
        The geometry with more vertices is the prepared (first) argument.
        """
        shared = np.zeros(len(a))
        a_first = self._sizes[a] >= self._sizes[b]
        big = np.where(a_first, a, b)
        small = np.where(a_first, b, a)
        big_geoms, small_geoms = self.geoms[big], self.geoms[small]
        big_covers = shapely.covers(big_geoms, small_geoms)
        shared[big_covers] = self.measures[small[big_covers]]
        rest = np.flatnonzero(~big_covers)
        small_covers = shapely.covers(small_geoms[rest], big_geoms[rest])
        shared[rest[small_covers]] = self.measures[big[rest[small_covers]]]
        rest = rest[~small_covers]
        rest = rest[shapely.intersects(big_geoms[rest], small_geoms[rest])]
        shared[rest] = shapely.area(shapely.intersection(big_geoms[rest], small_geoms[rest]))
        return shared

    def _buffer(self, index: int) -> Geometry:
        if index not in self._buffers:
            zone = shapely.buffer(self.geoms[index], LINEAR_TOLERANCE_M)
            shapely.prepare(zone)
            self._buffers[index] = zone
        return self._buffers[index]


__all__ = [
    "CRS84",
    "LINEAR_TOLERANCE_M",
    "SHARE_TOLERANCE",
    "WORKING_CRS",
    "Contradiction",
    "GeometryError",
    "GeometryProblem",
    "SpatialRelations",
    "contradicted_containment",
    "read_areas",
    "read_wkt",
    "spatial_relations",
]
