#!/usr/bin/env python3
"""Regenerates daemon/discovery/words.txt, the 2048 words of tandem's pairing codes.

The list is committed; the build never runs this script. To reproduce it exactly:
    apt-get install wamerican-small        # SCOWL size 35 (Debian 2020.12.07-2)
    python3 daemon/discovery/gen_words.py > daemon/discovery/words.txt

How the words are chosen, in order:
 1. Source: /usr/share/dict/american-english-small (SCOWL 35, the common-words size).
 2. Shape: 4 to 7 lowercase ASCII letters (no proper nouns, possessives or abbreviations).
 3. Base forms only: a word is dropped when it is an inflection of another listed word
    (plural, past tense, -ing, -ly, comparative), so "maple" stays and "maples" goes.
 4. Not offensive, grim or loaded for a couple, no variant spellings: a hand-written block list
    (BLOCK below) and a few stems that block every word they start (BLOCK_PREFIX).
 5. Commonness: a word scores one point per derived form that SCOWL 35 also lists (w's, ws, wed,
    wing, wer, wly ...); words with fewer than two derived forms are dropped. Common words have
    many forms in the common-size list; rare ones have none.
 6. Sound: a crude phonetic key (silent letters, c/k/s, ph/f, doubled letters, vowel groups) must be
    unique, which drops most homophones (night/knight, sail/sale) and near-homophones.
 7. Distinctness: greedy, in order of (score desc, length near 5, BLAKE2b of the word), a word is
    taken only when it is at least two edits (insert, delete, substitute, swap of neighbours)
    away from every word already taken, so one misheard or mistyped letter never lands on another
    valid word. Parsing can then always suggest the one closest word.
 8. The first 2048 taken are printed sorted; a word's index in that order is its code value.
"""
import hashlib
import re
import sys

SOURCE = "/usr/share/dict/american-english-small"
COUNT = 2048

# Words that are offensive, about violence, death, illness, drugs or sex, insulting, or loaded for a
# couple reading a code aloud to each other. Not exhaustive: step 5 removes most rare words first.
BLOCK = set("""
abort abuse addict adult affair agony alcohol anal anus arse arson assault attack bastard beat
beer betray bigot bitch bitter blame blast bleed blood bloody bomb boob booze bowel breast brutal
bully burial bury butt cancer casket chaos cheat choke cocaine cock coffin condom corpse crack
crap crazy crime cripple crook cruel crush cult curse damn dead deadly deaf death debt decay
defect demon despair devil die dire dirty disease divorce drown drug drunk dumb dump dying enema
enemy evil execute exile faint fart fascist fatal fear feces fetus fiend fight filth firearm flirt
fraud freak fuck gamble gang gore grave greed grief grim gross gun gunman harass hate hatred hell
heroin hijack hit hitler homicide hooker horny hostage hurt idiot incest infect injure insane jail
junkie kidnap kill killer knife kinky leper liar lunatic lust mafia maim moron morgue murder naked
nasty nazi nude opium orgasm orgy pain panic penis pervert pimp piss poison porn prison prostate
punch rape rapist rectum revenge riot rob robber ruin sadism sadist scum semen sex sexual sexy
shit shoot sick sin slap slaughter slave slay slut smack snort sperm spit stab steal strip
stupid suicide tampon terror testes thief threat toilet torture toxic traitor trauma ugly urine
vagina vomit war weapon whip whore widow wound wreck abyss agonize ailment anger angry annoy
anxiety arrest awful bigamy bomber brothel burglar cadaver casualty cheater coward crypt danger
dread dung enraged envy fatty fiasco flunk gallows genital gloomy goblin gonad grudge guilt hangman
harm hazard hearse hostile insult jealous jerk leech loser lousy maggot menace misery mock nazism
nipple obese outrage paranoid penal pest pistol plague prude puke racist rifle rogue rotten sadly
scam scandal scold scream sinful sinner slob smear sneer sob sorrow spite stink stolen strife
sulk swear tumor tyrant ulcer vermin vice victim vile villain virus vulgar weep wicked worm worry
bosom bust crotch ejaculate erotic fondle horny lewd lusty nudist nudity pelvis perv scrotum
seduce seducer sensual sexism thong testicle bikini diaper fetish
ape barf bimbo bozo dork dope dweeb geek hick jock nerd nitwit numbskull oaf retard sissy sucker
twit wimp wench hussy harlot trollop tramp floozy hag
gay lesbian negro jew muslim catholic christ jesus allah islam pagan satan hindu bible church
ghetto gypsy redneck savage tribal colored oriental
abscess autopsy behead cremate crucify lynch napalm pussy queer urinate excrete embalm mummify
decease bereave shotgun bayonet martyr slander undress groin enslave deprave wanton ninny hothead
suck suckle retch exhume defile loony hippy madam profane derange convict ambush extort defraud
torment impeach indict illegal deface despise detest gallows powwow kowtow
booty ameba cooky instil butte nappy drouth zombi miaow enrol instal fulfil inclose indorse intrust imbed plough glamor pickax succor
""".split())

