"""Arabic readings of numbers and what they count: money, units, times, ordinals, dates, phones.

Each function here is the replacement of one rule in ``tts.text.rules.SPEECH_RULES``; the
tables are the words a newsreader says. Numbers stay digits (both engines read ASCII
digits as correct cardinals); only the words around them and their order change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- counted nouns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A noun's forms after a number, as Arabic grammar picks them.

    1 takes the singular and ``واحد``/``واحدة``; 2 the dual alone; 3-10 the plural;
    11-99 the singular in the accusative (``20 دولارًا``); 100, 1000 ... the singular.
    """

    singular: str
    dual: str
    plural: str
    accusative: str
    feminine: bool = False
    per: str = ""
    """Words said after the noun and its number word (a rate: كيلومتر واحد في الساعة)."""

    def after(self, number: str) -> str:
        """``number`` with this noun in the form that number takes."""
        counted = self.counted(number)
        return f"{counted} {self.per}" if self.per else counted

    def counted(self, number: str) -> str:
        """``number`` and the noun alone, without ``per``."""
        if not number.isdigit():  # a decimal: the singular
            return f"{number} {self.singular}"
        value = int(number)
        if value == 1:
            return f"{self.singular} {'واحدة' if self.feminine else 'واحد'}"
        if value == 2:
            return self.dual
        rest = value % 100
        if 3 <= rest <= 10:
            return f"{number} {self.plural}"
        if rest >= 11:
            return f"{number} {self.accusative}"
        return f"{number} {self.singular}"


DOLLAR = Counted("دولار", "دولاران", "دولارات", "دولارًا")
# Currency signs and the abbreviations Arab newsrooms write after amounts. espeak
# reads "$5" as "dollar five" and skips the Arabic abbreviations' dots into letters.
CURRENCIES: dict[str, Counted] = {
    "$": DOLLAR,
    "€": Counted("يورو", "يورو", "يورو", "يورو"),
    "£": Counted("جنيه إسترليني", "جنيهان إسترلينيان", "جنيهات إسترلينية", "جنيهًا إسترلينيًا"),
    "ر.س": Counted("ريال سعودي", "ريالان سعوديان", "ريالات سعودية", "ريالًا سعوديًا"),
    "د.إ": Counted("درهم إماراتي", "درهمان إماراتيان", "دراهم إماراتية", "درهمًا إماراتيًا"),
    "ج.م": Counted("جنيه مصري", "جنيهان مصريان", "جنيهات مصرية", "جنيهًا مصريًا"),
    "ل.ل": Counted("ليرة لبنانية", "ليرتان لبنانيتان", "ليرات لبنانية", "ليرةً لبنانيةً", True),
}
# Written currency words that a number before them should agree with ("5 دولار" is
# heard as "five dollar"); يورو has one form and needs nothing.
CURRENCY_WORDS: dict[str, Counted] = {"دولار": DOLLAR}
# "$5 مليون" is "5 مليون دولار": the scale word comes before the currency, which
# then stays singular.
SCALES = ("ألف", "آلاف", "مليون", "ملايين", "مليار", "مليارات", "تريليون")

# Units after a number. espeak knows كم and كغ but not their plurals, reads م2 as
# "mim two" and °C in English; Google reads كم as the question word "how much".
KILOMETRE = Counted("كيلومتر", "كيلومتران", "كيلومترات", "كيلومترًا")
SQUARE_KILOMETRE = Counted("كيلومتر مربع", "كيلومتران مربعان", "كيلومترات مربعة",
                           "كيلومترًا مربعًا")
