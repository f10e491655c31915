"""Deterministic generator of docloop's own labelled sample documents.

    python sample_docs/generate.py [OUT_DIR]      (default: the folder of this script)

Writes `<doc_type>-<nn>.<pdf|jpg|png>` with `<doc_type>-<nn>.json` labels (normalised values: ISO dates,
decimal amounts). Text-layer invoices are PDFs drawn with reportlab's built-in fonts; "scanned" documents
are those PDFs rendered by pdfium, then rotated slightly, blurred, speckled and saved as JPEG. Every random
choice comes from a seeded generator and reportlab runs in invariant mode, so the bytes are identical on
every run and machine.
"""

from __future__ import annotations

import io
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

VENDORS = [
    ("Northwind Office Supply Ltd", ["14 Harbour Street", "Bristol BS1 4QA", "United Kingdom"], "GBP"),
    ("Blue Heron Consulting LLC", ["2200 Pine Avenue, Suite 400", "Portland, OR 97205", "USA"], "USD"),
    ("Kastanie Druckerei GmbH", ["Lindenstrasse 27", "10969 Berlin", "Germany"], "EUR"),
    ("Sunrise Hardware Sdn Bhd", ["No. 12, Jalan Perdana 3", "47100 Puchong", "Selangor, Malaysia"], "MYR"),
    ("Maple & Oak Catering Inc", ["88 King Street West", "Toronto, ON M5H 1A1", "Canada"], "USD"),
    ("Atlas Freight Services Ltd", ["Unit 5, Riverside Park", "Leeds LS10 1AB", "United Kingdom"], "GBP"),
]
RECEIPT_SHOPS = [
    (
        "KEDAI RUNCIT MAJU SDN BHD",
        "(884512-K)",
        ["NO 7, JALAN BUNGA RAYA 2,", "TAMAN MELATI, 53100 KUALA LUMPUR"],
    ),
    (
        "GREEN LEAF CAFE SDN BHD",
        "(1020311-W)",
        ["LOT 3-01, PLAZA DAMAI,", "JALAN DAMAI 5, 50400 KUALA LUMPUR"],
    ),
    ("HAPPY MART ENTERPRISE", "(002233445-P)", ["12 JALAN SS2/55,", "47300 PETALING JAYA, SELANGOR"]),
    ("CORNER BOOKS TRADING", "(556677-T)", ["22, JALAN TUN RAZAK,", "80000 JOHOR BAHRU, JOHOR"]),
    (
        "BAYSIDE PHARMACY SDN BHD",
        "(731122-A)",
        ["G-12, BAYSIDE MALL, JALAN PANTAI,", "88000 KOTA KINABALU, SABAH"],
    ),
]
ITEMS = [
    "Printer paper A4 (box)",
    "Toner cartridge black",
    "Consulting hours",
    "Site visit",
    "Design review",
    "Catering package, 20 people",
    "Delivery charge",
    "Shelving unit",
    "Label printer",
    "Network cable 5m",
    "Project management",
    "Translation, per page",
    "Pallet transport",
    "Storage, per week",
]
RECEIPT_ITEMS = [
    "MINERAL WATER 1.5L",
    "WHITE BREAD",
    "INSTANT NOODLE 5S",
    "COFFEE LATTE",
    "NASI LEMAK",
    "TEH TARIK",
    "NOTEBOOK A5",
    "BALL PEN BLUE",
    "PARACETAMOL 500MG",
    "HAND SOAP",
    "TISSUE 3PLY",
]
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "MYR": "RM"}
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal, currency: str, style: str = "plain") -> str:
    """Printed amount in the style of the document (1,234.50 / 1.234,50 / with symbol)."""
    text = f"{value:,.2f}"
    if style == "eu":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"{text} {SYMBOLS[currency]}"
    if style == "symbol":
        return f"{SYMBOLS[currency]}{text}"
    return text


