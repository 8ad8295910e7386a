"""XMP: reading the words people already wrote into photos, and writing our Russian
tags as keywords into sidecar files that digiKam, darktable, Lightroom and ExifTool read.

Keywords go where those tools look: `dc:subject` (a bag of keywords) and
`lr:hierarchicalSubject` ("животное|собака|бигль", the keyword tree digiKam and
Lightroom build). An existing sidecar is merged, never replaced: every other field
(title, rating, labels, develop settings, other keywords) is kept, and the keywords
photofinder added are listed under its own namespace, so that a re-run replaces only
those. The photo files themselves are never touched.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .formats import RAW_EXTENSIONS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
X = "adobe:ns:meta/"
DC = "http://purl.org/dc/elements/1.1/"
LR = "http://ns.adobe.com/lightroom/1.0/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
IPTC_CORE = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
# where a photo was taken, as digiKam, darktable, Lightroom and ExifTool read it
LOCATION_FIELDS = {"city": (PHOTOSHOP, "City"), "region": (PHOTOSHOP, "State"),
                   "country": (PHOTOSHOP, "Country"), "country_code": (IPTC_CORE, "CountryCode")}
PF = "http://photofinder.invalid/xmp/1.0/"   # ours; .invalid never resolves: a pure name
# named people: MWG face regions (digiKam, Lightroom, ExifTool, Picasa's successors) and
# IPTC Extension's PersonInImage (photo agencies, Photo Mechanic)
MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
KNOWN_PREFIXES = {"x": X, "rdf": RDF, "dc": DC, "lr": LR, "photofinder": PF,
                  "mwg-rs": MWG_RS, "stArea": ST_AREA, "Iptc4xmpExt": IPTC_EXT,
                  "xmp": "http://ns.adobe.com/xap/1.0/",
                  "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
                  "photoshop": "http://ns.adobe.com/photoshop/1.0/",
                  "exif": "http://ns.adobe.com/exif/1.0/",
                  "tiff": "http://ns.adobe.com/tiff/1.0/",
                  "digiKam": "http://www.digikam.org/ns/1.0/",
                  "darktable": "http://darktable.sf.net/",
                  "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"}
XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = '\n<?xpacket end="w"?>\n'
_XMLNS = re.compile(r'xmlns:([A-Za-z_][\w.-]*)\s*=\s*["\']([^"\']+)["\']')


class XmpError(ValueError):
    """A sidecar that is not XMP we can merge into: left as it is."""


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _register(text: str) -> None:
    """Keep the prefixes a file already uses (ElementTree would write ns0, ns1...)."""
    for prefix, uri in {**KNOWN_PREFIXES, **dict(_XMLNS.findall(text))}.items():
        try:
            ET.register_namespace(prefix, uri)
        except ValueError:
            pass  # a reserved prefix ("xml"): ElementTree keeps its own


_ROOT = re.compile(r"<((?:[\w.-]+:)?(?:xmpmeta|xapmeta|RDF))[\s>]")


def _parse(data: bytes) -> ET.Element:
    """The x:xmpmeta (or bare rdf:RDF) element of a packet, without the xpacket wrapper."""
    text = data.decode("utf-8-sig", errors="strict")
    _register(text)
    match = _ROOT.search(text)
    if match is None:
        raise XmpError("не XMP")
    closing = f"</{match.group(1)}>"
    end = text.rfind(closing)
    if end < 0:
        raise XmpError("XMP оборван")
    return ET.fromstring(text[match.start():end + len(closing)])


def _nodes(descriptions: list[ET.Element], ns: str, name: str) -> list[ET.Element]:
    """Every element of one property, in whichever rdf:Description holds it: ExifTool
    writes one Description per namespace, digiKam and Lightroom one for all."""
    return [node for d in descriptions for node in d.findall(_q(ns, name))]


def _bag_items(descriptions: list[ET.Element], ns: str, name: str) -> list[str]:
    items = [li.text or "" for node in _nodes(descriptions, ns, name)
             for li in node.iter(_q(RDF, "li"))]
    return list(dict.fromkeys(items))


def _set_bag(descriptions: list[ET.Element], ns: str, name: str, items: list[str]) -> None:
    """Writes the property where it already is (a second copy of it in another
    Description is what ExifTool calls a duplicate property and refuses to edit; copies
    an older photofinder left are folded into the first), else into the first
    Description that has keywords."""
    nodes = _nodes(descriptions, ns, name)
    for node in nodes[1:] if items else nodes:
        for d in descriptions:
            if node in list(d):
                d.remove(node)
    if not items:
        return
    if nodes:
        node = nodes[0]
    else:
        home = next((d for d in descriptions if d.find(_q(DC, "subject")) is not None),
                    descriptions[0])
        node = ET.SubElement(home, _q(ns, name))
    for child in list(node):
        node.remove(child)
    bag = ET.SubElement(node, _q(RDF, "Bag"))
    for item in items:
        ET.SubElement(bag, _q(RDF, "li")).text = item


def _descriptions(root: ET.Element) -> list[ET.Element]:
    """All rdf:Description elements of the packet (one is made if there is none)."""
    rdf = root if root.tag == _q(RDF, "RDF") else root.find(f".//{_q(RDF, 'RDF')}")
    if rdf is None:
        raise XmpError("нет rdf:RDF")
    descriptions = rdf.findall(_q(RDF, "Description"))
    return descriptions or [ET.SubElement(rdf, _q(RDF, "Description"), {_q(RDF, "about"): ""})]


def new_packet() -> ET.Element:
    root = ET.Element(_q(X, "xmpmeta"), {_q(X, "xmptk"): "photofinder"})
    rdf = ET.SubElement(root, _q(RDF, "RDF"))
    ET.SubElement(rdf, _q(RDF, "Description"), {_q(RDF, "about"): ""})
    return root


@dataclass(frozen=True)
class Merge:
    data: bytes          # the sidecar to write
    changed: bool        # differs from what was there


def _set_empty_fields(descriptions: list[ET.Element], values: dict[str, str]) -> bool:
    """Writes each LOCATION_FIELDS value the packet has no value for (as an element or
    as an attribute, in any Description): a place someone wrote is never overwritten.
    True if anything was written."""
    written = False
    for key, value in values.items():
        ns, name = LOCATION_FIELDS[key]
        if not value or _nodes(descriptions, ns, name) or any(
                d.get(_q(ns, name)) for d in descriptions):
            continue
        ET.SubElement(descriptions[0], _q(ns, name)).text = value
        written = True
    return written


# A named face: the name and its box (left, top, right, bottom as fractions)
NamedFace = tuple[str, tuple[float, float, float, float]]


def merge_keywords(existing: bytes | None, keywords: list[str], hierarchy: list[str],
                   location: dict[str, str] | None = None,
                   people: list[NamedFace] | None = None) -> Merge:
    """The sidecar with our keywords in it: the ones photofinder added last time are
    replaced, everything else is kept. `location` (LOCATION_FIELDS' keys: city, region,
    country, country_code) fills only fields that are empty. `people`: named faces, as
    MWG regions and PersonInImage (_merge_people). Raises XmpError for a file we cannot
    parse."""
    _register("")
    if existing is not None:
        try:
            root = _parse(existing)
        except (ET.ParseError, UnicodeDecodeError) as exc:
            raise XmpError(str(exc).splitlines()[0][:120]) from None
    else:
        root = new_packet()
    descriptions = _descriptions(root)
    duplicated = any(len(_nodes(descriptions, ns, name)) > 1 for ns, name in _MERGED)
    ours_before = set(_bag_items(descriptions, PF, "keywords"))
    ours_tree_before = set(_bag_items(descriptions, PF, "hierarchy"))
    subject = [k for k in _bag_items(descriptions, DC, "subject") if k not in ours_before]
    tree = [k for k in _bag_items(descriptions, LR, "hierarchicalSubject")
            if k not in ours_tree_before]
    added = [k for k in dict.fromkeys(keywords) if k not in subject]
    added_tree = [k for k in dict.fromkeys(hierarchy) if k not in tree]
    _set_bag(descriptions, DC, "subject", subject + added)
    _set_bag(descriptions, LR, "hierarchicalSubject", tree + added_tree)
    _set_bag(descriptions, PF, "keywords", added)
    _set_bag(descriptions, PF, "hierarchy", added_tree)
    located = _set_empty_fields(descriptions, location or {})
    people_changed = _merge_people(descriptions, people or [])
    body = ET.tostring(root, encoding="unicode")
    data = (XPACKET_BEGIN + body + XPACKET_END).encode("utf-8")
    # a file with a property twice (an older photofinder's merge) is rewritten to repair it
    return Merge(data, existing is None or duplicated or located
                 or set(ours_before) != set(added) or set(ours_tree_before) != set(added_tree)
                 or people_changed)


def _face_region(name: str, box: tuple[float, float, float, float]) -> ET.Element:
    """One MWG region: its area is the box's centre, width and height, normalised."""
    left, top, right, bottom = box
    li = ET.Element(_q(RDF, "li"), {_q(RDF, "parseType"): "Resource"})
    area = ET.SubElement(li, _q(MWG_RS, "Area"), {_q(RDF, "parseType"): "Resource"})
    for key, value in (("x", (left + right) / 2), ("y", (top + bottom) / 2),
                       ("w", right - left), ("h", bottom - top)):
        ET.SubElement(area, _q(ST_AREA, key)).text = f"{value:.4f}"
    ET.SubElement(area, _q(ST_AREA, "unit")).text = "normalized"
    ET.SubElement(li, _q(MWG_RS, "Name")).text = name
    ET.SubElement(li, _q(MWG_RS, "Type")).text = "Face"
    return li


