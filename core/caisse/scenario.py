"""What the simulated caisse answers: a small, seeded, configurable scenario.

    seed = 7
    default = "positif"                    # positif | negatif | rejete | aucun | provisoire | achemine | non_remise

    [[rules]]                              # first matching rule wins
    organisme = "01 349"                   # Org.Dest. of an AMO lot ("01 349") or the AMC number of a DRE lot
    outcome = "rejete"
    code = "4025"
    probability = 0.5                      # drawn from the seed: same files, same answers

    [[rules]]
    lot = "027"
    outcome = "aucun"                      # no ARL at all: the shop's absence-of-ARL timers take over

The draw for a lot depends only on (seed, file name, lot number), never on processing order, so a run
is reproducible file by file. Code 4025 comes from the manual ("Lot rejeté — Code: 4025 …"); its label
is not public, the default label below is INFERRED.
"""
from __future__ import annotations

import random
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError as PydanticValidationError

from core.errors import ConfigError

__all__ = ["Outcome", "Rule", "Scenario", "Decision", "DEFAULT_CODES", "EXAMPLE_TOML"]

Outcome = Literal["positif", "negatif", "rejete", "aucun", "provisoire", "achemine", "non_remise"]

# (code, label) when a rule gives none. 4025 is the manual's; its meaning was not found (INFERRED label).
DEFAULT_CODES: dict[str, tuple[str, str]] = {
    "positif": ("0000", "FICHIER CONFORME"),
    "negatif": ("4025", "FICHIER NON CONFORME AU CAHIER DES CHARGES"),
    "rejete": ("4025", "FICHIER NON CONFORME AU CAHIER DES CHARGES"),
    "provisoire": ("0000", "ACCUSE DE RECEPTION PROVISOIRE"),
    "achemine": ("0000", "LOT ACHEMINE"),
    "non_remise": ("9000", "AVIS DE NON REMISE"),
    "aucun": ("", ""),
}


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    lot: str | None = None               # lot number, e.g. "025" or "AAE"
    organisme: str | None = None         # "01 349" (AMO) or the AMC number (DRE lots)
    kind: Literal["AMO", "AMC"] | None = None
    outcome: Outcome
    code: str = Field(default="", max_length=4, pattern=r"^[0-9A-Z]{0,4}$")
    label: str = Field(default="", max_length=60)
    probability: float = Field(default=1.0, ge=0.0, le=1.0)

    def matches(self, *, lot: str, organisme: str, kind: str) -> bool:
        return ((self.lot is None or self.lot == lot) and (self.organisme is None or self.organisme == organisme)
                and (self.kind is None or self.kind == kind))


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)
    outcome: Outcome
    code: str
    label: str
    rule: int | None = None              # index of the rule that decided, None for the default


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    seed: int = 0
    default: Outcome = "positif"
    rules: tuple[Rule, ...] = ()
    # Options of the RSP emitter (core/caisse/rsp.py, owned by the returns integration); kept opaque here.
    rsp: dict[str, Any] = Field(default_factory=dict)

    def decide(self, *, file_name: str, lot: str, organisme: str, kind: str) -> Decision:
        rng = random.Random(f"{self.seed}|{file_name}|{lot}")
        for index, rule in enumerate(self.rules):
            if rule.matches(lot=lot, organisme=organisme, kind=kind) and rng.random() < rule.probability:
                code, label = DEFAULT_CODES[rule.outcome]
                return Decision(outcome=rule.outcome, code=rule.code or code, label=rule.label or label, rule=index)
        code, label = DEFAULT_CODES[self.default]
        return Decision(outcome=self.default, code=code, label=label)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Scénario de caisse introuvable : « {path} ».",
                              log=f"no scenario file {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Scénario de caisse illisible : « {path} » ({exc}).",
                              log=f"cannot read scenario {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Scénario de caisse invalide (TOML) : « {path} » : {exc}.",
                              log=f"bad TOML in {path}: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "scénario") -> "Scenario":
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise ConfigError(f"Scénario de caisse invalide ({source}) : « {where} » : {first.get('msg')}.",
                              log=f"invalid scenario {source}: {where}: {first.get('msg')}") from exc


EXAMPLE_TOML = '''# Scénario de la caisse simulée (Lunetier, flux de démonstration)
seed = 7
default = "positif"

# Lots de l'organisme 01 349 : une fois sur deux, lot rejeté (code 4025, cité par le manuel).
[[rules]]
organisme = "01 349"
outcome = "rejete"
code = "4025"
probability = 0.5

# Le lot 027 ne reçoit jamais d'ARL (test des délais d'absence d'ARL).
[[rules]]
lot = "027"
outcome = "aucun"
'''
