"""The plain word under a diminutive: «домик» -> дом, «тучка» -> туча, «ёлочка» -> ёлка.

People write about their own photos the way they talk about their family: «домики»,
«цветочки», «облачка», «машинки», «мамочка». pymorphy3 knows most of these as words of
their own (its dictionary form of «тучки» is «тучка»), the vocabulary names the plain
word, and navec has no vector for many of them: such a word found nothing at all.

`bases(lemma)` lists the words a diminutive may come from, most likely first; the
caller (scoring.Scorer) takes the first that is a one-word vocabulary term, and only
for a word the vocabulary lacks, so «цветок», «кошка», «ручка» (a pen) or «песок» stay
themselves. The rules are the productive suffixes of Russian diminutives with the
consonant the suffix softened given back (облачко -> облако, снежок -> снег, петушок ->
петух). Every word pymorphy3 knows that the rules take to a vocabulary term was read
once by eye (`benchmarks/diminutives.py --review` lists them); the wrong ones («медик»
is no small «мёд», «сорочка» a shirt, not a small magpie) are in NOT_DIMINUTIVE, or got
an alias of their own («вечеринка» -> праздник, not a small «вечер»).
"""

from __future__ import annotations

# (suffix of the dictionary form, what may stand in its place), tried in this order:
# the smallest change first, so «картинка» is a картина before the «-инка» rule makes it
# a карта
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("онька", ("а", "ка", "я", "ь")),        # березонька -> береза
    ("енька", ("а", "ка", "я", "ь")),        # папенька -> папа, доченька -> дочка
    ("очка", ("а", "ка", "я")),              # мамочка -> мама, уточка -> утка
    ("еечка", ("ейка",)),                    # скамеечка -> скамейка
    ("ечка", ("ка", "а", "я")),              # дочечка -> дочка
    ("ичка", ("ица", "а", "ика")),           # птичка -> птица, водичка -> вода
    ("уля", ("а", "", "ушка")),              # мамуля -> мама, дедуля -> дед
    ("юля", ("я", "а")),
    ("очек", ("ок", "")),                    # цветочек -> цветок, сыночек -> сын
    ("ечек", ("ек", "ь", "")),               # пенечек -> пенек
    ("ьчик", ("", "ь", "ец")),               # стульчик -> стул, пальчик -> палец
    ("чик", ("", "ец")),                     # стаканчик -> стакан, огурчик -> огурец
    ("ик", ("",)),                           # домик -> дом, мячик -> мяч
    ("енок", ("", "а", "ка", "ь")),          # котенок -> кот, утенок -> утка, лисенок -> лиса
    ("онок", ("", "а", "ь")),                # волчонок -> волк
    ("ок", ("", "а", "ь")),                  # снежок -> снег, лесок -> лес
    ("ек", ("", "й", "ь")),                  # чаек -> чай, кофеек -> кофе, денек -> день
    ("ко", ("о", "е")),                      # пивко -> пиво, облачко -> облако
    ("цо", ("о",)),                          # винцо -> вино
    ("це", ("о",)),                          # деревце -> дерево
    ("ице", ("е", "о")),                     # платьице -> платье
    ("ка", ("а", "я")),                      # машинка -> машина, тучка -> туча, книжка -> книга
    ("онка", ("ка", "а")),                   # собачонка -> собачка
    ("олка", ("ла",)),                       # куколка -> кукла, иголка -> игла
    ("инка", ("а", "")),                     # тропинка -> тропа, снежинка -> снег
    ("ята", ("енок",)),                      # зверята (a plural pymorphy keeps) -> зверенок
)
# a suffix softened the consonant before it; the plain word has the hard one
HARD = {"ч": ("к", "ц"), "ж": ("г", "з"), "ш": ("х", "с")}
# words the rules take to a term that they do not come from (read off
# benchmarks/diminutives.py): they stay unknown rather than find the wrong photos
NOT_DIMINUTIVE = frozenset("""
медик химик физик комик техник механик историк критик органик персик портик
автоматчик багетчик буфетчик заводчик пакетчик подносчик пароходчик сводчик садчик
бегунок биток волок волочек водка водочка воронка вороночка горчинка горчичка
дамка дорогуля душок едок желудок картинка кишка курок лучик лучинка лунка мелок
невестка обрывок обрывочек овчинка охотка погодок радужка реечка рожок сорочка соскок
совок совка скалка скалочка танчик техничка утечка фенек феник хлебок шинок плитка
плиточка садок куличик палаточка картонка парка парок классик
""".split())


def bases(lemma: str) -> list[str]:
    """The plain words a diminutive's dictionary form may come from, most likely first
    (none for a word that is no diminutive by its ending)."""
    if lemma in NOT_DIMINUTIVE or not lemma.isalpha():
        return []
    out: list[str] = []
    for suffix, endings in RULES:
        stem = lemma[:-len(suffix)]
        if not lemma.endswith(suffix) or len(stem) < 2:
            continue
        # the stem as it is first, with any ending: «мышонок» is a мышь before a мыс
        for s in [stem, *(stem[:-1] + hard for hard in HARD.get(stem[-1], ()))]:
            out += [s + ending for ending in endings if s + ending != lemma]
    return list(dict.fromkeys(out))


def base_term(lemma: str, terms: frozenset[str] | set[str]) -> str | None:
    """The first plain word of `lemma` that is one of `terms` (one-word vocabulary keys)."""
    if lemma in terms:
        return None
    return next((b for b in bases(lemma) if b in terms), None)
