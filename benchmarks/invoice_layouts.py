"""Invoices in eight layouts that docloop's sample generator does not draw, as a labelled folder.

    python benchmarks/invoice_layouts.py OUT [--count 48] [--scanned [--dpi 200]]
    docloop eval OUT --doc-type invoice --predictions p.jsonl

The sample documents (`sample_docs/generate.py`) come in three invoice layouts, and docloop's invoice cues
were written against them. This folder checks how far the cues carry beyond them: other vendors and
currencies (CHF, SGD, AUD), titles printed large ("INVOICE" at 26 points), vendors centred or right-aligned,
labels above their values, European number and date styles ("1.234,56", "14.07.2024", "July 14, 2024"),
amounts followed by their currency code, tax named MwSt, TVA, GST or Sales Tax, and customer and P.O.
numbers beside the invoice's own. `--scanned` renders each page at 200 dpi (`--dpi`), turns it slightly and
blurs it, as a scan, and saves it as JPEG instead of the PDF. Every choice comes from a seeded generator.

It is still synthetic: clean fonts, one page, no logos. Real invoices are harder.
"""

from __future__ import annotations

import argparse
import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
from common import ROOT  # noqa: F401  (puts the repository on the import path)
from PIL import ImageFilter
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen import canvas

from sample_docs.generate import Invoice, money

VENDORS = [
    ("Brightline Digital Studio", ["41 Elm Row", "Edinburgh EH7 4AH"], "GBP"),
    ("Cascade Plumbing & Heating Co.", ["1809 Division St", "Spokane, WA 99202"], "USD"),
    ("Hofmann Elektrotechnik AG", ["Bahnhofstrasse 12", "8001 Zurich"], "CHF"),
    ("Pacific Rim Logistics Pte Ltd", ["8 Kallang Place #04-01", "Singapore 339157"], "SGD"),
    ("Les Ateliers Moreau SARL", ["17 rue des Tanneurs", "69002 Lyon, France"], "EUR"),
    ("Greenfield Landscaping LLC", ["PO Box 2231", "Austin, TX 78768"], "USD"),
    ("Koala Office Furniture Pty Ltd", ["22 Smith Street", "Parramatta NSW 2150"], "AUD"),
    ("Delta Software Solutions Inc.", ["500 Market St, Floor 9", "San Francisco, CA 94105"], "USD"),
]
CUSTOMERS = ["Acme Holdings Ltd", "Riverbank Dental Clinic", "Orion Retail Group", "Summit Legal LLP"]
ITEMS = [
    "Website maintenance",
    "Emergency call-out",
    "Boiler service",
    "Cloud hosting (monthly)",
    "Ergonomic chair",
    "Freight forwarding",
    "Customs clearance",
    "Lawn mowing",
    "Hedge trimming",
    "Software licence",
    "Support hours",
    "Standing desk",
    "Pipe replacement",
    "Logo design",
]
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CHF": "CHF ", "SGD": "S$", "AUD": "A$"}
TAX_NAMES = {"GBP": "VAT", "EUR": "TVA", "CHF": "MwSt", "USD": "Sales Tax", "SGD": "GST", "AUD": "GST"}
DATE_STYLES = {"USD": "%m/%d/%Y", "EUR": "%d.%m.%Y", "CHF": "%d.%m.%Y", "GBP": "%d %b %Y", "SGD": "%d %b %Y"}
TOTAL_LABELS = [
    "Total",
    "Amount Due",
    "TOTAL DUE",
    "Balance Due",
    "Grand Total",
    "Total (incl. tax)",
    "Invoice Total",
    "Total Payable",
]
META_LABELS = [
    ("Invoice #", "Invoice Date", "Due Date"),
    ("Number", "Date", "Due"),
    ("INVOICE NO.", "DATE", "PAYMENT DUE"),
    ("Invoice number:", "Date of issue:", "Date due:"),
]


@dataclass
class Billing:
    """Who is billed and under which order: what stands beside the invoice's own facts."""

    customer: str
    order: str


def make_invoice(rng: random.Random, index: int) -> tuple[Invoice, Billing]:
    """A random invoice of the index-th vendor (vendors repeat, as they do in a queue)."""
    vendor, address, currency = VENDORS[index % len(VENDORS)]
    issued = date(2023, 1, 1) + timedelta(days=rng.randrange(600))
    items = [
        (rng.choice(ITEMS), rng.randint(1, 12), money(Decimal(rng.randint(500, 90000)) / 100))
        for _ in range(rng.randint(1, 6))
    ]
    number = rng.choice(
        [
            f"INV-{issued.year}-{rng.randint(1, 9999):04d}",
            f"{rng.randint(10000, 99999)}",
            f"A{rng.randint(100, 999)}/{issued.year}",
            f"{issued.year}{rng.randint(100, 999)}",
        ]
    )
    invoice = Invoice(
        vendor=vendor,
        address=address,
        currency=currency,
        number=number,
        issued=issued,
        due=issued + timedelta(days=rng.choice([14, 30, 45, 60])),
        items=items,
        tax_rate=Decimal(rng.choice(["0.20", "0.10", "0.0825", "0.077", "0.09", "0.19"])),
    )
    return invoice, Billing(customer=rng.choice(CUSTOMERS), order=f"PO-{rng.randint(1000, 9999)}")


def _money(value: Decimal, currency: str, code_after: bool) -> str:
    text = f"{value:,.2f}"
    if currency in ("EUR", "CHF"):
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} {currency}" if code_after else f"{SYMBOLS[currency]}{text}"


