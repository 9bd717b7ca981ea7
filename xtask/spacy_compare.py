"""Compares dateline with spaCy's en_core_web_sm on the same corpus and machine.

Run by `cargo xtask spacy`, which installs spaCy into its own venv first.

Speed: the whole default job of each tool on the bench corpus, one core, in
CPU seconds (so a busy machine shifts both alike): spaCy's `nlp.pipe` over the
texts (model loading excluded), once with every component of en_core_web_sm
and once with only what dateline also does (tok2vec, parser for sentences,
ner); dateline's binary (`run --threads 1`, JSONL out, start-up included).

Accuracy: CoNLL-2003 test entity F1, both tools on the gold tokens, scored
like conlleval (exact spans, PER/ORG/LOC/MISC). spaCy predicts OntoNotes
labels, mapped to CoNLL's the usual way (PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC,
NORP/EVENT/WORK_OF_ART/LAW/PRODUCT/LANGUAGE->MISC; the numeric types dropped).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

ONTONOTES_TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "PRODUCT": "MISC",
    "LANGUAGE": "MISC",
}


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_dateline(binary, corpus, passes):
    """Best CPU time of `passes` one-thread runs of the default pipeline."""
    best = None
    for _ in range(passes):
        before = children_cpu()
        subprocess.run(
            [binary, "run", "--threads", "1", "-q", corpus, "-o", os.devnull],
            check=True,
        )
        spent = children_cpu() - before
        best = spent if best is None else min(best, spent)
    return best


def time_spacy(nlp, texts):
    start = time.process_time()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=64):
        tokens += len(doc)
    return time.process_time() - start, tokens


def read_conll(path):
    """Sentences of (words, IOB2 tags) from a CoNLL-2003 file."""
    sentences, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if words:
                    sentences.append((words, tags))
                    words, tags = [], []
                continue
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def chunks(tags):
    """Entity spans (start, end, label) of an IOB2 tag sequence, as conlleval reads them."""
    spans, start, label = set(), None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix != "I" or kind != label):
            spans.add((start, i, label))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, label = i, kind
    return spans


def score_spacy(nlp, sentences):
    from spacy.tokens import Doc

    found = correct = gold_total = 0
    docs = (Doc(nlp.vocab, words=words) for words, _ in sentences)
    for (words, tags), doc in zip(sentences, nlp.pipe(docs, batch_size=256)):
        gold = chunks(tags)
        predicted = {
            (ent.start, ent.end, ONTONOTES_TO_CONLL[ent.label_])
            for ent in doc.ents
            if ent.label_ in ONTONOTES_TO_CONLL
        }
        gold_total += len(gold)
        found += len(predicted)
        correct += len(gold & predicted)
    p = correct / found if found else 0.0
    r = correct / gold_total if gold_total else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dateline", required=True, help="the dateline binary")
    ap.add_argument("--corpus", required=True, help="JSONL corpus for speed")
    ap.add_argument("--conll", help="CoNLL-2003 file for accuracy")
    ap.add_argument("--model", default="en_core_web_sm")
    ap.add_argument("--passes", type=int, default=5)
    args = ap.parse_args()

    import spacy

    texts = read_texts(args.corpus)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    nlp = spacy.load(args.model)
    print(f"spaCy {spacy.__version__}, {args.model} {nlp.meta.get('version')}, "
          f"components {nlp.pipe_names}")
    print(f"corpus: {args.corpus}, {len(texts)} documents, {megabytes:.2f} MB of text")

    dateline_cpu = time_dateline(args.dateline, args.corpus, args.passes)
    full_cpu, tokens = time_spacy(nlp, texts)
    with nlp.select_pipes(enable=["tok2vec", "parser", "ner"]):
        lean_cpu, _ = time_spacy(nlp, texts)

    rows = [
        ("dateline run (tokenize, segment, tag, JSONL)", dateline_cpu),
        ("spaCy en_core_web_sm, all components", full_cpu),
        ("spaCy en_core_web_sm, tok2vec+parser+ner", lean_cpu),
    ]
    print("\n| one core | CPU s | MB/s | tokens/s (spaCy's tokens) | dateline is faster by |")
    print("|---|---|---|---|---|")
    for name, cpu in rows:
        ratio = "" if cpu is dateline_cpu else f"{cpu / dateline_cpu:.0f}x"
        print(f"| {name} | {cpu:.2f} | {megabytes / cpu:.3g} | {tokens / cpu:,.0f} | {ratio} |")

    if args.conll:
        sentences = read_conll(args.conll)
        p, r, f = score_spacy(nlp, sentences)
        print(f"\nspaCy {args.model} on {args.conll} (gold tokens, labels mapped to CoNLL): "
              f"P {p:.2f} R {r:.2f} F1 {f:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
