#!/usr/bin/env python3
"""Annotate a corpus on Apache Spark with the `dateline` binary.

Each partition's documents are piped, as JSONL, through
`dateline run --quiet --allow-errors -` on the executor that holds the
partition; the binary writes one annotated JSONL record per input record, in
order, and those records are the job's output: text files of JSONL
(`--output`) and, optionally, a Parquet table with the entities as a column
(`--parquet`).

Run it with spark-submit and ship the binary with `--files`:

    spark-submit --master 'local[2]' --files target/release/dateline \\
        integrations/spark/dateline_spark.py \\
        --jsonl corpus.jsonl --output out/annotated --parquet out/parquet

or with plain Python (pyspark from pip) and `--dateline PATH`:

    python3 integrations/spark/dateline_spark.py --master 'local[2]' \\
        --dateline target/release/dateline --jsonl corpus.jsonl --output out/annotated

See README.md beside this file for inputs, ids, options and cluster runs.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import SparkSession

# The name the binary has among the files shipped to the executors.
BINARY = "dateline"

# What dateline treats as a blank JSONL line (Rust's `is_ascii_whitespace`):
# such lines hold no document, and dateline skips them without a record.
ASCII_WHITESPACE = " \t\n\r\x0c"

GZIP = "org.apache.hadoop.io.compress.GzipCodec"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Annotate JSONL or text files with dateline on Apache Spark.",
    )
    src = p.add_argument_group("input (at least one; Hadoop paths: local, hdfs://, s3a://, ...)")
    src.add_argument(
        "--jsonl",
        action="append",
        default=[],
        metavar="PATH",
        help="JSONL file, directory of JSONL files or glob; one document per line (repeatable)",
    )
    src.add_argument(
        "--txt",
        action="append",
        default=[],
        metavar="DIR",
        help="directory whose .txt files are one document each, searched recursively; "
        "the id is the path relative to DIR, as with `dateline run DIR` (repeatable)",
    )
    out = p.add_argument_group("output")
    out.add_argument("--output", metavar="DIR", help="annotated JSONL, one part file per partition")
    out.add_argument(
        "--parquet",
        metavar="DIR",
        help="the same records as a Parquet table "
        "(entities, tokens and sentences as array columns)",
    )
    out.add_argument("--compress", action="store_true", help="gzip the JSONL part files")
    out.add_argument("--overwrite", action="store_true", help="replace existing output directories")
    run = p.add_argument_group("dateline")
    run.add_argument(
        "--dateline",
        metavar="PATH",
        help="the binary to ship to the executors (default: the file named dateline given to "
        "spark-submit --files, else dateline on the executors' PATH)",
    )
    run.add_argument("--stages", metavar="LIST", help="dateline --stages (default: dateline's)")
    run.add_argument("--offsets", choices=["char", "byte", "utf16"], help="dateline --offsets")
    run.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="JSONL field holding the text (default: text)",
    )
    run.add_argument(
        "--gazetteer",
        action="append",
        default=[],
        metavar="FILE",
        help="extra phrase list, shipped to the executors (repeatable)",
    )
    run.add_argument("--model", metavar="FILE", help="entity model file, shipped to the executors")
    run.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="dateline threads per task (default: spark.task.cpus)",
    )
    spark = p.add_argument_group("spark")
    spark.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="minimum partitions per input (default: Spark's split of the input)",
    )
    spark.add_argument(
        "--master",
        metavar="URL",
        help="Spark master when run with plain python (spark-submit's --master wins otherwise)",
    )
    args = p.parse_args(argv)
    if not args.jsonl and not args.txt:
        p.error("give at least one input: --jsonl PATH or --txt DIR")
    if not args.output and not args.parquet:
        p.error("give at least one output: --output DIR or --parquet DIR")
    if args.partitions is not None and args.partitions < 1:
        p.error("--partitions must be at least 1")
    if args.threads is not None and args.threads < 1:
        p.error("--threads must be at least 1")
    return args


def ship(sc, path):
    """Adds a local or Hadoop file to every executor; returns its name there."""
    sc.addFile(path)
    return os.path.basename(path.rstrip("/"))


def resolve_shipped(name, executable=False):
    """The executor-local path of a shipped file.

    Runs on the executor: `SparkFiles.get` is the task's own download
    directory (the working directory on a cluster, a temporary directory in
    local mode), which the driver cannot know. Files given to spark-submit
    `--files` on YARN land in the working directory, so that is tried next.
    """
    for candidate in (SparkFiles.get(name), os.path.join(os.getcwd(), name)):
        if os.path.isfile(candidate):
            return make_executable(candidate) if executable else candidate
    if executable:
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError(
        f"{name} is not on this executor (ship it with spark-submit --files, "
        "or give the job its local path)"
    )


def make_executable(path):
    if os.access(path, os.X_OK):
        return path
    try:
        os.chmod(path, os.stat(path).st_mode | 0o755)
        return path
    except OSError:
        # A read-only localised copy (some cluster managers): run a private one.
        copy = os.path.join(tempfile.mkdtemp(prefix="dateline-"), os.path.basename(path))
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o755)
        return copy


class Annotate:
    """The function each partition runs: its records through one dateline process.

    Serialised to the executors; holds only the names of shipped files and the
    options, and resolves paths there.
    """

    def __init__(self, binary, options, shipped_options):
        self.binary = binary
        self.options = options
        # (flag, shipped file name) pairs resolved on the executor.
        self.shipped_options = shipped_options

    def command(self):
        argv = [resolve_shipped(self.binary, executable=True), "run", "--quiet", "--allow-errors"]
        argv += self.options
        for flag, name in self.shipped_options:
            argv += [flag, resolve_shipped(name)]
        argv.append("-")
        return argv

    def __call__(self, partition, records):
        # Records are str (a JSONL line for dateline) or a (str,) tuple: a
        # finished record that needs no dateline (the error record of a .txt
        # file that is not UTF-8, which JSON cannot carry to dateline).
        records = iter(records)
        first = next(records, None)
        if first is None:
            # An empty partition (an empty file, a split between two long
            # lines) starts no process.
            return
        # stderr goes to a file: a pipe nobody reads could fill and stall dateline.
        errors = tempfile.TemporaryFile()
        process = subprocess.Popen(
            self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors
        )
        state = {"sent": 0, "finished": [], "error": None}
        writer = threading.Thread(
            target=feed, args=(process.stdin, first, records, state), daemon=True
        )
        writer.start()
        received = 0
        read_all = False
        try:
            for line in iter(process.stdout.readline, b""):
                received += 1
                yield renumber(line.rstrip(b"\n").decode("utf-8"), partition, received)
            read_all = True
        finally:
            # A task that is cancelled or fails stops reading: end dateline too.
            if not read_all:
                process.kill()
                process.wait()
        process.stdout.close()
        code = process.wait()
        writer.join()
        stderr = read_tail(errors)
        if code != 0:
            raise RuntimeError(
                f"dateline exited with status {code} in partition {partition}: {stderr}"
            )
        if state["error"] is not None:
            raise RuntimeError(f"feeding dateline in partition {partition}: {state['error']!r}")
        if received != state["sent"]:
            raise RuntimeError(
                f"dateline returned {received} records for {state['sent']} in partition "
                f"{partition}: {stderr}"
            )
        yield from state["finished"]


def feed(stdin, first, records, state):
    """Writes the partition's JSONL to dateline (a thread, as RDD.pipe does)."""
    try:
        for record in _chain(first, records):
            if isinstance(record, tuple):
                state["finished"].append(record[0])
                continue
            line = record.rstrip("\r\n")
            if not line.strip(ASCII_WHITESPACE):
                continue
            stdin.write(line.encode("utf-8"))
            stdin.write(b"\n")
            state["sent"] += 1
    except BrokenPipeError:
        # dateline stopped reading: its exit status tells why.
        pass
    except Exception as e:  # noqa: BLE001 - reported by the reading side
        state["error"] = e
    finally:
        try:
            stdin.close()
        except BrokenPipeError:
            pass


