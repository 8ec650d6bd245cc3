"""A tiny DeepSeek-style tokenizer for the tiny test models, so text goes in and out end to end.

Byte-level BPE trained with Hugging Face `tokenizers` on a small generated English/JSON corpus,
with DeepSeek's pre-tokenizer (copied from the V3 tokenizer.json in shared/data), DeepSeek's
special tokens at the ids the tiny models use (BOS 0, EOS 1) and the V3.1 chat template
(hybrid thinking). Called by make_goldens.py; the vocabulary size equals the model's.
"""
import json
import os
import random

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
V3_TOKENIZER = os.path.join(HERE, "..", "..", "shared", "data", "tokenizers", "deepseek-v3", "tokenizer.json")
V31_TEMPLATE = os.path.join(HERE, "..", "tests", "data", "chat_templates", "deepseek-v3.1.jinja")

# (content, special) in id order; flags follow the released DeepSeek tokenizers.
SPECIAL_TOKENS = [
    ("<｜begin▁of▁sentence｜>", True), ("<｜end▁of▁sentence｜>", True), ("<｜▁pad▁｜>", True),
    ("<｜User｜>", False), ("<｜Assistant｜>", False), ("<think>", False), ("</think>", False),
    ("<｜tool▁calls▁begin｜>", False), ("<｜tool▁calls▁end｜>", False), ("<｜tool▁call▁begin｜>", False),
    ("<｜tool▁call▁end｜>", False), ("<｜tool▁sep｜>", False), ("<｜tool▁outputs▁begin｜>", False),
    ("<｜tool▁outputs▁end｜>", False), ("<｜tool▁output▁begin｜>", False), ("<｜tool▁output▁end｜>", False),
    ("<｜fim▁hole｜>", False), ("<｜fim▁begin｜>", False), ("<｜fim▁end｜>", False),
]

WORDS = ("the a whale swims in deep blue sea and sings to its pod every morning weather is calm today "
         "what how why when where who answer question think reason step first then finally result "
         "function call tool get weather city name value number true false null json object array").split()


def corpus(seed=5):
    rng = random.Random(seed)
    lines = []
    for _ in range(3000):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        sentence = " ".join(words).capitalize() + rng.choice([".", "?", "!", ":"])
        if rng.random() < 0.2:
            sentence += ' {"city": "%s", "value": %d}' % (rng.choice(WORDS), rng.randint(0, 999))
        lines.append(sentence)
    return lines


def deepseek_pre_tokenizer():
    with open(V3_TOKENIZER) as f:
        spec = json.load(f)["pre_tokenizer"]
    return Tokenizer.from_str(json.dumps({
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": spec, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "vocab": {}, "merges": []}})).pre_tokenizer


def write_tiny_tokenizer(model_dir, vocab_size):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = deepseek_pre_tokenizer()
    tokenizer.decoder = decoders.ByteLevel()
    specials = [AddedToken(content, special=special, normalized=not special) for content, special in SPECIAL_TOKENS]
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(corpus(), trainer)
    assert tokenizer.get_vocab_size() <= vocab_size, tokenizer.get_vocab_size()
    assert tokenizer.token_to_id("<｜begin▁of▁sentence｜>") == 0 and tokenizer.token_to_id("<｜end▁of▁sentence｜>") == 1
    tokenizer.save(os.path.join(model_dir, "tokenizer.json"))
    with open(V31_TEMPLATE) as f:
        template = f.read()
    config = {"add_bos_token": True, "add_eos_token": False, "bos_token": SPECIAL_TOKENS[0][0],
              "eos_token": SPECIAL_TOKENS[1][0], "pad_token": SPECIAL_TOKENS[1][0], "model_max_length": 163840,
              "tokenizer_class": "LlamaTokenizerFast", "chat_template": template}
    with open(os.path.join(model_dir, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    with open(os.path.join(model_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 0, "eos_token_id": 1, "do_sample": True, "temperature": 0.6, "top_p": 0.95}, f,
                  indent=2)
