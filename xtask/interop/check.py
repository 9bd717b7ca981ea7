#!/usr/bin/env python3
"""Independent readers of dateline's output formats, run by `cargo xtask interop`.

Each subcommand reads one format with code that shares nothing with dateline
(the PyPI `conllu` parser, Python's own string slicing and HTML parser, a
re-implementation of conlleval's chunk rules), checks it against the input,
and prints one JSON object of what it found. Any failed check raises, so the
exit status is non-zero.
"""

import argparse
import html.parser
import json
import os
import re
import sys


def read_text(path):
    # newline="" keeps "\r\n" as it is: offsets count every character.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def slicer(text, unit):
    """text[start:end] with offsets in dateline's --offsets unit."""
    if unit == "char":
        return lambda s, e: text[s:e]
    if unit == "byte":
        data = text.encode("utf-8")
        return lambda s, e: data[s:e].decode("utf-8")
    if unit == "utf16":
        data = text.encode("utf-16-le")
        return lambda s, e: data[2 * s:2 * e].decode("utf-16-le")
    raise ValueError(unit)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def jsonl(args):
    docs = tokens = entities = 0
    labels = {}
    per_doc = {}
    with open(args.file, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            record = json.loads(line)
            doc_id, text = record["id"], record["text"]
            check("error" not in record, f"line {line_no}: error record {record}")
            if args.texts:
                check(text == read_text(os.path.join(args.texts, doc_id)), f"{doc_id}: text differs from the input file")
            cut = slicer(text, args.offsets)
            covered = []
            for t in record.get("tokens", []):
                piece = cut(t["start"], t["end"])
                check(piece and not any(c.isspace() for c in piece), f"{doc_id}: token {t} is {piece!r}")
                covered.append(piece)
            # Tokens plus whitespace must be the whole text, in order.
            rest = re.sub(r"\s+", "", text)
            check("".join(covered) == rest, f"{doc_id}: tokens do not cover the text in order")
            for s in record.get("sentences", []):
                piece = cut(s["start"], s["end"])
                check(piece == piece.strip() and piece, f"{doc_id}: sentence {s} is {piece!r}")
            for e in record.get("entities", []):
                piece = cut(e["start"], e["end"])
                check(piece == e["text"], f"{doc_id}: entity {e} covers {piece!r}")
                labels[e["label"]] = labels.get(e["label"], 0) + 1
            docs += 1
            tokens += len(record.get("tokens", []))
            entities += len(record.get("entities", []))
            per_doc[doc_id] = sorted(e["label"] for e in record.get("entities", []))
    print(json.dumps({"documents": docs, "tokens": tokens, "entities": entities, "labels": labels, "per_doc": per_doc}))


def unescape_spaces(value):
    out, i = [], 0
    table = {"s": " ", "t": "\t", "n": "\n", "r": "\r", "p": "|", "\\": "\\"}
    while i < len(value):
        c = value[i]
        if c == "\\" and value[i + 1] == "u":
            out.append(chr(int(value[i + 2:i + 6], 16)))
            i += 6
        elif c == "\\":
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def conllu_check(args):
    import conllu  # the PyPI parser

    docs = {}
    order = []
    current = None
    sentences = tokens = entities = 0
    with open(args.file, encoding="utf-8") as f:
        for sentence in conllu.parse_incr(f):
            meta = sentence.metadata
            if "newdoc id" in meta:
                current = meta["newdoc id"]
                order.append(current)
                docs[current] = {"text": [], "after": "", "explicit": False, "ntokens": 0}
            check(current is not None, "a sentence before any # newdoc id")
            check("sent_id" in meta and "text" in meta, f"{current}: sentence without sent_id or text: {meta}")
            doc = docs[current]
            sentence_start = None
            previous_tag = "O"
            for token in sentence:
                if not isinstance(token["id"], int):
                    continue
                misc = token["misc"] or {}
                if doc["ntokens"] > 0:
                    doc["text"].append(doc["after"])
                if "SpacesBefore" in misc:
                    doc["text"].append(unescape_spaces(misc["SpacesBefore"]))
                if sentence_start is None:
                    sentence_start = len("".join(doc["text"]))
                doc["text"].append(token["form"])
                sentence_end = len("".join(doc["text"]))
                if misc.get("SpaceAfter") == "No":
                    doc["after"], doc["explicit"] = "", True
                elif "SpacesAfter" in misc:
                    doc["after"], doc["explicit"] = unescape_spaces(misc["SpacesAfter"]), True
                else:
                    doc["after"], doc["explicit"] = " ", False
                tag = misc.get("NER", "O")
                check(re.fullmatch(r"O|[BI]-\S+", tag), f"{current}: NER={tag}")
                if tag.startswith("I-"):
                    check(previous_tag[2:] == tag[2:], f"{current}: {tag} after {previous_tag} breaks IOB2")
                if tag.startswith("B-"):
                    entities += 1
                previous_tag = tag
                doc["ntokens"] += 1
                tokens += 1
            sentences += 1
            rebuilt = "".join(doc["text"])[sentence_start:sentence_end]
            flat = re.sub(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", " ", rebuilt)
            check(meta["text"] == flat, f"{current}: # text {meta['text']!r} != tokens {flat!r}")
    for doc_id in order:
        doc = docs[doc_id]
        text = "".join(doc["text"]) + (doc["after"] if doc["explicit"] else "")
        if args.texts:
            expected = read_text(os.path.join(args.texts, doc_id))
            check(text == expected, f"{doc_id}: text rebuilt from CoNLL-U differs from the input")
    print(json.dumps({"documents": len(order), "sentences": sentences, "tokens": tokens, "entities": entities}))


def brat(args):
    conf = read_text(os.path.join(args.dir, "annotation.conf"))
    section, types = None, set()
    for line in conf.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line.strip() and not line.startswith("#") and section == "entities":
            types.add(line.strip())
    docs = annotations = fragments = 0
    labels = {}
    for name in sorted(os.listdir(args.dir)):
        if not name.endswith(".ann"):
            continue
        text = read_text(os.path.join(args.dir, name[:-4] + ".txt"))
        if args.texts:
            check(text in {read_text(os.path.join(args.texts, f)) for f in os.listdir(args.texts) if f.endswith(".txt")},
                  f"{name}: .txt is not one of the inputs")
        with open(os.path.join(args.dir, name), encoding="utf-8", newline="") as f:
            for line in f.read().split("\n"):
                if not line.startswith("T"):
                    continue
                tid, body, covered = line.split("\t")
                label, ranges = body.split(" ", 1)
                check(label in types, f"{name} {tid}: type {label} not in annotation.conf")
                pieces = []
                for r in ranges.split(";"):
                    s, e = map(int, r.split(" "))
                    check(0 <= s <= e <= len(text), f"{name} {tid}: {s} {e} outside the text")
                    pieces.append(text[s:e])
                    fragments += 1
                check(" ".join(pieces) == covered, f"{name} {tid}: {covered!r} != .txt slice {' '.join(pieces)!r}")
                check("\n" not in covered, f"{name} {tid}: line break in the annotation text")
                annotations += 1
                labels[label] = labels.get(label, 0) + 1
        docs += 1
    print(json.dumps({"documents": docs, "annotations": annotations, "fragments": fragments, "labels": labels}))


class Dom(html.parser.HTMLParser):
    """Collects what a reader of the rendered page sees."""

    def __init__(self):
        super().__init__()
        self.marks, self.labels, self.scripts, self.links, self.text = 0, [], 0, [], []
        self.sentences = 0
        self._in_label = False
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._stack.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "mark" and "entity" in classes:
            self.marks += 1
            self.labels.append(attrs.get("data-label"))
        if tag == "span" and "label" in classes:
            self._in_label = True
        if tag == "span" and "sentence" in classes:
            self.sentences += 1
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_label = False
        if self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._in_label and "style" not in self._stack[-1:] and "title" not in self._stack[-1:]:
            self.text.append(data)


def dom(args):
    with open(args.file, encoding="utf-8") as f:
        parser = Dom()
        parser.feed(f.read())
    text = "".join(parser.text)
    labels = {}
    for label in parser.labels:
        labels[label] = labels.get(label, 0) + 1
    for needle in args.contains or []:
        check(needle in text, f"the page's text does not contain {needle!r}")
    check(parser.scripts == 0, f"{parser.scripts} script elements in the DOM")
    print(json.dumps({"entities": parser.marks, "labels": labels, "sorted_labels": sorted(parser.labels),
                      "sentences": parser.sentences, "links": parser.links, "scripts": parser.scripts}))


def chunks(tags):
    """Chunks as conlleval.pl finds them (startOfChunk / endOfChunk)."""
    found = set()
    start, prev_tag, prev_type = None, "O", ""
    for i, tag in enumerate(tags + ["O"]):
        kind, typ = (tag.split("-", 1) + [""])[:2] if tag != "O" else ("O", "")
        end = (prev_tag in "BI" and prev_tag != "O") and (
            kind in ("B", "O") or (kind == "I" and prev_type != typ))
        if start is not None and end:
            found.add((start, i, prev_type))
            start = None
        begins = kind == "B" or (kind == "I" and (prev_tag == "O" or prev_type != typ))
        if begins:
            start = i
        prev_tag, prev_type = kind, typ
    return found


def conlleval(args):
    gold_tags, pred_tags = [], []
    sequences = []
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if gold_tags:
                    sequences.append((gold_tags, pred_tags))
                gold_tags, pred_tags = [], []
                continue
            check(len(cols) >= 3, f"line {line!r}: expected token, gold and predicted columns")
            gold_tags.append(cols[-2])
            predicted = cols[-1]
            # Scored in the gold file's label scheme (as `dateline eval`
            # does): a label the gold never uses is outside the question.
            if args.scheme and predicted != "O" and predicted.split("-", 1)[1] not in args.scheme.split(","):
                predicted = "O"
            pred_tags.append(predicted)
    if gold_tags:
        sequences.append((gold_tags, pred_tags))
    correct = guessed = gold = tokens = token_correct = 0
    by_type = {}
    for g, p in sequences:
        gc, pc = chunks(g), chunks(p)
        correct += len(gc & pc)
        gold += len(gc)
        guessed += len(pc)
        tokens += len(g)
        token_correct += sum(a == b for a, b in zip(g, p))
        for c in gc:
            by_type.setdefault(c[2], [0, 0, 0])[0] += 1
        for c in pc:
            by_type.setdefault(c[2], [0, 0, 0])[1] += 1
        for c in gc & pc:
            by_type[c[2]][2] += 1

    def prf(g, p, c):
        precision = 100.0 * c / p if p else 0.0
        recall = 100.0 * c / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"gold": g, "predicted": p, "correct": c,
                "precision": round(precision, 2), "recall": round(recall, 2), "f1": round(f1, 2)}

    print(json.dumps({"tokens": tokens, "accuracy": round(100.0 * token_correct / max(tokens, 1), 2),
                      "overall": prf(gold, guessed, correct),
                      "by_type": {t: prf(*v) for t, v in sorted(by_type.items())}}))


def text(args):
    """Inline markup: stripping `[x](LABEL)` gives back each sentence."""
    records = [json.loads(l) for l in open(args.jsonl, encoding="utf-8")]
    with open(args.file, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    blocks = [b for b in blocks if b.strip()]
    check(len(blocks) == len(records), f"{len(blocks)} documents in text, {len(records)} in JSONL")
    marked = 0
    for block, record in zip(blocks, records):
        lines = block.strip("\n").split("\n")
        sentences = [record["text"][s["start"]:s["end"]] for s in record["sentences"]]
        check(len(lines) == len(sentences), f"{record['id']}: {len(lines)} lines for {len(sentences)} sentences")
        for line, sentence in zip(lines, sentences):
            marked += len(re.findall(r"\[([^\]]*)\]\(([^)\s]+)\)", line))
            plain = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", r"\1", line)
            flat = re.sub(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", " ", sentence)
            check(plain == flat, f"{record['id']}: {plain!r} != {flat!r}")
    print(json.dumps({"documents": len(blocks), "entities": marked}))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("jsonl")
    p.add_argument("file")
    p.add_argument("--offsets", default="char", choices=["char", "byte", "utf16"])
    p.add_argument("--texts")
    p.set_defaults(run=jsonl)
    p = sub.add_parser("conllu")
    p.add_argument("file")
    p.add_argument("--texts")
    p.set_defaults(run=conllu_check)
    p = sub.add_parser("brat")
    p.add_argument("dir")
    p.add_argument("--texts")
    p.set_defaults(run=brat)
    p = sub.add_parser("dom")
    p.add_argument("file")
    p.add_argument("--contains", action="append")
    p.set_defaults(run=dom)
    p = sub.add_parser("conlleval")
    p.add_argument("file")
    p.add_argument("--scheme", help="comma-separated labels; predicted chunks of other labels count as O")
    p.set_defaults(run=conlleval)
    p = sub.add_parser("text")
    p.add_argument("file")
    p.add_argument("--jsonl", required=True)
    p.set_defaults(run=text)
    args = parser.parse_args()
    try:
        args.run(args)
    except AssertionError as e:
        print(f"check failed: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
