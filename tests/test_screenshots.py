"""Screenshots in a camera roll: found by «скриншот» and left out by «-скриншот», from
what iOS and macOS write into the file or the name Android, Windows and macOS give it.

The iPhone's two ways are written here as real iPhone screenshots carry them (looked at
in PNGs from public repositories with ExifTool: iOS 17 writes EXIF UserComment
"ASCII\\0\\0\\0Screenshot" and XMP exif:UserComment; iOS 12 the XMP alone), and ExifTool,
an independent reader, checks that these files say what an iPhone's say."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from photofinder.decoders.pillow import is_screenshot
from photofinder.screenshots import said_by_metadata, said_by_name
from photofinder.xmp import date_created
from tests.conftest import TAGGER, run_here, search_json

USER_COMMENT, DATE_TIME_ORIGINAL, EXIF_IFD = 0x9286, 0x9003, 0x8769
IOS_XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 5.4.0">
   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about=""
            xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
            xmlns:exif="http://ns.adobe.com/exif/1.0/">
         <photoshop:DateCreated>2019-04-14T23:38:12</photoshop:DateCreated>
         <exif:UserComment>Screenshot</exif:UserComment>
      </rdf:Description>
   </rdf:RDF>
</x:xmpmeta>
"""
IOS17_XMP = IOS_XMP.replace("XMP Core 5.4.0", "XMP Core 6.0.0").replace("2019-04-14T23:38:12",
                                                                        "2024-02-23T10:49:34")
# what each file is, and whether it is a screenshot
SCREENSHOTS = ("IMG_0001.PNG", "IMG_1266.PNG", "Screenshot_20190101-120000_Chrome.png",
               "Снимки экрана/Снимок экрана 2023-05-01 в 12.00.00.png")
PHOTOS = ("IMG_1234.PNG", "IMG_2001.JPG")


def _iphone_png(img: Image.Image, path: Path, exif: bool) -> Path:
    """A PNG as an iPhone writes a screenshot: EXIF and XMP (iOS 17), or XMP alone (iOS 12)."""
    info = {}
    if exif:
        e = Image.Exif()
        e.get_ifd(EXIF_IFD)[USER_COMMENT] = b"ASCII\x00\x00\x00Screenshot"
        e.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] = "2024:02:23 10:49:34"
        info["exif"] = e.tobytes()   # an Exif with no base tags of its own is left out
    from PIL import PngImagePlugin

    png = PngImagePlugin.PngInfo()
    png.add_itxt("XML:com.adobe.xmp", IOS17_XMP if exif else IOS_XMP)
    img.save(path, pnginfo=png, **info)
    return path


@pytest.fixture(scope="module")
def roll(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("roll") / "iPhone"
    (folder / "Снимки экрана").mkdir(parents=True)
    coffee, cat, rocket = (Image.fromarray(a) for a in (data.coffee(), data.chelsea(), data.rocket()))
    _iphone_png(coffee, folder / SCREENSHOTS[0], exif=True)
    _iphone_png(cat, folder / SCREENSHOTS[1], exif=False)
    coffee.save(folder / SCREENSHOTS[2])
    cat.save(folder / SCREENSHOTS[3])
    rocket.save(folder / PHOTOS[0])          # a PNG named as a camera names it: a photo
    coffee.save(folder / PHOTOS[1], quality=90)
    index_dir = tmp_path_factory.mktemp("index") / "index"
    run_here("index", str(folder), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    return folder, index_dir


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="ExifTool is not installed")
def test_the_fixtures_say_what_an_iphones_screenshots_say(roll):
    folder, _ = roll
    for name, tags in ((SCREENSHOTS[0], ("-EXIF:UserComment", "-XMP:UserComment")),
                       (SCREENSHOTS[1], ("-XMP:UserComment",))):
        for tag in tags:
            out = subprocess.run(["exiftool", "-s3", tag, str(folder / name)],
                                 capture_output=True, text=True, check=True).stdout
            assert out.strip() == "Screenshot", (name, tag, out)


@pytest.mark.parametrize("query", ["скриншоты", "скриншот", "снимки экрана", "скрины"])
def test_screenshots_are_found_and_only_they(roll, query):
    folder, index_dir = roll
    hits = search_json(index_dir, query)
    strong = {Path(h["path"]).relative_to(folder).as_posix() for h in hits if not h.get("weak")}
    assert strong == set(SCREENSHOTS), hits


def test_a_minus_leaves_the_screenshots_out(roll):
    folder, index_dir = roll
    names = {Path(h["path"]).name for h in search_json(index_dir, "кофе -скриншоты")}
    assert "IMG_2001.JPG" in names
    assert not names & {Path(s).name for s in SCREENSHOTS}, names


def test_a_screenshot_with_its_date_in_xmp_alone_is_of_that_year(roll):
    """iOS 16 and before wrote the date into the XMP alone (photoshop:DateCreated): before
    round thirty-three such a file was dated by its copy, today."""
    folder, index_dir = roll
    hits = search_json(index_dir, "скриншоты 2019")
    strong = [Path(h["path"]).name for h in hits if not h.get("weak")]
    assert strong == [SCREENSHOTS[1]], hits


def test_the_date_in_xmp():
    assert date_created(IOS_XMP) == "2019-04-14T23:38:12"
    packet = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
              '1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/'
              'exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:DateTimeOriginal='
              '"2020-06-01T10:00:00+03:00" xmp:CreateDate="2021-01-01T00:00:00"/></rdf:RDF>'
              '</x:xmpmeta>')
    assert date_created(packet) == "2020-06-01T10:00:00+03:00"
    # the file's own making (a scan's, an edit's) is not when the photo was taken
    assert date_created(packet.replace("exif:DateTimeOriginal", "exif:Other")) is None
    assert date_created("<x:xmpmeta/>") is None and date_created(b"not xml") is None


def test_the_decoder_reads_the_exif_alone(tmp_path):
    e = Image.Exif()
    e.get_ifd(EXIF_IFD)[USER_COMMENT] = b"ASCII\x00\x00\x00Screenshot"
    Image.fromarray(data.coffee()).save(tmp_path / "a.png", exif=e.tobytes())
    Image.fromarray(data.coffee()).save(tmp_path / "b.png")
    with Image.open(tmp_path / "a.png") as a, Image.open(tmp_path / "b.png") as b:
        assert is_screenshot(a) and not is_screenshot(b)


def test_what_makes_a_screenshot():
    assert said_by_metadata(b"ASCII\x00\x00\x00Screenshot", None)
    assert said_by_metadata(None, IOS_XMP) and said_by_metadata(None, IOS_XMP.encode())
    assert said_by_metadata(None, '<exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">'
                                  'Screenshot</rdf:li></rdf:Alt></exif:UserComment>')
    assert not said_by_metadata(b"ASCII\x00\x00\x00Holiday in Sochi", "<x:xmpmeta/>")
    assert not said_by_metadata(None, "<dc:title>Screenshot of my garden</dc:title>")
    for name in ("Screenshots/IMG_1.png", "Screenshot_20190101-120000.png",
                 "Screen Shot 2020-01-01 at 10.00.00.png", "Снимки экрана/1.png",
                 "Снимок экрана 2023-05-01.png", "Скриншоты/2.jpg"):
        assert said_by_name(Path("/photos") / name), name
    for name in ("IMG_1234.PNG", "screenshots-project/photos/a.jpg", "screenshotter/a.jpg",
                 "Снимки/экран.jpg"):
        assert not said_by_name(Path("/photos") / name), name
