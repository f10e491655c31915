"""Real invoices from other projects' test suites on PyPI, as a labelled folder docloop was not written on.

    python benchmarks/real_invoices.py OUT [--scanned]
    docloop eval OUT --doc-type invoice --predictions p.jsonl

docloop's own invoices (`sample_docs/`, `benchmarks/invoice_layouts.py`) come from its own generators. The
source distributions of invoice2data 0.4.0 (MIT) and factur-x 7.8 (BSD) ship real invoice PDFs in their
tests: Amazon Web Services, Flipkart, Netpresse and Free (French), QualityHosting (German), an OYO hotel
payment receipt, a Factur-X sample, and a generated test invoice. This script downloads the two archives
from PyPI (a package registry, so within the machine's network rules), copies the PDFs into OUT and writes
the labels below beside them. The files stay out of the repository.

`--scanned` renders every page at 200 dpi, turns it slightly and blurs it, and writes an image-only PDF
(the pages OCR must read) in place of the original.

The labels were read off the PDFs by hand for this benchmark, not taken from the projects' expected
outputs (those name issuers by template, not as printed). Only fields a reviewer can confirm from the page
are labelled: the vendor where one name is printed as the seller (not where a brand and a legal name
compete, as on the OYO, Free and Factur-X pages), no currency where none is printed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import tarfile
import urllib.request
from pathlib import Path

import pypdfium2 as pdfium
from PIL import ImageFilter

ARCHIVES = {
    "invoice2data-0.4.0.tar.gz": "https://files.pythonhosted.org/packages/0c/38/"
    "e2f5b9e98a219c251594b1ffca2da66d8b8981233141d42bf43695e48455/invoice2data-0.4.0.tar.gz",
    "factur_x-7.8.tar.gz": "https://files.pythonhosted.org/packages/d0/3d/"
    "87b3bdae7563ba653f2379f4b2bb26aa31241f75953559c4364e2cb25c79/factur_x-7.8.tar.gz",
}

# stem: (archive, member path, labels)
INVOICES: dict[str, tuple[str, str, dict[str, str]]] = {
    "aws": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/AmazonWebServices.pdf",
        {
            "vendor": "Amazon Web Services, Inc.",
            "invoice_number": "42183017",
            "date": "2014-08-03",
            "total": "4.11",
            "currency": "USD",
        },
    ),
    "flipkart": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/FlipkartInvoice.pdf",
        {
            "vendor": "WS Retail Services Pvt. Ltd.",
            "invoice_number": "BLR_WFLD20151000982590",
            "date": "2015-10-20",
            "total": "319.00",
        },
    ),
    "netpresse": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/NetpresseInvoice.pdf",
        {
            "vendor": "NETPRESSE",
            "invoice_number": "2022089083",
            "date": "2022-11-28",
            "subtotal": "46.68",
            "tax": "9.34",
            "total": "56.02",
            "currency": "EUR",
        },
    ),
    "qualityhosting": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/QualityHosting.pdf",
        {
            "vendor": "QualityHosting AG",
            "invoice_number": "30064443",
            "date": "2014-05-07",
            "total": "34.73",
            "currency": "EUR",
        },
    ),
    "sammy": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/SammyMaystoneLinesTest.pdf",
        {
            "vendor": "Sammy Maystone",
            "invoice_number": "invoice_number_1",
            "date": "2022-01-01",
            "due_date": "2022-01-31",
            "subtotal": "127.50",
            "tax": "0.00",
            "total": "127.50",
            "currency": "USD",
        },
    ),
    "free": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/free_fiber.pdf",
        {
            "invoice_number": "562044387",
            "date": "2015-07-02",
            "due_date": "2015-07-05",
            "subtotal": "24.99",
            "tax": "5.00",
            "total": "29.99",
            "currency": "EUR",
        },
    ),
    "oyo": (
        "invoice2data-0.4.0.tar.gz",
        "invoice2data-0.4.0/tests/compare/oyo.pdf",
        {"invoice_number": "IBZY2087", "date": "2017-12-31", "total": "1939.00"},
    ),
    "facturx": (
        "factur_x-7.8.tar.gz",
        "factur_x-7.8/tests/fixtures/pdf/invoice_EN16931.pdf",
        {
            "invoice_number": "F20260023",
            "date": "2026-01-31",
            "due_date": "2026-03-02",
            "subtotal": "100.00",
            "tax": "4.90",
            "total": "104.90",
            "currency": "EUR",
        },
    ),
}


def fetch(name: str, cache: Path) -> bytes:
    """An archive from PyPI, kept in `cache` after the first download."""
    path = cache / name
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(ARCHIVES[name], timeout=60) as response:  # noqa: S310 (fixed https URL)
            path.write_bytes(response.read())
    return path.read_bytes()


def scanned(pdf_bytes: bytes, rng: random.Random) -> bytes:
    """Every page as a slightly turned, blurred 200-dpi greyscale image, in an image-only PDF."""
    pages = []
    for page in pdfium.PdfDocument(pdf_bytes):
        image = page.render(scale=200 / 72).to_pil().convert("L")
        pages.append(
            image.rotate(rng.uniform(-1.5, 1.5), expand=True, fillcolor=255).filter(
                ImageFilter.GaussianBlur(0.8)
            )
        )
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=200, save_all=True, append_images=pages[1:])
    return out.getvalue()


def main() -> None:
    """Write the labelled folder."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "docloop-benchmarks")
    parser.add_argument("--scanned", action="store_true", help="image-only PDFs instead of the text layer")
    args = parser.parse_args()
    rng = random.Random(3)
    args.out.mkdir(parents=True, exist_ok=True)
    archives = {name: fetch(name, args.cache) for name in ARCHIVES}
    for stem, (archive, member, labels) in INVOICES.items():
        with tarfile.open(fileobj=io.BytesIO(archives[archive])) as tar:
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{member} is missing from {archive}")
            pdf = extracted.read()
        (args.out / f"{stem}.pdf").write_bytes(scanned(pdf, rng) if args.scanned else pdf)
        (args.out / f"{stem}.json").write_text(json.dumps(labels, indent=1) + "\n")
    print(f"{len(INVOICES)} invoices in {args.out}")


if __name__ == "__main__":
    main()
