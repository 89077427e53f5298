"""Read an RSP file (NOEMIE PS return) into the entity tree, checking its 990 and 999 controls.

Grouping by niveau de rupture (the spec's rule, made explicit; see model.py for the niveaux Lunetier writes):
- an entity whose niveau equals the innermost open group's niveau joins that group;
- a deeper niveau opens a nested group; a shallower one first closes the deeper open groups (implicitly:
  no 990, so no control to check, which tolerates files that do not close every level);
- a 990 closes the innermost open group of its own niveau and must carry that group's count and cumul;
- the 999 must carry the entity count, the 080 lot count and the file cumul, and repeat the 000's file id.

Every failure is a FormatError with the byte offset and a French message; no other exception escapes
(checked by hypothesis fuzzing). The hot loop validates each entity with one precompiled regex and decodes
only the zones the controls need; other zones are decoded on demand by `Entity.value`.
"""
from __future__ import annotations

from core.errors import FormatError
from core.formats.noemie.entities import ENTITIES, HEADER_LENGTH, PATTERNS, zone_ok
from core.formats.noemie.gcpause import paused_gc
from core.formats.noemie.model import COUNTED_CODES, Entity, Group, NoemieFile, entity_amount
from core.formats.noemie.physical import Logical, readings

__all__ = ["read_noemie"]

_BODY_MATCH = {code: rx.fullmatch for code, rx in PATTERNS.items() if code not in ("000", "999")}
# 1: amount-bearing, 2: counted by its group's 990, 3: a lot (counted by the 999)
_SPECIAL = {"198": 1, "199": 1, "250": 1, "261": 1, **{c: 2 for c in COUNTED_CODES}, "080": 3}
_NIVEAUX = {f"{i:02d}": i for i in range(100)}