SQUARE_METRE = Counted("متر مربع", "متران مربعان", "أمتار مربعة", "مترًا مربعًا")
CUBIC_METRE = Counted("متر مكعب", "متران مكعبان", "أمتار مكعبة", "مترًا مكعبًا")
KILOGRAM = Counted("كيلوغرام", "كيلوغرامان", "كيلوغرامات", "كيلوغرامًا")
CENTIMETRE = Counted("سنتيمتر", "سنتيمتران", "سنتيمترات", "سنتيمترًا")
MILLIMETRE = Counted("مليمتر", "مليمتران", "مليمترات", "مليمترًا")
CELSIUS = Counted("درجة مئوية", "درجتان مئويتان", "درجات مئوية", "درجةً مئويةً", True)
FAHRENHEIT = Counted("درجة فهرنهايت", "درجتان فهرنهايت", "درجات فهرنهايت", "درجةً فهرنهايت", True)
KM_PER_HOUR = Counted("كيلومتر", "كيلومتران", "كيلومترات", "كيلومترًا", per="في الساعة")
UNITS: dict[str, Counted] = {
    "كم2": SQUARE_KILOMETRE, "م2": SQUARE_METRE, "م3": CUBIC_METRE,
    "كم": KILOMETRE, "كلم": KILOMETRE, "كغ": KILOGRAM, "كجم": KILOGRAM,
    "سم": CENTIMETRE, "ملم": MILLIMETRE,
    "كم/ساعة": KM_PER_HOUR, "كم/س": KM_PER_HOUR, "كلم/ساعة": KM_PER_HOUR, "كلم/س": KM_PER_HOUR,
    "°C": CELSIUS, "°م": CELSIUS, "°F": FAHRENHEIT,
    "°": Counted("درجة", "درجتان", "درجات", "درجةً", True),
    # Arabic news writes these units in Latin letters too (بلغت الحرارة 45°C, 120km/h,
    # 100m²; NFKC has made ² a 2 and ℃ a °C before the rules see them). Matched in any
    # case (KM, Kg); tts.text.langs keeps them, after a number, out of the Latin runs so
    # the Arabic voice says them here instead of an English voice spelling them.
    "km2": SQUARE_KILOMETRE, "m2": SQUARE_METRE, "m3": CUBIC_METRE,
    "km": KILOMETRE, "kg": KILOGRAM, "cm": CENTIMETRE, "mm": MILLIMETRE,
    "km/h": KM_PER_HOUR,
}
# The same table keyed as the rule matches it, in any case.
UNITS_FOLDED = {unit.casefold(): counted for unit, counted in UNITS.items()}
# A share of a hundred or a thousand, after a number (50%, 5‰) or typed before it (%50,
# as Arabic keyboards often leave it): espeak drops the signs silently (50% is heard as
# fifty). بالمئة is what the rules have always said; بالألف is its per-mille twin.
SHARES: dict[str, tuple[str, str]] = {
    "percent": ("%٪", "بالمئة"),
    "per mille": ("‰؉", "بالألف"),
}
MINUTES = Counted("دقيقة", "دقيقتان", "دقائق", "دقيقة", True)


def read_currency(match: re.Match[str]) -> str:
    """``$5``, ``5$``, ``5 ر.س`` or ``5 دولار`` read as the amount with its currency after it."""
    sign = match.group("sign").replace(" ", "").rstrip(".")
    currency = CURRENCIES.get(sign) or CURRENCY_WORDS[sign]
    number, scale = match.group("number"), match.groupdict().get("scale")
    if scale:
        return f"{number} {scale} {currency.singular}"
    return currency.after(number)


def read_unit(match: re.Match[str]) -> str:
    """``5 كم`` read as ``5 كيلومترات``: the unit's word in the form the number takes."""
    return UNITS_FOLDED[match.group("unit").replace(" ", "").casefold()].after(match.group("number"))


# --- ordinals -----------------------------------------------------------------------------------

# Definite ordinals, masculine and feminine, as said after a noun (القرن الحادي والعشرين,
# الدورة الخامسة عشرة). Tens are in the genitive/accusative (-ين), the form news
# speech uses after في and in most positions.
ORDINAL_UNITS_M = ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع",
                   "الثامن", "التاسع", "العاشر")
ORDINAL_UNITS_F = ("الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة",
                   "الثامنة", "التاسعة", "العاشرة")
# In 11-19 and after the tens, 1 is الحادي/الحادية, not الأول.
ONE_IN_COMPOUND = ("الحادي", "الحادية")
TENS = ("العشرين", "الثلاثين", "الأربعين", "الخمسين", "الستين", "السبعين", "الثمانين", "التسعين")
# A number after الـ followed by one of these is a definite cardinal (الـ15 عامًا
# الماضية = the past fifteen years), not an ordinal.
COUNTED_NOUNS = ("عام", "عامًا", "سنة", "سنوات", "يوم", "يومًا", "أيام", "شهر", "شهرًا",
                 "أشهر", "ساعة", "دقيقة", "مرة", "ألف", "مليون", "مليار")


def ordinal(number: int, feminine: bool = False) -> str | None:
    """The definite ordinal of 1-99 (``21`` -> ``الحادي والعشرين``); None past that."""
    units = ORDINAL_UNITS_F if feminine else ORDINAL_UNITS_M
    one = ONE_IN_COMPOUND[feminine]
    if 1 <= number <= 10:
        return units[number - 1]
    if 11 <= number <= 19:
        first = one if number == 11 else units[number - 11]
        return f"{first} {'عشرة' if feminine else 'عشر'}"
    if 20 <= number <= 99:
        tens, rest = divmod(number, 10)
        if rest == 0:
            return TENS[tens - 2]
        first = one if rest == 1 else units[rest - 1]
        return f"{first} و{TENS[tens - 2]}"
    return None


def read_definite_ordinal(match: re.Match[str]) -> str:
    """``الـ15`` read as ``الخامس عشر`` (``الخامسة عشرة`` after a feminine noun)."""
    following = match.group("next") or ""
    if following.strip() in COUNTED_NOUNS:
        return match.group()
    before = match.group("before") or ""
    feminine = before.rstrip().endswith("ة")
    word = ordinal(int(match.group("number")), feminine)
    if word is None:
        return match.group()
    prefix = match.group("prefix")
    # The ordinal brings its own ال; after ل the article's alif is dropped (للخامس).
    spoken = prefix[:-2] + word if prefix.endswith("ال") else prefix[:-1] + word[1:]
    return before + spoken