# Stems so bad that every word starting with them goes too.
BLOCK_PREFIX = ("fuck", "shit", "piss", "rape", "porn", "nazi", "slut", "whore", "bitch", "kill",
                "murder", "suicid", "penis", "vagina", "sex", "nigg", "cunt", "dick")

SUFFIXES = (("s", [""]), ("es", [""]), ("ies", ["y"]), ("ied", ["y"]), ("ier", ["y"]),
            ("iest", ["y"]), ("ily", ["y"]), ("ed", ["", "e"]), ("d", [""]), ("ing", ["", "e"]),
            ("ly", ["", "le"]), ("er", ["", "e"]), ("r", [""]), ("est", ["", "e"]),
            ("st", [""]), ("ness", [""]), ("ment", [""]))
DERIVED = ("'s", "s", "es", "ed", "d", "ing", "er", "ers", "ly", "est", "ness")


def inflection_of_listed(w, listed):
    for suffix, replacements in SUFFIXES:
        if not w.endswith(suffix):
            continue
        stem = w[: -len(suffix)]
        for r in replacements:
            if len(stem + r) >= 3 and stem + r in listed:
                return True
        # Doubled final consonant: "stopped" from "stop", "bigger" from "big".
        if len(stem) >= 4 and stem[-1] == stem[-2] and stem[:-1] in listed:
            return True
    return False


def score(w, listed):
    forms = {w + d for d in DERIVED}
    if w.endswith("e"):
        forms |= {w[:-1] + "ing"}
    if w.endswith("y"):
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ier"}
    forms |= {w + w[-1] + d for d in ("ed", "ing", "er")}
    return len(forms & listed)


def sound_key(w):
    k = w
    for a, b in (("ough", "o"), ("augh", "af"), ("igh", "i"), ("eigh", "a"), ("ph", "f"),
                 ("ck", "k"), ("qu", "kw"), ("wh", "w"), ("x", "ks"), ("ea", "e"), ("ee", "e"),
                 ("ai", "a"), ("ay", "a"), ("ey", "a"), ("ei", "a"), ("oa", "o"), ("ow", "o"),
                 ("ou", "u"), ("oo", "u"), ("ew", "u"), ("ue", "u"), ("ie", "i"), ("y", "i")):
        k = k.replace(a, b)
    k = re.sub(r"^(kn|gn|pn)", "n", k)
    k = re.sub(r"^wr", "r", k)
    k = re.sub(r"^ps", "s", k)
    k = re.sub(r"mb$", "m", k)
    k = re.sub(r"c(?=[eiy])", "s", k)
    k = k.replace("c", "k").replace("z", "s")
    k = re.sub(r"(.)\1+", r"\1", k)
    k = re.sub(r"(?<=[^aeiou])e$", "", k)  # silent final e
    return k


def neighbours(w):
    """Every string one deletion away, plus w itself: two words are within one insert, delete or
    substitution exactly when these sets intersect."""
    out = {w}
    for i in range(len(w)):
        out.add(w[:i] + w[i + 1:])
    return out


def swaps(w):
    return {w[:i] + w[i + 1] + w[i] + w[i + 2:] for i in range(len(w) - 1)}


def main():
    listed = [line.strip() for line in open(SOURCE, encoding="utf-8")]
    listed_set = set(listed)
    candidates = []
    for w in sorted(set(listed)):
        if not re.fullmatch(r"[a-z]{4,7}", w) or w in BLOCK:
            continue
        if w.startswith(BLOCK_PREFIX):
            continue
        if inflection_of_listed(w, listed_set):
            continue
        s = score(w, listed_set)
        if s < 2:
            continue
        tiebreak = hashlib.blake2b(w.encode(), digest_size=8, person=b"tandem-words").digest()
        candidates.append((-s, abs(len(w) - 5), tiebreak, w))
    candidates.sort()

    taken, near, sounds = [], set(), set()
    for _, _, _, w in candidates:
        key = sound_key(w)
        n = neighbours(w)
        if key in sounds or n & near or swaps(w) & set(taken):
            continue
        taken.append(w)
        near |= n
        sounds.add(key)
        if len(taken) == COUNT:
            break
    if len(taken) < COUNT:
        sys.exit(f"only {len(taken)} words pass the filters")
    sys.stdout.write("".join(w + "\n" for w in sorted(taken)))


if __name__ == "__main__":
    main()
