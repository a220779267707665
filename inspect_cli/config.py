"""The workspace configuration (``inspect-cli.toml``): control parameters and contractor mappings.

Money and rates are written as strings in the file (``threshold_eur = "1000.00"``) so that they
are read exactly, never through a float.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from inspect_cli.errors import ConfigError
from inspect_cli.formatting import LANGUAGES
from inspect_cli.headers import FIELDS

CONFIG_FILE = "inspect-cli.toml"
DIALECTS = ("excel-be", "standard")
SATISFACTION_SCALES = (5, 10)
SPLIT_RULES = ("report", "select")
MAX_SPLIT_WINDOW_DAYS = 366

DEFAULT_CONFIG = """\
# inspect-cli workspace configuration.
# Money and rates are quoted strings so that they are read exactly.

# Every completed order strictly above this amount (EUR, excl. VAT) is inspected.
threshold_eur = "1000.00"
# Share of all other completed orders drawn at random for inspection.
sample_rate = "0.02"
# An inspection is due this many working days (Belgian calendar) after selection.
due_working_days = 10
# Tenant satisfaction scores run from 1 to this number (10 or 5).
satisfaction_scale = 10
# Exports: "excel-be" (; separator, decimal comma, UTF-8 with BOM) or "standard" (, and point).
csv_dialect = "excel-be"
# Cost of one inspection visit (EUR, quoted), for the cost and benefit in `report summary` and
# `report board`. Left out: the reports show the corrections without a cost.
# inspection_cost_eur = "150.00"
# Language of the reports, the board report and the inspection list's headers: en, nl or fr.
language = "en"
# Split orders: orders of one contractor at one dwelling, each at or below the threshold,
# completed within this many days of the first of them, together above the threshold.
split_window_days = 30
# "report": split groups are shown by `report splits` and `report signals` only.
# "select": every order of a split group that is not yet selected is selected too
# (reason split_above_threshold).
split_rule = "report"

[contractors]
# Per-contractor settings for files whose headers are not recognised on their own.
# `files` are name patterns that select the contractor for a file dropped in the inbox;
# `columns` maps a header of the file to a field (order_id, contractor, amount_excl_vat,
# amount_incl_vat, vat_rate, completed_on, dwelling_id, address, postcode, municipality,
# category, description, order_date, invoice_number, tenant_contact).
#
# [contractors."Detroit Demolition"]
# files = ["detroit*.csv"]
# date_format = "%m/%d/%Y"      # month-first dates (US files)
# amount_convention = "point"   # "point" or "comma": how to read 1.234 on its own
# id_prefix = "DD-"            # stored order id = prefix + the file's number: two contractors
#                               # may use one number (the prefix is part of the hashed id)
# aliases = ["Detroit Demo", "DETROIT DEMOLITION LLC"]  # other spellings stored as this name
# [contractors."Detroit Demolition".columns]
# "Price" = "amount_excl_vat"
# "Demolition Date" = "completed_on"
# "Parcel ID" = ["order_id", "dwelling_id"]   # one column for two fields: only when said so
"""


@dataclass(frozen=True)
class ContractorProfile:
    """How to read one contractor's files."""

    name: str
    files: tuple[str, ...] = ()
    columns: dict[str, str | list[str]] = field(default_factory=dict)
    """Header -> field, or -> a list of fields when one column means several."""
    date_format: str | None = None
    amount_convention: str | None = None
    id_prefix: str | None = None
    """Put before every order number of this contractor: order numbers are the contractor's
    own, and two contractors' numbers must never meet in one stored id."""
    aliases: tuple[str, ...] = ()
    """Other spellings of this contractor's name, stored as ``name``."""

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name.lower(), p.lower()) for p in self.files)


@dataclass(frozen=True)
class Config:
    """Control parameters in force for a workspace."""

    threshold_cents: int = 100_000
    sample_rate: Decimal = Decimal("0.02")
    due_working_days: int = 10
    satisfaction_scale: int = 10
    csv_dialect: str = "excel-be"
    inspection_cost_cents: int | None = None
    language: str = "en"
    split_window_days: int = 30
    split_rule: str = "report"
    contractors: dict[str, ContractorProfile] = field(default_factory=dict)

    def profile_for(
        self, file_name: str, contractor: str | None = None
    ) -> ContractorProfile | None:
        """The profile named on the command line (by its name or an alias), else the first
        whose file patterns match."""
        if contractor is not None:
            canonical = self.register().names.get(name_key(contractor), contractor)
            return self.contractors.get(canonical, ContractorProfile(name=contractor))
        return next((p for p in self.contractors.values() if p.matches(file_name)), None)

    def register(self) -> Register:
        """The contractor register: canonical names of aliases, and id prefixes."""
        names: dict[str, str] = {}
        for profile in self.contractors.values():
            for alias in (profile.name, *profile.aliases):
                names.setdefault(name_key(alias), profile.name)
        prefixes = {p.name: p.id_prefix for p in self.contractors.values() if p.id_prefix}
        return Register(names, prefixes)


@dataclass(frozen=True)
class Register:
    """What parsing needs of the contractors in the config, whatever the file's profile."""

    names: dict[str, str] = field(default_factory=dict)
    """`name_key` of a canonical name or an alias -> the canonical name."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """Canonical name -> id prefix, for the contractors that have one."""


def name_key(name: str) -> str:
    """How contractor names are compared with aliases: case- and space-insensitively."""
    return " ".join(name.casefold().split())


def load_config(path: Path) -> Config:
    """Read and validate a workspace configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return parse_config(data, path)


