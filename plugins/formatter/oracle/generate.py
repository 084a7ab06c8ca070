"""Writes the formatter's differential corpus, answered by libphonenumber.

Every region and every non-geographic calling code (region 001), every
number type with an example number, written in nine shapes, each written
form followed by one-digit mutations of it (a digit changed, dropped or
added). One line per input, tab-separated:

    shape  default  input  oracle  reading

`default` is the default country (`-` for none). `oracle` is
libphonenumber's answer: `-` when `parse` fails or the number is not valid,
else `E164|REGION|INTERNATIONAL`. `reading` is the answer under numbot's
documented readings, in the same form, or empty when neither applies:
(a) digits without `+` and without a default country are international;
(b) `00` + country code is international whatever the default country.

The oracle is pinned to the libphonenumber release whose metadata the
`phonenumber` crate embeds (its version's build tag, `+9.0.33`), as
`scripts/test.sh` installs it: another release's metadata would count its
changes as the formatter's disagreements.

    python plugins/formatter/oracle/generate.py > corpus.tsv
"""

import random
import sys

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import NumberParseException

PINNED = "9.0.33"

# Every number type of libphonenumber's metadata.
TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]

NON_GEO_DESCS = [
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
]


def examples():
    """(region, calling code, national significant number) of every example number."""
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        seen = set()
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            nsn = phonenumbers.national_significant_number(number)
            if nsn not in seen:
                seen.add(nsn)
                yield region, number.country_code, nsn
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        meta = PhoneMetadata.metadata_for_nongeo_region(code)
        seen = set()
        for name in NON_GEO_DESCS:
            desc = getattr(meta, name)
            if desc is not None and desc.example_number and desc.example_number not in seen:
                seen.add(desc.example_number)
                yield "001", code, desc.example_number


def idd_origins():
    """Regions whose international prefix is one dialable digit string, with it."""
    origins = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        meta = PhoneMetadata.metadata_for_region(region)
        idd = meta.preferred_international_prefix or meta.international_prefix
        if idd and idd.isdigit():
            origins.append((region, idd))
    return origins


def bracketed(national):
    """The national form with its first group in brackets: `(020) 7946 0000`."""
    if "(" in national or " " not in national:
        return None
    first, rest = national.split(" ", 1)
    return f"({first}) {rest}"


def shapes(region, code, nsn, origin):
    """(shape, default country, written form) of one number."""
    number = PhoneNumber(country_code=code, national_number=int(nsn))
    if nsn.startswith("0"):
        number.italian_leading_zero = True
        zeros = len(nsn) - len(nsn.lstrip("0"))
        number.number_of_leading_zeros = min(zeros, len(nsn) - 1)
    geo = region != "001"
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    yield "e164", None, f"+{code}{nsn}"
    yield "international", region if geo else None, international
    yield "digits", None, f"{code}{nsn}"
    yield "00", region if geo else None, f"00{code}{nsn}"
    origin_region, idd = origin
    yield "idd", origin_region, f"{idd} {code} {nsn}"
    if not geo:
        return
    yield "digits-in-region", region, f"{code}{nsn}"
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    yield "national", region, national
    yield "national-digits", region, "".join(c for c in national if c.isdigit())
    brackets = bracketed(national)
    if brackets:
        yield "bracketed", region, brackets


def mutations(text, rng):
    """One-digit mutations of a written number: at each digit, one of change, drop, add."""
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    for n, i in enumerate(positions):
        kind = n % 3
        if kind == 0:
            digit = str((int(text[i]) + rng.randint(1, 9)) % 10)
            yield text[:i] + digit + text[i + 1 :]
        elif kind == 1:
            yield text[:i] + text[i + 1 :]
        else:
            yield text[:i] + str(rng.randint(0, 9)) + text[i:]


def answer(text, default):
    """libphonenumber's answer for one input, as written in the corpus."""
    try:
        number = phonenumbers.parse(text, default)
    except NumberParseException:
        return "-"
    if not phonenumbers.is_valid_number(number):
        return "-"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    display = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    region = phonenumbers.region_code_for_number(number)
    return f"{e164}|{region}|{display}"


def reading(text, default):
    """The answer under numbot's readings (a) and (b), or None where neither applies."""
    stripped = text.strip()
    if stripped.startswith("00"):
        return answer("+" + stripped[2:], default)
    if default is None and not stripped.startswith("+"):
        return answer("+" + stripped, None)
    return None


def main():
    if phonenumbers.__version__ != PINNED:
        sys.exit(f"phonenumbers {phonenumbers.__version__} installed, the oracle is {PINNED}: "
                 f"pip install phonenumbers=={PINNED}")
    out = sys.stdout
    origins = idd_origins()
    seen = set()
    for n, (region, code, nsn) in enumerate(examples()):
        rng = random.Random(f"{region}{code}{nsn}")
        for shape, default, written in shapes(region, code, nsn, origins[n % len(origins)]):
            for text in [written, *mutations(written, rng)]:
                key = (default, text)
                if key in seen:
                    continue
                seen.add(key)
                alt = reading(text, default)
                out.write(
                    f"{shape}\t{default or '-'}\t{text}\t{answer(text, default)}\t"
                    f"{'' if alt is None else alt}\n"
                )


if __name__ == "__main__":
    main()