def _merge_people(descriptions: list[ET.Element], people: list[NamedFace]) -> bool:
    """Our named faces as MWG regions and PersonInImage, replacing the ones photofinder
    wrote last time (listed in photofinder:people); regions and names other tools
    wrote stay. Returns whether anything changed."""
    ours_before = _bag_items(descriptions, PF, "people")
    names = list(dict.fromkeys(name for name, _ in people))
    persons = [p for p in _bag_items(descriptions, IPTC_EXT, "PersonInImage")
               if p not in ours_before]
    _set_bag(descriptions, IPTC_EXT, "PersonInImage",
             persons + [n for n in names if n not in persons])
    _set_bag(descriptions, PF, "people", names)
    regions = _nodes(descriptions, MWG_RS, "Regions")
    bag = regions[0].find(f"{_q(MWG_RS, 'RegionList')}/{_q(RDF, 'Bag')}") if regions else None
    before = []
    if bag is not None:
        for li in list(bag):
            name = li.findtext(_q(MWG_RS, "Name"))
            if li.findtext(_q(MWG_RS, "Type")) == "Face" and name in ours_before:
                before.append(ET.tostring(li))
                bag.remove(li)
    if people:
        if bag is None:
            home = regions[0] if regions else ET.SubElement(
                descriptions[0], _q(MWG_RS, "Regions"), {_q(RDF, "parseType"): "Resource"})
            listed = home.find(_q(MWG_RS, "RegionList"))
            if listed is None:
                listed = ET.SubElement(home, _q(MWG_RS, "RegionList"))
            bag = ET.SubElement(listed, _q(RDF, "Bag"))
        for name, box in people:
            bag.append(_face_region(name, box))
    elif bag is not None and not len(bag) and regions:
        for d in descriptions:  # nothing left in the regions we made: no empty shell
            if regions[0] in list(d):
                d.remove(regions[0])
    after = [ET.tostring(_face_region(n, b)) for n, b in people]
    return sorted(before) != sorted(after) or set(ours_before) != set(names)