@dataclass
class Invoice:
    vendor: str
    address: list[str]
    currency: str
    number: str
    issued: date
    due: date
    items: list[tuple[str, int, Decimal]]
    tax_rate: Decimal

    @property
    def lines(self) -> list[tuple[str, int, Decimal, Decimal]]:
        return [(d, q, p, money(p * q)) for d, q, p in self.items]

    @property
    def subtotal(self) -> Decimal:
        return sum((amount for *_rest, amount in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return money(self.subtotal * self.tax_rate)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    def label(self) -> dict:
        return {
            "vendor": self.vendor,
            "invoice_number": self.number,
            "date": self.issued.isoformat(),
            "due_date": self.due.isoformat(),
            "subtotal": str(self.subtotal),
            "tax": str(self.tax),
            "total": str(self.total),
            "currency": self.currency,
            "line_items": [
                {"description": d, "quantity": str(q), "unit_price": f"{p:.2f}", "amount": str(a)}
                for d, q, p, a in self.lines
            ],
        }


def make_invoice(rng: random.Random, index: int, n_items: int | None = None) -> Invoice:
    vendor, address, currency = VENDORS[index % len(VENDORS)]
    issued = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 330))
    n = n_items or rng.randint(2, 6)
    items = [
        (rng.choice(ITEMS), rng.randint(1, 12), Decimal(rng.randrange(500, 40000)) / 100) for _ in range(n)
    ]
    number = rng.choice(["INV-{y}-{n:04d}", "{n:06d}", "A{y}/{n:05d}", "INV{n:05d}"]).format(
        y=issued.year, n=rng.randrange(1, 99999)
    )
    tax_rate = {"GBP": Decimal("0.20"), "EUR": Decimal("0.19"), "MYR": Decimal("0.06")}.get(
        currency, Decimal("0.08")
    )
    return Invoice(
        vendor,
        address,
        currency,
        number,
        issued,
        issued + timedelta(days=rng.choice([14, 30, 45])),
        items,
        tax_rate,
    )


def _pdf_canvas() -> tuple[canvas.Canvas, io.BytesIO]:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle("Invoice")
    return pdf, buffer


