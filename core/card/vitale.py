"""Host side of the Carte Vitale: ``read_vitale`` (profil démo, PROFILE.md).

All or nothing: any failure raises CardError and nothing is returned; a card pulled out mid-read gives
"La carte a été retirée pendant la lecture...".
"""
from __future__ import annotations

import logging

from core.card import profile_vitale as pv
from core.card.apdu import read_file, select_aid
from core.card.atr import CardKind, classify_atr
from core.card.models import ProfileError, VitaleData
from core.card.reader import CardConnection, CardErrorCode, CardReader, card_error, open_card
from core.errors import CardError

__all__ = ["read_vitale", "VITALE_KINDS", "MSG_REMOVED_DURING_READ"]

log = logging.getLogger("lunetier.card")

VITALE_KINDS = frozenset({CardKind.VITALE_1, CardKind.VITALE_2})
MSG_REMOVED_DURING_READ = ("La carte a été retirée pendant la lecture : réinsérez-la et relancez la lecture "
                           "(aucune donnée n'a été prise en compte).")
_MSG_UNREADABLE = "Carte Vitale illisible : elle ne suit pas le profil de démonstration de Lunetier."
_GONE = {str(CardErrorCode.CARD_REMOVED), str(CardErrorCode.NO_CARD), str(CardErrorCode.CARD_MUTE)}


def read_vitale(target: CardConnection | CardReader) -> VitaleData:
    """Read the whole Carte Vitale: card info, assuré, every bénéficiaire with rights.

    ``target`` is an open connection (left open) or a reader (a connection to the slot holding a
    Vitale card is opened and closed). CardError codes: no_card, unknown_card, wrong_card, card_removed,
    bad_response, pcscd_not_running...
    """
    with open_card(target, VITALE_KINDS) as conn:
        info = classify_atr(conn.atr)
        if not info.is_vitale:
            code = CardErrorCode.UNKNOWN_CARD if not info.is_known else CardErrorCode.WRONG_CARD
            what = "Carte inconnue" if not info.is_known else f"La carte insérée est une {info.label_fr}"
            raise card_error(code, f"{what} : insérez une carte Vitale.", f"read_vitale on ATR {info.atr}")
        start = conn.apdu_count
        try:
            select_aid(conn, pv.AID_VITALE, _MSG_UNREADABLE)
            assure_fid, benef_fids = pv.decode_pointer(read_file(conn, pv.EF_POINTER, _MSG_UNREADABLE))
            fields = pv.decode_assure(read_file(conn, assure_fid, _MSG_UNREADABLE))
            beneficiaries = tuple(pv.decode_beneficiary(read_file(conn, fid, _MSG_UNREADABLE), n)
                                  for n, fid in enumerate(benef_fids, start=1))
            data = VitaleData(**fields, beneficiaries=beneficiaries, atr=info.atr,
                              apdu_count=conn.apdu_count - start)
        except CardError as exc:
            if exc.code in _GONE:
                raise card_error(CardErrorCode.CARD_REMOVED, MSG_REMOVED_DURING_READ,
                                 f"vitale read interrupted: {exc.log}") from None
            raise
        except (ProfileError, ValueError) as exc:  # ValueError: pydantic refusing a decoded value
            raise card_error(CardErrorCode.BAD_RESPONSE, _MSG_UNREADABLE, f"vitale content: {exc}") from None
    log.info("Vitale read: %d bénéficiaire(s), %d APDUs", len(data.beneficiaries), data.apdu_count)
    return data