# the properties merge_keywords writes, each of which must exist once in the packet
_MERGED = ((DC, "subject"), (LR, "hierarchicalSubject"), (PF, "keywords"), (PF, "hierarchy"))


def sidecar_path(photo: Path, shared_stem: bool) -> Path:
    """Where a photo's sidecar is: an existing IMG_1.jpg.xmp or IMG_1.xmp (either of the
    two common names), else IMG_1.xmp, or IMG_1.jpg.xmp when another photo in the
    folder has the same stem (IMG_1.png) and would share IMG_1.xmp.

    A camera RAW's is always DSC_0103.NEF.xmp, the name digiKam and darktable read.
    Lightroom reads DSC_0103.xmp for a RAW, but that file holds its develop settings
    and Lightroom rewrites it: photofinder never creates nor edits it."""
    full = photo.with_name(photo.name + ".xmp")
    short = photo.with_suffix(".xmp")
    if len(os.fsencode(full.name)) > NAME_MAX:  # IMG.jpg.xmp cannot exist for this name:
        return full if shared_stem else short   # two photos never share one; full is refused
    if full.is_file() or photo.suffix.lower() in RAW_EXTENSIONS:
        return full
    if short.is_file() and not shared_stem:
        return short
    return full if shared_stem else short


NAME_MAX = 255  # bytes in a file name on the common Linux, macOS and Windows file systems