def read_century(match: re.Match[str]) -> str:
    """``القرن 21`` read as ``القرن الحادي والعشرين``."""
    word = ordinal(int(match.group("number")))
    return match.group() if word is None else f"{match.group('noun')} {word}"


# --- times, dates, phones, fractions ----------------------------------------------------------------

# Quarter and half hours, as said (العاشرة والنصف); other minutes are counted.
MINUTE_WORDS = {15: "والربع", 30: "والنصف"}


def read_time(match: re.Match[str]) -> str:
    """``10:30`` read as ``العاشرة والنصف``: the hour as a feminine ordinal, then the minutes."""
    hour, minutes = int(match.group("hour")), int(match.group("minutes"))
    spoken = ordinal(hour or 12, feminine=True) or match.group("hour")
    if minutes == 0:
        return spoken
    if minutes in MINUTE_WORDS:
        return f"{spoken} {MINUTE_WORDS[minutes]}"
    return f"{spoken} و{MINUTES.after(str(minutes))}"


HIJRI_MONTHS = ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
                "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة")
HIJRI_YEARS = range(1300, 1500)


def read_hijri_date(match: re.Match[str]) -> str:
    """``15/9/1445هـ`` (or ``1445/9/15هـ``) read as ``15 رمضان 1445 هجري``."""
    groups = match.groupdict()
    day, month, year = (groups["day"] or groups["day2"], groups["month"] or groups["month2"],
                        groups["year"] or groups["year2"])
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 30 and int(year) in HIJRI_YEARS):
        return match.group()
    return f"{int(day)} {HIJRI_MONTHS[int(month) - 1]} {year} هجري"


# A phone number: digit groups joined by - or a space, starting with 0 or +, at
# least this many digits. Each group longer than 4 digits is cut into groups of
# 3 (then 2 at the end), as numbers are read out: 1234567 -> 123 45 67.
PHONE_MIN_DIGITS = 8
PHONE_GROUP = 4


def split_digits(group: str) -> list[str]:
    """A long digit group in readable pieces; a leading zero said as its own digit (صفر)."""
    pieces = []
    while group.startswith("0") and len(group) > 1:
        pieces.append("0")
        group = group[1:]
    while len(group) > PHONE_GROUP:
        pieces.append(group[:3])
        group = group[3:]
    pieces += [group[:2], group[2:]] if len(group) == PHONE_GROUP else [group]
    return pieces


def read_phone(match: re.Match[str]) -> str:
    """``050-1234567`` read in groups: ``0 50، 123، 45، 67`` (a short pause between groups)."""
    text = match.group()
    if sum(ch.isdigit() for ch in text) < PHONE_MIN_DIGITS:
        return text
    plus = "زائد " if text.startswith("+") else ""
    pieces = [piece for group in re.findall(r"\d+", text) for piece in split_digits(group)]
    return plus + "، ".join(pieces)


# Vulgar fractions: every one-character fraction Unicode has with a reading (¼ ½ ¾ and
# U+2150-215E), kept out of NFKC (tts.text.normalize), which would make 2½ into 21⁄2. A fifth,
# seventh, ninth and tenth are vowelled: unmarked, they are the words for five, seven,
# nine and ten (خَمْس، سَبْع، تِسْع، عَشْر), and the tashkeel keeps a word its writer marked.
FRACTIONS = {"½": "نصف", "⅓": "ثلث", "⅔": "ثلثان", "¼": "ربع", "¾": "ثلاثة أرباع",
             "⅕": "خُمْس", "⅖": "خُمْسان", "⅗": "ثلاثة أخماس", "⅘": "أربعة أخماس",
             "⅙": "سدس", "⅚": "خمسة أسداس", "⅐": "سُبْع", "⅛": "ثمن", "⅜": "ثلاثة أثمان",
             "⅝": "خمسة أثمان", "⅞": "سبعة أثمان", "⅑": "تُسْع", "⅒": "عُشْر"}


def read_fraction(match: re.Match[str]) -> str:
    """``½`` read as ``نصف``, ``2½`` as ``2 ونصف``."""
    whole, word = match.group("whole"), FRACTIONS[match.group("fraction")]
    return f"{whole} و{word}" if whole else word


# Syriac month names (Levant, Iraq) and their Gregorian twins: news writes both,
# "نيسان/ أبريل", for one month; the slash's pause splits one date in two.
MONTH_PAIRS = (
    ("كانون الثاني", "يناير"), ("شباط", "فبراير"), ("آذار", "مارس"), ("نيسان", "[أإا]بريل"),
    ("أيار", "مايو"), ("حزيران", "يوني[وه]"), ("تموز", "يولي[وه]"), ("آب", "[أا]غسطس"),
    ("أيلول", "سبتمبر"), ("تشرين الأول", "[أا]كتوبر"), ("تشرين الثاني", "نوفمبر"),
    ("كانون الأول", "ديسمبر"),
)
