"""Sample B2 input built from the manual's own values (lots 027 / 028 / AAE, invoices 253-257,
NIR 2550699999999 34, M03 + VU3 lines at BR 0,05 €, classe A frame at BR 9 €)."""
from __future__ import annotations

from datetime import date, datetime

from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, B2Lpp

DAY = date(2024, 5, 28)
PS = "992604231"


def optical_line(code: str, lpp_code: str, price: int, base: int = 5, ro: int = 3, rc: int = 0,
                 quantity: int = 1, with_lpp: bool = True) -> B2Line:
    lpp = B2Lpp(code=lpp_code, quantity=quantity, unit_price=price, tariff=base, base=base,
                siret="12345678901234") if with_lpp else None
    return B2Line(code=code, date=DAY, unit_price=price, base=base, rate=60, ro_amount=ro, rc_amount=rc,
                  quantity=quantity, lpp=lpp)


def invoice(number: int, lines: tuple[B2Line, ...], **kw) -> B2Invoice:
    values = dict(number=number, nir="2550699999999", nir_key="34", birth_date="19550615", invoice_date=DAY,
                  regime="01", caisse="999", centre="9999", prescriber="991234567",
                  prescription_date=date(2024, 3, 1), prescriber_specialty="15", lines=lines)
    values.update(kw)
    return B2Invoice(**values)


def sample_file(**kw) -> B2File:
    """Three lots: AMO SV (2 invoices), AMO dégradé (1), AMC DRE "AAE" (1)."""
    inv253 = invoice(253, (optical_line("M03", "7211674", 20900), optical_line("VU3", "7230795", 10300),
                           optical_line("VU3", "7230795", 10300)))
    inv254 = invoice(254, (optical_line("M03", "7211674", 20900, rc=5000),
                           optical_line("VU3", "7230795", 10300, rc=2500, with_lpp=False),
                           optical_line("VU3", "7230795", 10300, rc=2500)),
                     payee="15", amc_number="1100000000", amc_member="A1234567", amc_contract_type="89",
                     total_amount=41500, total_ro=9, total_rc=10000)
    inv257 = invoice(257, (optical_line("M01", "2210546", 3000, base=900, ro=540),),
                     nir="1421962965165", nir_key="96", birth_date="19421915", quality="0", secure_mode="DEG",
                     regime="01", caisse="349", centre="9881")
    inv256 = invoice(256, (optical_line("M01", "2210546", 3000, base=900, ro=540, rc=2460),),
                     birth_date="20120400", birth_rank=2, quality="6", payee="15",
                     amc_number="1100000000", amc_member="B7654321")
    values = dict(
        ps_number=PS, ps_name="Optique Démo Saint-Étienne", file_number=12,
        created=datetime(2024, 5, 28, 18, 30, 5),
        lots=(
            B2Lot(number="027", regime="01", organism="349", invoices=(inv253, inv254)),
            B2Lot(number="028", regime="01", organism="349", invoices=(inv257,), certification="SEAL-028"),
            B2Lot(number="AAE", amc_number="1100000000", invoices=(inv256,), created=date(2024, 5, 29)),
        ),
    )
    values.update(kw)
    return B2File(**values)
