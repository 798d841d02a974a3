"""The mock's words: the topic of a prompt, sentences about it, and filler words by the count.

Both voices (`voice` exact, `variance` varied) write with these. Only plain
letters, spaces, commas and full stops (accented letters only in the few
sentences of another language), so a suite can count words and a tokenizer
has no surprises.
"""

from __future__ import annotations

import re
from random import Random

from chatconform.mock.forms import strip_forms

# Plain lower-case words, one mock token each, so "Write N words" costs N+1 completion tokens.
FILLER = (  # noqa: SIM905 - a word list reads best as prose
    "the a of and to in is it that for on with as at by from this be or are an not was can all more one "
    "time people water light river stone garden morning window city market road music paper story field "
    "house table friend school summer winter color number simple quiet bright early small large open "
    "clear warm gentle careful steady slow quick good new old long short green blue red white always "
    "often"
).split()
INTRO = "Here is a short answer about {topic}."
TEMPLATES = (
    "A careful look at {topic} usually shows a few simple patterns.",
    "The key point about {topic} is that the details depend on your situation.",
    "In most cases, {topic} is easiest to understand by starting with the basics.",
    "If you share more context, I can give a more specific answer.",
    "Many people find that {topic} becomes clearer with a concrete example.",
    "The short version is that {topic} has both benefits and tradeoffs.",
    "It helps to compare a few options before deciding.",
    "Let me know if you would like more detail on any part.",
)
# A short answer in each language `forms.LANGUAGES` names: an introduction, then sentences (first the intro).
FOREIGN: dict[str, tuple[str, ...]] = {
    "French": (
        "Voici une courte r\u00e9ponse sur {topic}.",
        "Le point essentiel est que les d\u00e9tails d\u00e9pendent de votre situation.",
        "Il est utile de comparer plusieurs options avant de d\u00e9cider.",
        "Dites-moi si vous souhaitez plus de d\u00e9tails.",
    ),
    "Spanish": (
        "Aqu\u00ed tienes una respuesta breve sobre {topic}.",
        "Lo esencial es que los detalles dependen de tu situaci\u00f3n.",
        "Conviene comparar varias opciones antes de decidir.",
        "Dime si quieres m\u00e1s detalles.",
    ),
    "German": (
        "Hier ist eine kurze Antwort zu {topic}.",
        "Das Wichtigste ist, dass die Einzelheiten von Ihrer Situation abh\u00e4ngen.",
        "Es hilft, vor der Entscheidung einige Optionen zu vergleichen.",
        "Sagen Sie mir, wenn Sie mehr wissen m\u00f6chten.",
    ),
    "Italian": (
        "Ecco una breve risposta su {topic}.",
        "Il punto chiave \u00e8 che i dettagli dipendono dalla tua situazione.",
        "Conviene confrontare alcune opzioni prima di decidere.",
        "Fammi sapere se vuoi pi\u00f9 dettagli.",
    ),
    "Portuguese": (
        "Aqui est\u00e1 uma resposta curta sobre {topic}.",
        "O ponto principal \u00e9 que os detalhes dependem da sua situa\u00e7\u00e3o.",
        "Ajuda comparar algumas op\u00e7\u00f5es antes de decidir.",
        "Diga-me se quiser mais detalhes.",
    ),
}
DEFAULT_TOPIC = "your question"
_QUESTION = {
    "French": "votre question",
    "Spanish": "tu pregunta",
    "German": "Ihre Frage",
    "Italian": "la tua domanda",
    "Portuguese": "a sua pergunta",
}
# One-word answers when the prompt has no key word to give back.
ONE_WORDS = ("Yes", "Simple", "Clear", "Bright", "Steady", "Balance")
# Words too common to name a topic.
STOPWORDS = frozenset(
    (  # noqa: SIM905
        "a about above after again all also an and answer any are as at be because been before being below "
        "between both briefly but by can could describe did do does doing down during each explain for from "
        "further get give had has have having hello hey hi here how i if in into is it its it's just know like "
        "list make me more most my need no not now of on once only or other our out over please question "
        "reply same say should so some such summarise summarize tell than that the their them then there "
        "these they this those through to too under until up us use using usually very want was we were "
        "what what's when where which while who why will with would write you your"
    ).split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|[^\sA-Za-z]")


def topic(prompt: str) -> str:
    """The prompt's subject in its own words: its first one or two runs of content words ("CAP theorem",
    "lighthouses and harbours"), or "your question" when it has none."""
    runs: list[list[str]] = [[]]
    sentence_start = True
    for match in _WORD.finditer(strip_forms(prompt)):
        word = match.group().rstrip("'-") or "'"
        if _content(word):
            # a capital only because the sentence starts there is not part of the name
            runs[-1].append(word.lower() if sentence_start and word[1:].islower() else word)
        elif runs[-1]:
            runs.append([])
        sentence_start = word in ".!?" or (sentence_start and not word[0].isalpha())
    found = [" ".join(run[:3]) for run in runs if run][:2]
    return " and ".join(found) or DEFAULT_TOPIC


def _content(word: str) -> bool:
    if not word[0].isalpha() or word.lower() in STOPWORDS:
        return False
    return len(word) >= 3 or (len(word) >= 2 and word.isupper())


def sentences(subject: str, rng: Random, count: int = 0, language: str = "") -> list[str]:
    """`count` sentences about `subject` (an introduction first), or, with no count, 20 to 40 words' worth
    (in `language`, one of `FOREIGN`, a fixed three sentences by default: the mock writes little of it)."""
    if language in FOREIGN:
        said = FOREIGN[language]
        subject = _QUESTION[language] if subject == DEFAULT_TOPIC else subject
        return [said[i % len(said)].format(topic=subject) for i in range(count or 3)]
    templates = list(TEMPLATES)
    rng.shuffle(templates)
    pool = [INTRO, *templates]
    if count:
        return [pool[i % len(pool)].format(topic=subject) for i in range(count)]
    out = [INTRO.format(topic=subject)]
    # every template is under 16 words with the topic, so stopping at 20 keeps the total under 40
    while len(" ".join(out).split()) < 20:
        out.append(templates.pop().format(topic=subject))
    return out


def items(subject: str, rng: Random, count: int, language: str = "") -> list[str]:
    """`count` list items about `subject`, each a sentence."""
    if language in FOREIGN:
        return sentences(subject, rng, count, language)
    templates = list(TEMPLATES)
    rng.shuffle(templates)
    return [capitalised(templates[i % len(templates)].format(topic=subject)) for i in range(count)]


def one_word(subject: str, rng: Random) -> str:
    """A one-word answer: the first word of the topic, or a plain word when the prompt has none."""
    if subject != DEFAULT_TOPIC:
        return capitalised(subject.split()[0])
    return rng.choice(ONE_WORDS)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def filler_words(n: int, rng: Random) -> list[str]:
    """`n` seeded filler words, lower-case."""
    return rng.choices(FILLER, k=n)