def draw_invoice_classic(inv: Invoice, rows_per_page: int = 18) -> bytes:
    """Vendor top left, labels with values to their right, table, totals bottom right (DD/MM/YYYY)."""
    pdf, buffer = _pdf_canvas()
    width, height = A4
    lines = inv.lines
    pages = [lines[i : i + rows_per_page] for i in range(0, len(lines), rows_per_page)] or [[]]
    for page_index, rows in enumerate(pages):
        y = height - 60
        if page_index == 0:
            pdf.setFont("Helvetica-Bold", 18)
            pdf.drawString(50, y, inv.vendor)
            pdf.setFont("Helvetica", 10)
            for i, line in enumerate(inv.address):
                pdf.drawString(50, y - 18 - 13 * i, line)
            pdf.setFont("Helvetica-Bold", 22)
            pdf.drawRightString(width - 50, y, "INVOICE")
            pdf.setFont("Helvetica", 10)
            pdf.drawString(width - 230, y - 30, "Invoice No:")
            pdf.drawString(width - 150, y - 30, inv.number)
            pdf.drawString(width - 230, y - 44, "Date:")
            pdf.drawString(width - 150, y - 44, inv.issued.strftime("%d/%m/%Y"))
            pdf.drawString(width - 230, y - 58, "Due Date:")
            pdf.drawString(width - 150, y - 58, inv.due.strftime("%d/%m/%Y"))
            pdf.setFont("Helvetica-Bold", 10)
            pdf.drawString(50, y - 110, "Bill To:")
            pdf.setFont("Helvetica", 10)
            pdf.drawString(50, y - 124, "Customer Services Ltd")
            pdf.drawString(50, y - 137, "1 Market Square, Exeter EX1 1AA")
            y -= 180
        else:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(50, y, f"{inv.vendor} - invoice {inv.number} (continued)")
            y -= 30
        pdf.setFont("Helvetica-Bold", 10)
        for x, text in ((50, "Description"), (330, "Qty"), (400, "Unit Price"), (width - 50, "Amount")):
            (pdf.drawRightString if x > 500 else pdf.drawString)(x, y, text)
        pdf.line(50, y - 4, width - 50, y - 4)
        pdf.setFont("Helvetica", 10)
        for description, quantity, price, amount in rows:
            y -= 18
            pdf.drawString(50, y, description)
            pdf.drawString(330, y, str(quantity))
            pdf.drawString(400, y, fmt(price, inv.currency))
            pdf.drawRightString(width - 50, y, fmt(amount, inv.currency))
        if page_index == len(pages) - 1:
            y -= 36
            pdf.drawString(380, y, "Subtotal")
            pdf.drawRightString(width - 50, y, fmt(inv.subtotal, inv.currency))
            pdf.drawString(380, y - 16, f"Tax {inv.tax_rate * 100:.0f}%")
            pdf.drawRightString(width - 50, y - 16, fmt(inv.tax, inv.currency))
            pdf.setFont("Helvetica-Bold", 11)
            pdf.drawString(380, y - 34, f"Total ({inv.currency})")
            pdf.drawRightString(width - 50, y - 34, fmt(inv.total, inv.currency))
            pdf.setFont("Helvetica", 8)
            pdf.drawString(
                50, 60, "Payment by bank transfer within the terms stated above. Thank you for your business."
            )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def draw_invoice_modern(inv: Invoice) -> bytes:
    """Title top left, vendor block top right, labels above their values, named-month dates."""
    pdf, buffer = _pdf_canvas()
    width, height = A4
    style = "eu" if inv.currency == "EUR" else "symbol"
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawString(50, height - 70, "Invoice")
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawRightString(width - 50, height - 60, inv.vendor)
    pdf.setFont("Helvetica", 9)
    for i, line in enumerate(inv.address):
        pdf.drawRightString(width - 50, height - 74 - 12 * i, line)
    labels = (
        ("Invoice number", inv.number),
        ("Issue date", inv.issued.strftime("%B %d, %Y")),
        ("Due date", inv.due.strftime("%B %d, %Y")),
    )
    for i, (label, value) in enumerate(labels):
        x = 50 + 170 * i
        pdf.setFont("Helvetica", 8)
        pdf.drawString(x, height - 150, label.upper())
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(x, height - 165, value)
    y = height - 220
    pdf.setFont("Helvetica-Bold", 9)
    for x, text in ((50, "ITEM"), (320, "HOURS"), (390, "RATE"), (width - 50, "AMOUNT")):
        (pdf.drawRightString if x > 500 else pdf.drawString)(x, y, text)
    pdf.setFont("Helvetica", 10)
    for description, quantity, price, amount in inv.lines:
        y -= 20
        pdf.drawString(50, y, description)
        pdf.drawString(320, y, str(quantity))
        pdf.drawString(390, y, fmt(price, inv.currency, style))
        pdf.drawRightString(width - 50, y, fmt(amount, inv.currency, style))
    y -= 40
    for label, value, font in (
        ("Subtotal", inv.subtotal, "Helvetica"),
        (f"VAT {inv.tax_rate * 100:.0f}%", inv.tax, "Helvetica"),
        ("Total due", inv.total, "Helvetica-Bold"),
    ):
        pdf.setFont(font, 11)
        pdf.drawString(360, y, label)
        pdf.drawRightString(width - 50, y, fmt(value, inv.currency, style))
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def draw_invoice_compact(inv: Invoice) -> bytes:
    """Centred heading, ISO dates, 'Tax Invoice #', net/VAT/total block."""
    pdf, buffer = _pdf_canvas()
    width, height = A4
    pdf.setFont("Times-Bold", 20)
    pdf.drawCentredString(width / 2, height - 60, inv.vendor)
    pdf.setFont("Times-Roman", 10)
    pdf.drawCentredString(width / 2, height - 76, ", ".join(inv.address))
    pdf.setFont("Times-Bold", 13)
    pdf.drawString(50, height - 120, f"Tax Invoice # {inv.number}")
    pdf.setFont("Times-Roman", 11)
    pdf.drawString(50, height - 140, f"Invoice Date: {inv.issued.isoformat()}")
    pdf.drawString(50, height - 155, f"Payment due: {inv.due.isoformat()}")
    y = height - 200
    pdf.setFont("Times-Bold", 11)
    for x, text in ((50, "Description"), (300, "Quantity"), (380, "Price"), (width - 50, "Total")):
        (pdf.drawRightString if x > 500 else pdf.drawString)(x, y, text)
    pdf.setFont("Times-Roman", 11)
    for description, quantity, price, amount in inv.lines:
        y -= 17
        pdf.drawString(50, y, description)
        pdf.drawString(300, y, str(quantity))
        pdf.drawString(380, y, fmt(price, inv.currency))
        pdf.drawRightString(width - 50, y, fmt(amount, inv.currency))
    y -= 34
    for label, value in (
        ("Net amount", inv.subtotal),
        (f"VAT ({inv.tax_rate * 100:.0f}%)", inv.tax),
        (f"Grand Total {inv.currency}", inv.total),
    ):
        pdf.drawString(340, y, label)
        pdf.drawRightString(width - 50, y, fmt(value, inv.currency))
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def draw_receipt(rng: random.Random, index: int) -> tuple[bytes, dict]:
    """A narrow till receipt in Courier: shop, registration, address, date, items, totals, GST."""
    name, registration, address = RECEIPT_SHOPS[index % len(RECEIPT_SHOPS)]
    when = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 700))
    items = [
        (rng.choice(RECEIPT_ITEMS), rng.randint(1, 3), Decimal(rng.randrange(100, 3000)) / 100)
        for _ in range(rng.randint(2, 6))
    ]
    total = sum((money(p * q) for _d, q, p in items), Decimal(0))
    gst = money(total * Decimal(6) / Decimal(106))
    cash = money((total / 10).to_integral_value(rounding="ROUND_CEILING") * 10)
    width, height = 226, 380 + 14 * len(items)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    y = height - 30
    pdf.setFont("Courier-Bold", 9)
    pdf.drawCentredString(width / 2, y, name)
    pdf.setFont("Courier", 8)
    pdf.drawCentredString(width / 2, y - 11, registration)
    for i, line in enumerate(address):
        pdf.drawCentredString(width / 2, y - 24 - 11 * i, line)
    y -= 24 + 11 * len(address)
    pdf.drawCentredString(
        width / 2, y - 2, f"TEL: 03-{rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
    )
    pdf.drawCentredString(width / 2, y - 13, f"GST ID: {rng.randrange(10**11, 10**12):012d}")
    pdf.drawCentredString(width / 2, y - 30, "TAX INVOICE")
    pdf.drawString(
        12, y - 46, f"DATE: {when.strftime('%d/%m/%Y')}  {rng.randrange(8, 22):02d}:{rng.randrange(60):02d}"
    )
    pdf.drawString(12, y - 57, f"RECEIPT NO: CS{rng.randrange(10000, 99999)}")
    y -= 80
    for description, quantity, price in items:
        pdf.drawString(12, y, f"{quantity} x {description[:20]}")
        pdf.drawRightString(width - 12, y, f"{money(price * quantity):.2f}")
        y -= 14
    pdf.line(12, y + 6, width - 12, y + 6)
    y -= 8
    pdf.setFont("Courier-Bold", 9)
    pdf.drawString(12, y, "TOTAL (RM)")
    pdf.drawRightString(width - 12, y, f"{total:.2f}")
    pdf.setFont("Courier", 8)
    pdf.drawString(12, y - 14, "CASH")
    pdf.drawRightString(width - 12, y - 14, f"{cash:.2f}")
    pdf.drawString(12, y - 26, "CHANGE")
    pdf.drawRightString(width - 12, y - 26, f"{cash - total:.2f}")
    pdf.drawString(12, y - 44, "GST SUMMARY   AMOUNT    TAX")
    pdf.drawString(12, y - 55, f"SR @ 6%       {total - gst:.2f}    {gst:.2f}")
    pdf.drawCentredString(width / 2, y - 80, "THANK YOU. PLEASE COME AGAIN")
    pdf.showPage()
    pdf.save()
    label = {
        "company": name,
        "date": when.isoformat(),
        "address": " ".join(address),
        "total": str(total),
        "tax": str(gst),
        "currency": "MYR",
    }
    return buffer.getvalue(), label


