"""Read-time figures per file format, and the peak memory of refusing a zip bomb.

    .venv/bin/python benchmarks/readers.py

Figures:
  read time      median time of read_source per fixture in tests/data/formats/ (one page,
                 one table each); its share of read time + read_report(text=…) with
                 .metrics, .tasks, .completion.
  PDF pages/s    read_source on a 100-page PDF made of copies of the fixture's page.
  bomb memory    peak RSS of a fresh process refusing zip bombs (a .docx inflating to 2 GB, an
                 .xlsx and an .odt), and of reading the largest .odt the limits let through
                 (content.xml just under FORESTRY_MAX_MEMBER_MB; odfpy is the most memory-hungry
                 parser); budget 500 MB.
"""
from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FORMATS = ROOT / "tests" / "data" / "formats"

import forestry_analysis as fa  # noqa: E402
from forestry_analysis.io.reading import read_source  # noqa: E402


def median_time(fn, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_times() -> None:
    print(f"{'format':<7} {'read ms':>8} {'report ms':>10} {'reading share':>14}")
    for path in sorted(FORMATS.glob("report.*")):
        if path.suffix == ".py":
            continue
        text = read_source(path)
        read = median_time(lambda: read_source(path))

        def analyse():
            r = fa.read_report(text=text)
            r.metrics, r.tasks, r.completion

        total = read + median_time(analyse)
        print(f"{path.suffix:<7} {read * 1000:8.1f} {total * 1000:10.1f} {read / total:14.0%}")


def pdf_pages_per_second(pages: int = 100) -> None:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(FORMATS / "report.pdf")
    document = pdfium.PdfDocument.new()
    document.import_pages(source, [0] * pages)
    buffer = io.BytesIO()
    document.save(buffer)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.pdf"
        path.write_bytes(buffer.getvalue())
        seconds = median_time(lambda: read_source(path), rounds=3)
    print(f"PDF: {pages / seconds:.0f} pages/s ({pages} pages with one ruled table each, {seconds:.2f} s)")


BOMB = r"""
import resource, sys, zipfile
from forestry_analysis.io.reading import read_source
from forestry_analysis.errors import ReportReadError
path, member, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    with z.open(member, "w", force_zip64=True) as out:
        for _ in range(mb):
            out.write(b"0" * 2**20)
try:
    read_source(path)
    print("NOT REFUSED")
except ReportReadError as exc:
    print(exc.reason)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def bomb_memory() -> None:
    for name, member, mb in (("bomb.docx", "word/document.xml", 2048), ("bomb.xlsx", "xl/sharedStrings.xml", 9),
                             ("bomb.odt", "content.xml", 700)):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", BOMB, str(Path(tmp) / name), member, str(mb)],
                                  capture_output=True, text=True, cwd=ROOT, check=True)
            reason, peak = done.stdout.strip().splitlines()
            print(f"{name} ({mb} MB inflated): refused in {time.perf_counter() - start:.1f} s incl. writing it, "
                  f"peak RSS {peak} MB (budget 500 MB): {reason}")


LARGEST = r"""
import io, resource, sys, zipfile
from forestry_analysis.config import read_limit
from forestry_analysis.io.reading import read_source
src, path = sys.argv[1], sys.argv[2]
room = int(read_limit("FORESTRY_MAX_MEMBER_MB") * 2**20 * 0.95)
with zipfile.ZipFile(src) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
    for info in z.infolist():
        data = z.read(info)
        if info.filename == "content.xml":
            para = "<text:p>完成营造林8000亩，抚育1.25万亩。%d</text:p>"
            body = "".join(para % i for i in range((room - len(data)) // (len(para.encode()) + 5))).encode()
            data = data.replace(b"<office:text>", b"<office:text>" + body, 1)
        out.writestr(info, data)
del body, data
print(len(read_source(path)))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def largest_allowed() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LARGEST, str(FORMATS / "report.odt"), str(Path(tmp) / "big.odt")],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        chars, peak = done.stdout.strip().splitlines()
        print(f"largest .odt allowed: {int(chars):,} characters read in {time.perf_counter() - start:.1f} s, "
              f"peak RSS {peak} MB (budget 500 MB)")


if __name__ == "__main__":
    read_times()
    pdf_pages_per_second()
    bomb_memory()
    largest_allowed()