def draw_invoice(inv: Invoice, billing: Billing, layout: int) -> bytes:
    """The invoice as a one-page PDF in one of eight layouts (0-7)."""
    size = LETTER if layout % 2 else A4
    width, height = size
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=1)
    date_style = "%B %d, %Y" if layout in (0, 4) else DATE_STYLES.get(inv.currency, "%d %b %Y")
    money = lambda value: _money(value, inv.currency, code_after=layout == 3)  # noqa: E731
    labels_above = layout in (2, 6)
    if layout % 2 == 0:  # vendor centred in large type, "INVOICE" below at the left
        pdf.setFont("Helvetica-Bold", 22)
        pdf.drawCentredString(width / 2, height - 60, inv.vendor.upper() if layout == 2 else inv.vendor)
        pdf.setFont("Helvetica", 9)
        pdf.drawCentredString(width / 2, height - 75, " - ".join(inv.address))
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(50, height - 120, "INVOICE")
    else:  # a large title at the left, the vendor block right-aligned beside it
        pdf.setFont("Helvetica-Bold", 26)
        pdf.drawString(50, height - 60, "Tax Invoice" if layout == 5 else "INVOICE")
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawRightString(width - 50, height - 50, inv.vendor)
        pdf.setFont("Helvetica", 9)
        for k, line in enumerate(inv.address):
            pdf.drawRightString(width - 50, height - 63 - 11 * k, line)
    number_label, date_label, due_label = META_LABELS[layout % 4]
    meta = [
        (number_label, inv.number),
        (date_label, inv.issued.strftime(date_style)),
        (due_label, inv.due.strftime(date_style)),
        ("P.O. #", billing.order) if layout % 4 == 0 else ("Customer ID", "C-0042"),
    ]
    top = height - 150
    for k, (label, value) in enumerate(meta):
        if labels_above:
            pdf.setFont("Helvetica-Bold", 8)
            pdf.drawString(50 + 130 * k, top, label)
            pdf.setFont("Helvetica", 10)
            pdf.drawString(50 + 130 * k, top - 13, value)
        else:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(width - 250, top - 14 * k, label)
            pdf.drawRightString(width - 50, top - 14 * k, value)
    bill_top = top - (45 if labels_above else 70)
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(50, bill_top, "BILLED TO:" if layout % 3 == 0 else "Bill To")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, bill_top - 14, billing.customer)
    pdf.drawString(50, bill_top - 27, "12 Commerce Way, Springfield")
    columns = (
        [("Description", 50), ("Qty", 330), ("Rate", 400), ("Amount", width - 50)]
        if layout % 2
        else [("Item", 50), ("Hours/Qty", 310), ("Unit Price", 390), ("Line Total", width - 50)]
    )
    y = height - 290
    pdf.setFont("Helvetica-Bold", 10)
    for title, x in columns:
        (pdf.drawRightString if x > 500 else pdf.drawString)(x, y, title)
    pdf.line(50, y - 4, width - 50, y - 4)
    pdf.setFont("Helvetica", 10)
    for description, quantity, price, amount in inv.lines:
        y -= 18
        pdf.drawString(50, y, description)
        pdf.drawString(columns[1][1], y, str(quantity))
        pdf.drawString(columns[2][1], y, money(price))
        pdf.drawRightString(width - 50, y, money(amount))
    y -= 30
    rate = f"{(inv.tax_rate * 100).normalize()}%"
    totals = [
        ("Subtotal", inv.subtotal, "Helvetica"),
        (f"{TAX_NAMES[inv.currency]} ({rate})", inv.tax, "Helvetica"),
        (TOTAL_LABELS[layout % len(TOTAL_LABELS)], inv.total, "Helvetica-Bold"),
    ]
    for label, value, font in totals:
        pdf.setFont(font, 10)
        pdf.drawString(width - 250, y, label)
        pdf.drawRightString(width - 50, y, money(value))
        y -= 16
    pdf.setFont("Helvetica", 8)
    pdf.drawString(
        50, 80, f"Please make payment to {inv.vendor} within the stated terms. Thank you for your business!"
    )
    pdf.drawString(50, 68, "Questions? billing@example.com - +1 555 0100")
    pdf.save()
    return buffer.getvalue()


def scan(pdf_bytes: bytes, rng: random.Random, dpi: int = 200) -> bytes:
    """The PDF's page as a slightly turned, blurred JPEG (200 dpi unless told)."""
    image = pdfium.PdfDocument(pdf_bytes)[0].render(scale=dpi / 72).to_pil().convert("L")
    image = image.rotate(rng.uniform(-1.5, 1.5), expand=True, fillcolor=255).filter(
        ImageFilter.GaussianBlur(0.8)
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--scanned", action="store_true", help="JPEG scans instead of text-layer PDFs")
    parser.add_argument(
        "--dpi", type=int, default=200, help="resolution of the scans (low: a fax, a far photo)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng, scan_rng = random.Random(7), random.Random(3)
    for index in range(args.count):
        invoice, billing = make_invoice(rng, index)
        pdf = draw_invoice(invoice, billing, index % 8)
        stem = args.out / f"layout-{index:02d}"
        if args.scanned:
            stem.with_suffix(".jpg").write_bytes(scan(pdf, scan_rng, args.dpi))
        else:
            stem.with_suffix(".pdf").write_bytes(pdf)
        stem.with_suffix(".json").write_text(json.dumps(invoice.label(), indent=1, ensure_ascii=False))
    print(f"{args.count} invoices in {args.out}")


if __name__ == "__main__":
    main()