FORM_FIELDS = [
    ("Name:", ["Amelia Hart", "Jonas Berg", "Priya Nair", "Tomasz Kowal"]),
    ("Date:", ["12/03/2024", "01/07/2023", "28/11/2022", "15/05/2024"]),
    ("Phone:", ["+44 20 7946 0321", "+1 503 555 0142", "+49 30 901820", "+60 3 2161 4455"]),
    ("Account No.:", ["ACC-100245", "ACC-220981", "ACC-310077", "ACC-450312"]),
    ("Department:", ["Finance", "Operations", "Research", "Logistics"]),
    ("Approved by:", ["R. Singh", "M. Oduya", "L. Chen", "K. Novak"]),
]


def draw_form(index: int) -> tuple[bytes, dict]:
    """A simple request form: labels ending in a colon with values to the right or below."""
    pdf, buffer = _pdf_canvas()
    _width, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, "EXPENSE APPROVAL REQUEST")
    pairs = []
    y = height - 110
    for i, (key, values) in enumerate(FORM_FIELDS):
        value = values[index % len(values)]
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(50, y, key)
        pdf.setFont("Helvetica", 11)
        if i % 3 == 2:  # every third value sits under its key, as on many forms
            pdf.drawString(50, y - 16, value)
            y -= 44
        else:
            pdf.drawString(180, y, value)
            y -= 28
        pairs.append({"key": key, "value": value})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), {"pairs": pairs}