# when a photo was taken, as XMP says it where EXIF does not (an iPhone screenshot of
# iOS 16 and before, a PNG or TIFF an editor exported): the first that is there. Not
# xmp:CreateDate, the file's own making: for a scan or an edit, when it was scanned or
# first saved, not when the photo was taken.
XMP_DATES = ((KNOWN_PREFIXES["exif"], "DateTimeOriginal"), (PHOTOSHOP, "DateCreated"))


def date_created(xmp_packet: bytes | str | None) -> str | None:
    """The date taken an XMP packet holds ("2019-04-14T23:38:12", as written; an element
    or an attribute of rdf:Description), or None."""
    if not xmp_packet:
        return None
    data = xmp_packet.encode("utf-8") if isinstance(xmp_packet, str) else xmp_packet
    try:
        descriptions = _descriptions(_parse(data.strip(b"\x00")))
    except (ET.ParseError, UnicodeDecodeError, XmpError):
        return None
    for ns, name in XMP_DATES:
        for d in descriptions:
            text = d.get(_q(ns, name)) or next(
                (n.text for n in d.findall(_q(ns, name)) if n.text and n.text.strip()), None)
            if text and text.strip():
                return text.strip()
    return None


def embedded_texts(xmp_packet: bytes | str | None) -> list[str]:
    """Keywords, titles and descriptions written into a photo's XMP (digiKam, Lightroom),
    without those photofinder itself added to a sidecar."""
    if not xmp_packet:
        return []
    data = xmp_packet.encode("utf-8") if isinstance(xmp_packet, str) else xmp_packet
    try:
        descriptions = _descriptions(_parse(data.strip(b"\x00")))
    except (ET.ParseError, UnicodeDecodeError, XmpError):
        return []
    ours = set(_bag_items(descriptions, PF, "keywords"))
    texts = [k for k in _bag_items(descriptions, DC, "subject") if k not in ours]
    texts += [k.split("|")[-1] for k in _bag_items(descriptions, LR, "hierarchicalSubject")
              if k not in set(_bag_items(descriptions, PF, "hierarchy"))]
    for name in ("title", "description"):
        texts += _bag_items(descriptions, DC, name)   # rdf:Alt items are rdf:li too
    return [t.strip() for t in texts if t and t.strip()]
