"""Human and JSON renderings of an RSP tree (used by `lunetier noemie show`; no UI dependency)."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from core.formats.noemie.entities import ENTITIES
from core.formats.noemie.model import Entity, FieldValue, Group, Layout, NoemieFile

__all__ = ["tree_lines", "to_jsonable", "euros"]

_LAYOUT_FR = {
    Layout.LINE: "ligne unique", Layout.BLOCKS: "blocs de 128 caractères",
    Layout.BLOCK_LINES: "blocs de 128 caractères, un par ligne", Layout.TEXT_LINES: "lignes de texte",
}
_HIDDEN_KINDS = ("K", "V", "B")
_SECRET_KEYS = ("password",)


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d} €"


def _kind(code: str, key: str) -> str:
    spec = ENTITIES[code]
    f = spec.by_key.get(key)
    return f.kind if f else "A"


def _display(code: str, fv: FieldValue) -> str:
    if fv.key in _SECRET_KEYS:
        return "******"
    value = fv.value
    kind = _kind(code, fv.key)
    if value is None:
        text = ""
    elif kind == "M" and isinstance(value, int):
        text = euros(value)
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
    if fv.meaning:
        text = f"{text.strip() or repr(fv.raw)} ({fv.meaning})"
    return text


def _visible(code: str, fv: FieldValue) -> bool:
    kind = _kind(code, fv.key)
    if kind in _HIDDEN_KINDS:
        return False
    if fv.meaning:  # an enumerated blank can mean something ("Pas de traitement")
        return True
    return fv.value is not None and bool(fv.raw.strip())  # "000000" dates decode to None: not given


def _entity_lines(e: Entity, indent: str) -> Iterator[str]:
    where = f"octet {e.offset}" if e.offset >= 0 else "en mémoire"
    niveau = f"niveau {e.niveau:02d}, " if e.niveau is not None else ""
    yield f"{indent}{e.code} {e.title} ({niveau}{where})"
    for fv in e.fields():
        if _visible(e.code, fv):
            yield f"{indent}    {fv.name} : {_display(e.code, fv)}"


def _group_lines(g: Group, indent: str) -> Iterator[str]:
    yield f"{indent}[{g.niveau:02d}] {g.title} — compteur {g.count}, cumul {euros(g.amount)}"
    inner = indent + "  "
    for item in g.items:
        if isinstance(item, Group):
            yield from _group_lines(item, inner)
        else:
            yield from _entity_lines(item, inner)
    if g.control is not None:
        yield from _entity_lines(g.control, inner)


def tree_lines(f: NoemieFile) -> Iterator[str]:
    """The entity tree, one zone per line, French labels and decoded values."""
    yield (f"Fichier NOEMIE — référence {f.reference or '?'}, fichier {f.file_id}, "
           f"disposition : {_LAYOUT_FR[f.layout]}")
    yield from _entity_lines(f.header, "")
    for g in f.groups:
        yield from _group_lines(g, "  ")
    if f.trailer is not None:
        yield from _entity_lines(f.trailer, "")


def _json_value(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _entity_json(e: Entity) -> dict[str, Any]:
    return {
        "type": "entity", "code": e.code, "title": e.title, "niveau": e.niveau, "offset": e.offset,
        "fields": [{"key": fv.key, "name": fv.name, "raw": fv.raw, "value": _json_value(fv.value),
                    "meaning": fv.meaning} for fv in e.fields() if fv.key not in _SECRET_KEYS],
    }


def _group_json(g: Group) -> dict[str, Any]:
    return {
        "type": "group", "niveau": g.niveau, "kind": g.kind, "title": g.title, "count": g.count,
        "amount": g.amount,
        "items": [_group_json(i) if isinstance(i, Group) else _entity_json(i) for i in g.items],
        "control": _entity_json(g.control) if g.control is not None else None,
    }


def to_jsonable(f: NoemieFile) -> dict[str, Any]:
    return {
        "layout": f.layout.value, "reference": f.reference, "file_id": f.file_id, "amount": f.amount,
        "header": _entity_json(f.header), "groups": [_group_json(g) for g in f.groups],
        "trailer": _entity_json(f.trailer) if f.trailer is not None else None,
    }