def parse_config(data: dict, path: Path) -> Config:
    """Turn parsed TOML into a Config, naming the key at fault on any error."""
    base = Config()
    threshold = _decimal(data.get("threshold_eur", "1000.00"), "threshold_eur", path)
    if threshold < 0 or threshold != threshold.quantize(Decimal("0.01")):
        raise ConfigError(f"{path}: threshold_eur must be a positive amount in cents precision")
    rate = _decimal(data.get("sample_rate", str(base.sample_rate)), "sample_rate", path)
    if not Decimal(0) <= rate <= Decimal(1):
        raise ConfigError(f"{path}: sample_rate must be between 0 and 1, got {rate}")
    due = data.get("due_working_days", base.due_working_days)
    if not isinstance(due, int) or isinstance(due, bool) or due < 0:
        raise ConfigError(f"{path}: due_working_days must be a whole number >= 0, got {due!r}")
    scale = data.get("satisfaction_scale", base.satisfaction_scale)
    if scale not in SATISFACTION_SCALES:
        raise ConfigError(f"{path}: satisfaction_scale must be 10 or 5, got {scale!r}")
    dialect = data.get("csv_dialect", base.csv_dialect)
    if dialect not in DIALECTS:
        raise ConfigError(f"{path}: csv_dialect must be one of {', '.join(DIALECTS)}")
    cost_cents = None
    if "inspection_cost_eur" in data:
        cost = _decimal(data["inspection_cost_eur"], "inspection_cost_eur", path)
        if not cost.is_finite() or cost < 0 or cost != cost.quantize(Decimal("0.01")):
            raise ConfigError(
                f'{path}: inspection_cost_eur must be an amount >= 0 in cents, such as "150.00"'
            )
        cost_cents = int(cost * 100)
    language = data.get("language", base.language)
    if language not in LANGUAGES:
        raise ConfigError(
            f"{path}: language must be one of {', '.join(LANGUAGES)}, got {language!r}"
        )
    window = data.get("split_window_days", base.split_window_days)
    if (
        not isinstance(window, int)
        or isinstance(window, bool)
        or not 0 <= window <= MAX_SPLIT_WINDOW_DAYS
    ):
        raise ConfigError(
            f"{path}: split_window_days must be a whole number of days from 0 to "
            f"{MAX_SPLIT_WINDOW_DAYS}, got {window!r}"
        )
    split_rule = data.get("split_rule", base.split_rule)
    if split_rule not in SPLIT_RULES:
        raise ConfigError(f'{path}: split_rule must be "report" or "select", got {split_rule!r}')
    contractors = {
        name: _profile(name, section, path)
        for name, section in (data.get("contractors") or {}).items()
    }
    _check_aliases(contractors, path)
    return Config(
        threshold_cents=int(threshold * 100),
        sample_rate=rate,
        due_working_days=due,
        satisfaction_scale=scale,
        csv_dialect=dialect,
        inspection_cost_cents=cost_cents,
        language=language,
        split_window_days=window,
        split_rule=split_rule,
        contractors=contractors,
    )


def _check_aliases(contractors: dict[str, ContractorProfile], path: Path) -> None:
    """One spelling names one contractor: an alias of two would store orders under either."""
    owner: dict[str, str] = {}
    for profile in contractors.values():
        for alias in (profile.name, *profile.aliases):
            key = name_key(alias)
            if owner.setdefault(key, profile.name) != profile.name:
                raise ConfigError(
                    f"{path}: {alias!r} is a name or alias of both "
                    f'[contractors."{owner[key]}"] and [contractors."{profile.name}"]'
                )


def _decimal(value: object, key: str, path: Path) -> Decimal:
    if isinstance(value, float):
        raise ConfigError(f'{path}: {key} must be a quoted string such as "{value}"')
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{path}: {key} is not a number: {value!r}") from None


def _profile(name: str, section: object, path: Path) -> ContractorProfile:
    where = f'{path}: [contractors."{name}"]'
    if not isinstance(section, dict):
        raise ConfigError(f"{where} must be a table")
    files = section.get("files", [])
    columns = section.get("columns", {})
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError(f"{where}: files must be a list of name patterns")
    if not isinstance(columns, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(f, str) for f in v))
        for v in columns.values()
    ):
        raise ConfigError(f"{where}: columns must map headers to a field name or a list of them")
    named = {f for v in columns.values() for f in ([v] if isinstance(v, str) else v)}
    unknown = sorted(named - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(unknown)} in columns; "
            f"fields are: {', '.join(FIELDS)}"
        )
    convention = section.get("amount_convention")
    if convention not in (None, "comma", "point"):
        raise ConfigError(f'{where}: amount_convention must be "comma" or "point"')
    prefix = section.get("id_prefix")
    if prefix is not None and (
        not isinstance(prefix, str) or prefix != prefix.strip() or not prefix
    ):
        raise ConfigError(f'{where}: id_prefix must be text without surrounding spaces, like "DP-"')
    aliases = section.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{where}: aliases must be a list of names")
    return ContractorProfile(
        name=name,
        files=tuple(files),
        columns=dict(columns),
        date_format=section.get("date_format"),
        amount_convention=convention,
        id_prefix=prefix,
        aliases=tuple(aliases),
    )