def _chain(first, rest):
    yield first
    yield from rest


def renumber(record, partition, n):
    """Gives a unique id to a record whose input had none.

    dateline names such a record after its source and line, and on stdin that
    is `stdin:N` with N counted in this partition alone, so the same id
    would come out of every partition. `part-P:N` (partition P's Nth record)
    is unique in the run and stable for the same input and partitioning.
    """
    fallback = f'{{"id":"stdin:{n}"'
    if not record.startswith(fallback):
        return record
    value = json.loads(record)
    value["id"] = f"part-{partition:05d}:{n}"
    return to_json(value)


def to_json(value):
    """One JSONL line, compact and in UTF-8 as dateline writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_tail(file, limit=4000):
    file.seek(0)
    data = file.read()
    file.close()
    text = data.decode("utf-8", "replace").strip()
    return text[-limit:] if text else "(no message on stderr)"


def txt_record(text_field):
    """Maps (path, bytes) of a .txt file to a JSONL line, or to its error record."""

    def build(item):
        doc_id, data = item
        # A byte-order mark is an encoding marker, not text (as in dateline).
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            error = {"kind": "invalid_utf8", "message": f"invalid UTF-8 at byte {e.start}"}
            return (to_json({"id": doc_id, "error": error}),)
        return to_json({"id": doc_id, text_field: text})

    return build


def read_txt(sc, directory, partitions):
    """A directory's .txt files, recursively, as (id, bytes) with dateline's ids."""
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(directory)
    root = path.getFileSystem(conf).makeQualified(path).toString().rstrip("/") + "/"
    files = sc.binaryFiles(directory, minPartitions=partitions)

    def relative(item):
        path, data = item
        if not path.startswith(root):
            raise ValueError(f"{path} is not under {root}")
        return path[len(root):], data

    return files.filter(lambda item: item[0].endswith(".txt")).map(relative)


def main(argv):
    args = parse_args(argv)
    builder = (
        SparkSession.builder.appName("dateline")
        .config("spark.ui.showConsoleProgress", "false")
        # dateline's .txt inputs are searched recursively, as `dateline run DIR` does.
        .config("spark.hadoop.mapreduce.input.fileinputformat.input.dir.recursive", "true")
    )
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    try:
        run(spark, sc, args)
    finally:
        spark.stop()


def run(spark, sc, args):
    binary = ship(sc, args.dateline) if args.dateline else BINARY
    options = []
    if args.stages:
        options += ["--stages", args.stages]
    if args.offsets:
        options += ["--offsets", args.offsets]
    if args.text_field != "text":
        options += ["--text-field", args.text_field]
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    options += ["--threads", str(threads)]
    shipped = [("--gazetteer", ship(sc, g)) for g in args.gazetteer]
    if args.model:
        shipped.append(("--model", ship(sc, args.model)))

    inputs = []
    for path in args.jsonl:
        inputs.append(sc.textFile(path, minPartitions=args.partitions))
    for directory in args.txt:
        inputs.append(read_txt(sc, directory, args.partitions).map(txt_record(args.text_field)))
    records = inputs[0] if len(inputs) == 1 else sc.union(inputs)

    annotated = records.mapPartitionsWithIndex(Annotate(binary, options, shipped))
    if args.parquet:
        # The Parquet writer reads the records twice (schema inference, then
        # the write), and the JSONL output once more: annotate only once.
        annotated = annotated.persist(StorageLevel.MEMORY_AND_DISK)
    if args.output:
        if args.overwrite:
            delete_path(sc, args.output)
        codec = GZIP if args.compress else None
        annotated.saveAsTextFile(args.output, compressionCodecClass=codec)
    if args.parquet:
        # The schema is inferred from the records: dateline's layers plus
        # whatever fields the input carried through.
        table = spark.read.json(annotated)
        # Inference sorts the columns by name; put them in the records' order.
        first = ["id", "text", "tokens", "sentences", "entities", "error"]
        first = [c for c in first if c in table.columns]
        table = table.select(*first, *[c for c in table.columns if c not in first])
        table.write.mode("overwrite" if args.overwrite else "errorifexists").parquet(args.parquet)
    partitions = records.getNumPartitions()
    print(
        f"dateline_spark: {partitions} partitions annotated"
        + (f"; JSONL in {args.output}" if args.output else "")
        + (f"; Parquet in {args.parquet}" if args.parquet else ""),
        file=sys.stderr,
    )


def delete_path(sc, path):
    jvm = sc._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    hpath.getFileSystem(sc._jsc.hadoopConfiguration()).delete(hpath, True)


if __name__ == "__main__":
    main(sys.argv[1:])