def scan(pdf_bytes: bytes, rng: random.Random, dpi: int = 150, quality: int = 72) -> Image.Image:
    """Render the first page and make it look scanned: slight rotation, blur, speckle noise."""
    document = pdfium.PdfDocument(pdf_bytes)
    page = document[0]
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    page.close()
    document.close()
    angle = rng.uniform(-1.5, 1.5)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=0.6))
    noise_rng = random.Random(rng.random())
    pixels = image.load()
    for _ in range(image.width * image.height // 150):
        x, y = noise_rng.randrange(image.width), noise_rng.randrange(image.height)
        pixels[x, y] = noise_rng.choice((0, 60, 200, 255))
    return image


def write(out: Path, stem: str, data: bytes, suffix: str, label: dict) -> None:
    (out / f"{stem}{suffix}").write_bytes(data)
    (out / f"{stem}.json").write_text(
        json.dumps(label, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def jpeg(image: Image.Image, quality: int = 72) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def generate(out: Path) -> list[str]:
    """Write every sample document and label to `out`; returns the stems."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261126)
    stems = []
    drawers = [draw_invoice_classic, draw_invoice_modern, draw_invoice_compact]
    for i in range(12):  # text-layer PDF invoices in three layouts
        inv = make_invoice(rng, i)
        stem = f"invoice-{i + 1:02d}"
        write(out, stem, drawers[i % 3](inv), ".pdf", inv.label())
        stems.append(stem)
    inv = make_invoice(rng, 3, n_items=26)  # a two-page invoice: rows continue, totals on page 2
    write(out, "invoice-13", draw_invoice_classic(inv), ".pdf", inv.label())
    stems.append("invoice-13")
    for i in range(6):  # scanned-looking invoices (JPEG)
        inv = make_invoice(rng, i + 1)
        stem = f"invoice-{i + 14:02d}"
        write(out, stem, jpeg(scan(drawers[i % 3](inv), rng)), ".jpg", inv.label())
        stems.append(stem)
    for i in range(10):  # scanned-looking receipts (JPEG)
        data, label = draw_receipt(rng, i)
        stem = f"receipt-{i + 1:02d}"
        write(out, stem, jpeg(scan(data, rng, dpi=200)), ".jpg", label)
        stems.append(stem)
    for i in range(4):  # forms: two clean PNG scans, two text-layer PDFs
        data, label = draw_form(i)
        stem = f"form-{i + 1:02d}"
        if i < 2:
            write(out, stem, png(scan(data, rng, dpi=110)), ".png", label)
        else:
            write(out, stem, data, ".pdf", label)
        stems.append(stem)
    return stems


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    written = generate(target)
    print(f"wrote {len(written)} labelled documents to {target}")
