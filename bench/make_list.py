#!/usr/bin/env python3
"""Writes a synthetic screening list in the in-house CSV form (id,name,type,program,aliases)
for load runs: N entries (default 20,000) of invented person and company names, with an
alias for every fifth, from a fixed seed so every run screens against the same list.

    python3 bench/make_list.py OUT.csv [N]
"""
import random
import sys

SYLLABLES = ["al", "an", "ar", "ba", "bo", "da", "de", "el", "fa", "ga", "ha", "ib", "ka", "ko", "la", "li",
             "ma", "mo", "na", "no", "ol", "pe", "ra", "ri", "sa", "se", "ta", "to", "ul", "va", "vi", "za"]
FORMS = ["Trading", "Holdings", "Shipping", "Petroleum", "Logistics", "Industries", "Capital", "Metals"]
SUFFIXES = ["LLC", "Ltd", "SA", "GmbH", "FZE", "JSC"]


def word(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rng = random.Random(20261128)
    with open(out, "w", encoding="utf-8") as f:
        f.write("id,name,type,program,aliases\n")
        for i in range(1, n + 1):
            if rng.random() < 0.6:
                kind = "individual"
                name = " ".join(word(rng, rng.randint(2, 3)) for _ in range(rng.randint(2, 3)))
            else:
                kind = "entity"
                name = f"{word(rng, 3)} {rng.choice(FORMS)} {rng.choice(SUFFIXES)}"
            alias = word(rng, 2) + " " + word(rng, 3) if i % 5 == 0 else ""
            f.write(f"SYN-{i},{name},{kind},BENCH,{alias}\n")


if __name__ == "__main__":
    main()
