"""Write an RSP file from the entity tree, computing every 990 and the 999 (see model.py for the rules)."""
from __future__ import annotations

from core.errors import FormatError
from core.formats.noemie.entities import ENTITIES, HEADER_LENGTH, PATTERNS
from core.formats.noemie.model import COUNTED_CODES, Entity, Group, Layout, NoemieFile, entity_amount
from core.formats.noemie.physical import to_physical

__all__ = ["write_noemie", "control_entity", "trailer_entity"]


def _bad(message: str, log: str) -> FormatError:
    return FormatError(message, log=f"NOEMIE writer: {log}")


def _fit(value: int, width: int, what: str) -> str:
    text = str(abs(value)).zfill(width)
    if len(text) > width:
        raise _bad(f"Valeur trop grande pour la zone « {what} » : {value}.", f"{what} overflow {value}")
    return text


def control_entity(niveau: int, count: int, total: int, level_id: str = "") -> Entity:
    """990 closing a group of `niveau` with its count and signed cumul (cents)."""
    raw = (f"990{niveau:02d}{level_id[:17].ljust(17)}{_fit(count, 8, 'Compteur 990')}"
           f"{_fit(total, 11, 'Cumul 990')}{'N' if total < 0 else 'P'}")
    return Entity("990", raw)


def trailer_entity(header: Entity, record_count: int, lot_count: int, total: int) -> Entity:
    """999 matching a 000 header: same émetteur/destinataire/file id, counts and signed cumul."""
    h = header.raw
    raw = (f"999{h[3:55]}{_fit(record_count, 8, 'Nombre d enregistrements')}{h[70]}{' ' * 18}"
           f"{_fit(lot_count, 3, 'Nombre de lots')}{_fit(total, 11, 'Cumul du fichier')}"
           f"{'N' if total < 0 else 'P'}{' ' * 31}")
    assert len(raw) == HEADER_LENGTH
    return Entity("999", raw)


def _level_id(group: Group) -> str:
    """Free zone of the 990: the opening entity's code and key zones (e.g. "100000000203")."""
    for item in group.items:
        if isinstance(item, Entity):
            return (item.code + item.raw[5:19])[:17]
    return ""


class _Emitter:
    def __init__(self, recompute: bool) -> None:
        self.recompute = recompute
        self.out: list[str] = []
        self.entities = 0
        self.lots = 0

    def entity(self, ent: Entity) -> None:
        spec = ENTITIES.get(ent.code)
        if (spec is None or ent.code in ("000", "999") or "@" in ent.raw
                or PATTERNS[ent.code].fullmatch(ent.raw) is None):
            raise _bad(f"Entité {ent.code} invalide : le fichier ne peut pas être écrit.",
                       f"invalid entity {ent.raw[:40]!r}")
        self.out.append(ent.raw)
        self.out.append("@")
        self.entities += 1
        if ent.code == "080":
            self.lots += 1

    def group(self, group: Group, parent_niveau: int) -> tuple[int, int]:
        """Emit a group; returns (amount, 1) for the parent's cumul and count."""
        if group.niveau <= parent_niveau:
            raise _bad(f"Structure invalide : un groupe de niveau {group.niveau:02d} ne peut pas être contenu "
                       f"dans un groupe de niveau {parent_niveau:02d}.",
                       f"group niveau {group.niveau} inside {parent_niveau}")
        if not group.items or not isinstance(group.items[0], Entity):
            # the reader opens a group on its first entity: a group must start with one
            raise _bad(f"Structure invalide : un groupe de niveau {group.niveau:02d} doit commencer par une "
                       "entité.", f"group niveau {group.niveau} does not start with an entity")
        amount = count = 0
        for item in group.items:
            if isinstance(item, Group):
                sub, _ = self.group(item, group.niveau)
                amount += sub
                count += 1
                continue
            if item.code == "990":
                raise _bad("Structure invalide : les entités 990 sont calculées par l'écriture, pas fournies.",
                           "990 given as a group item")
            if item.niveau != group.niveau:
                raise _bad(f"Structure invalide : entité {item.code} de niveau {item.niveau} dans un groupe "
                           f"de niveau {group.niveau:02d}.", f"entity {item.code} niveau mismatch")
            self.entity(item)
            amount += entity_amount(item.code, item.raw)
            if item.code in COUNTED_CODES:
                count += 1
        if self.recompute:
            level_id = group.control.raw[5:22].rstrip() if group.control is not None else _level_id(group)
            self.entity(control_entity(group.niveau, count, amount, level_id))
        elif group.control is not None:
            self.entity(group.control)
        return amount, 1


def write_noemie(model: NoemieFile, layout: Layout | str = Layout.LINE, *, recompute: bool = True,
                 newline: bytes = b"\n") -> bytes:
    """Serialise `model` in `layout` ("line", "blocks" or "block-lines").

    With recompute=True (default) every group gets a fresh 990 and the file a fresh 999, so the output
    always passes `read_noemie`'s controls. recompute=False writes the model's own controls and trailer
    verbatim (groups without `control` get no 990): use it to build deliberately wrong files for tests.
    Raises FormatError when an entity is invalid or the tree cannot be read back as written."""
    layout = Layout(layout)
    header = model.header
    if header.code != "000" or PATTERNS["000"].fullmatch(header.raw) is None:
        raise _bad("En-tête 000 invalide : le fichier ne peut pas être écrit.", "invalid 000 header")
    em = _Emitter(recompute)
    total = 0
    for group in model.groups:
        amount, _ = em.group(group, 0)
        total += amount
    if recompute:
        trailer = trailer_entity(header, em.entities + 2, em.lots, total)
    elif model.trailer is not None:
        trailer = model.trailer
    else:
        raise _bad("Enregistrement 999 absent du modèle.", "no trailer with recompute=False")
    text = header.raw + "".join(em.out) + trailer.raw
    try:
        return to_physical(text, layout, newline)
    except UnicodeEncodeError as exc:
        raise _bad("Caractère non représentable dans un fichier NOEMIE.", f"encode error {exc}") from exc