def read_noemie(data: bytes) -> NoemieFile:
    """Parse an RSP in any physical layout (one long line, 128-byte blocks, blocks one per line)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("read_noemie expects bytes")
    data = bytes(data)
    first: FormatError | None = None
    for reading in readings(data):
        try:
            with paused_gc():
                return _parse(reading(), len(data))
        except FormatError as exc:
            first = first or exc  # the most plausible reading's error is the one to report
    assert first is not None
    raise first


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d} €"


def _show(text: str, limit: int = 20) -> str:
    shown = "".join(c if " " <= c <= "~" else "?" for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _err(message: str, log: str, offset: int) -> FormatError:
    return FormatError(f"{message} (octet {offset}).", log=f"NOEMIE: {log} at byte {offset}", offset=offset)


def _diagnose(part: str, pos: int, logical: Logical, *, fixed: bool = False) -> FormatError:
    """Explain why a record did not match its pattern (slow path, errors only)."""
    off = logical.physical(pos)
    code = part[:3]
    spec = ENTITIES.get(code)
    if spec is None:
        if len(code) < 3 or not code.isdigit():
            return _err(f"Entité illisible « {_show(part)} » : un code d'entité de 3 chiffres est attendu",
                        f"unreadable entity {part[:20]!r}", off)
        return _err(f"Entité inconnue « {code} »", f"unknown entity {code}", off)
    if code in ("000", "999") and not fixed:
        return _err(f"Enregistrement {code} inattendu au milieu du fichier", f"unexpected {code}", off)
    if spec.known_layout and len(part) != spec.length:
        return _err(f"Entité {code} ({spec.title}) de longueur incorrecte : {len(part)} caractères au lieu "
                    f"de {spec.length}", f"entity {code} length {len(part)} != {spec.length}", off)
    for f in spec.fields:
        raw = part[f.slice] if spec.known_layout else part[3:5]
        if f.kind == "V" or spec.known_layout:
            if not zone_ok(f, raw):
                zoff = logical.physical(pos + f.start - 1)
                return _err(f"Entité {code} ({spec.title}) : zone « {f.name} » invalide (« {_show(raw, 40)} »)",
                            f"entity {code} zone {f.key} invalid {raw!r}", zoff)
    return _err(f"Entité {code} invalide", f"entity {code} invalid", off)  # pragma: no cover


def _check_control(group: list, part: str, niv: int, offset: int) -> None:
    count = int(part[22:30])
    total = -int(part[30:41]) if part[41] == "N" else int(part[30:41])
    if count != group[3]:
        raise _err(f"Contrôle 990 de niveau {niv:02d} incohérent : compteur {count} lu, {group[3]} calculé",
                   f"990 count {count} != {group[3]}", offset)
    if total != group[2]:
        raise _err(f"Contrôle 990 de niveau {niv:02d} incohérent : cumul {_euros(total)} lu, "
                   f"{_euros(group[2])} calculé", f"990 total {total} != {group[2]}", offset)


def _check_fixed(code: str, raw: str, pos: int, logical: Logical) -> None:
    if PATTERNS[code].fullmatch(raw) is None:
        raise _diagnose(raw, pos, logical, fixed=True)


def _parse(logical: Logical, size: int) -> NoemieFile:
    text = logical.text
    phys = logical.physical
    if not text.startswith("000"):
        raise _err("Ce fichier n'est pas un retour NOEMIE : il ne commence pas par l'en-tête 000",
                   "no 000 header", 0)
    if len(text) < HEADER_LENGTH:
        raise _err(f"Fichier tronqué : en-tête 000 incomplet ({len(text)} caractères sur {HEADER_LENGTH})",
                   "truncated header", size)
    header_raw = text[:HEADER_LENGTH]
    _check_fixed("000", header_raw, 0, logical)

    last_at = text.rfind("@", HEADER_LENGTH)
    ts = last_at + 1 if last_at >= 0 else HEADER_LENGTH
    trailer_raw = text[ts:]
    if not trailer_raw.startswith("999"):
        if not trailer_raw.strip():
            raise _err("Fichier tronqué : l'enregistrement de fin 999 est absent", "missing 999", size)
        raise _err(f"Fichier tronqué ou entité non terminée par « @ » (« {_show(trailer_raw)} »)",
                   "unterminated entity or missing 999", phys(ts))
    if len(trailer_raw) > HEADER_LENGTH:
        raise _err("Données inattendues après l'enregistrement de fin 999", "data after 999",
                   phys(ts + HEADER_LENGTH))
    if len(trailer_raw.rstrip(" ")) < 97:  # 999 totals end at position 97
        raise _err("Fichier tronqué : enregistrement de fin 999 incomplet", "truncated 999", size)
    trailer_raw = trailer_raw.ljust(HEADER_LENGTH)
    _check_fixed("999", trailer_raw, ts, logical)

    identity = not logical.segments
    match = _BODY_MATCH
    niveaux = _NIVEAUX
    special = _SPECIAL
    new = tuple.__new__
    roots: list[Group] = []
    # open groups, innermost last: [niveau, items, amount, count]
    stack: list[list] = []
    entity_count = 2
    lots = 0
    pos = HEADER_LENGTH
    top: list | None = None    # stack[-1], cached with its niveau and items.append for the fast path
    top_niveau = -1
    append = None

    def close(ctrl: Entity | None) -> None:
        niv, items, amount, count = stack.pop()
        group = Group(niv, tuple(items), ctrl)
        group.__dict__["amount"] = amount  # seed the cached properties with what was just computed
        group.__dict__["count"] = count
        if stack:
            parent = stack[-1]
            parent[1].append(group)
            parent[2] += amount
            parent[3] += 1
        else:
            roots.append(group)

    parts = text[HEADER_LENGTH:ts].split("@")
    parts.pop()  # text[ts-1] is the last '@' (or the body is empty): the final piece is ""
    for part in parts:
        code = part[:3]
        m = match.get(code)
        if m is None or m(part) is None:
            raise _diagnose(part, pos, logical)
        niv = niveaux[part[3:5]]
        ent = new(Entity, (code, part, pos if identity else phys(pos)))
        pos += len(part) + 1
        entity_count += 1
        if niv != top_niveau or code == "990":
            # slow path: the niveau changes, or a 990 closes a group
            while stack and stack[-1][0] > niv:
                close(None)
            if code == "990":
                if not stack or stack[-1][0] != niv:
                    raise _err(f"Entité de contrôle 990 de niveau {niv:02d} sans groupe ouvert à ce niveau",
                               f"990 niveau {niv} closes nothing", ent.offset)
                _check_control(stack[-1], part, niv, ent.offset)
                close(ent)
                top = stack[-1] if stack else None
                top_niveau = top[0] if top else -1
                append = top[1].append if top else None
                continue
            if not stack or stack[-1][0] != niv:
                stack.append([niv, [], 0, 0])
            top = stack[-1]
            top_niveau = niv
            append = top[1].append
        append(ent)  # type: ignore[misc]
        kind = special.get(code)
        if kind is not None:
            if kind == 1:
                top[2] += entity_amount(code, part)  # type: ignore[index]
            elif kind == 2:
                top[3] += 1  # type: ignore[index]
            else:
                lots += 1
    while stack:
        close(None)

    toff = phys(ts)
    if trailer_raw[49:55] != header_raw[49:55]:
        raise _err(f"L'enregistrement 999 ne correspond pas à l'en-tête : fichier « {trailer_raw[49:55]} » "
                   f"au lieu de « {header_raw[49:55]} »", "999 file id differs from 000", toff + 49)
    count = int(trailer_raw[55:63])
    if count != entity_count:
        raise _err(f"Contrôle 999 incohérent : {count} enregistrements annoncés, {entity_count} lus",
                   f"999 record count {count} != {entity_count}", toff + 55)
    lot_count = int(trailer_raw[82:85])
    if lot_count != lots:
        raise _err(f"Contrôle 999 incohérent : {lot_count} lots annoncés, {lots} lus",
                   f"999 lot count {lot_count} != {lots}", toff + 82)
    total = -int(trailer_raw[85:96]) if trailer_raw[96] == "N" else int(trailer_raw[85:96])
    computed = sum(g.amount for g in roots)
    if total != computed:
        raise _err(f"Contrôle 999 incohérent : cumul du fichier {_euros(total)} annoncé, {_euros(computed)} "
                   "calculé", f"999 total {total} != {computed}", toff + 85)
    return NoemieFile(Entity("000", header_raw, phys(0)), tuple(roots), Entity("999", trailer_raw, toff),
                      logical.layout)
