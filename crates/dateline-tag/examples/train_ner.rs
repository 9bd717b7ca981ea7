//! Trains the entity model: `cargo xtask train-ner` runs this in release
//! mode. Arguments: `DATA_DIR GAZETTEER_DIR OUT_FILE [EPOCHS [BITS [RUNS]]]`, where
//! `DATA_DIR` holds CoNLL-2003 `train.txt`, `dev.txt` and `test.txt`.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use dateline_tag::train::{evaluate, read_conll, train, TrainConfig};
use dateline_tag::Model;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, gazetteers, out, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: train-ner DATA_DIR GAZETTEER_DIR OUT_FILE [EPOCHS [BITS [RUNS]]]".into(),
        );
    };
    let mut config = TrainConfig::default();
    if let Some(e) = rest.first() {
        config.epochs = e.parse()?;
    }
    if let Some(b) = rest.get(1) {
        config.bits = b.parse()?;
    }
    if let Some(r) = rest.get(2) {
        config.runs = r.parse()?;
    }
    let data = PathBuf::from(data);
    let read = |name: &str| -> Result<_, Box<dyn Error>> {
        let path = data.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(read_conll(&text))
    };
    let (train_docs, dev_docs, test_docs) =
        (read("train.txt")?, read("dev.txt")?, read("test.txt")?);
    println!(
        "train {} documents, dev {}, test {}; {config:?}",
        train_docs.len(),
        dev_docs.len(),
        test_docs.len()
    );
    let started = Instant::now();
    let trained = train(
        &config,
        gazetteers.as_ref(),
        &train_docs,
        &dev_docs,
        |epoch, scores| {
            println!(
                "epoch {epoch:2}  {:6.1}s  dev {scores}",
                started.elapsed().as_secs_f64()
            );
        },
    )?;
    let elapsed = started.elapsed();
    std::fs::write(out, &trained.bytes)?;
    let model = Model::from_bytes(&trained.bytes)?;
    println!(
        "best epoch {}: dev {}\ntrained in {:.1}s; wrote {} ({} bytes)",
        trained.best_epoch,
        trained.dev,
        elapsed.as_secs_f64(),
        out,
        trained.bytes.len()
    );
    println!("{model:?}");
    // The best of five runs: the machine is shared, so slower runs measure
    // other people's builds.
    let mut secs = f64::INFINITY;
    let mut test = evaluate(&model, &test_docs);
    for _ in 0..5 {
        let timer = Instant::now();
        test = evaluate(&model, &test_docs);
        secs = secs.min(timer.elapsed().as_secs_f64());
    }
    let tokens: usize = test_docs
        .iter()
        .flat_map(|d| &d.sentences)
        .map(|s| s.words.len())
        .sum();
    println!("test {test}");
    println!(
        "tagged {tokens} test tokens in {:.3}s: {:.0} tokens/s (model pass, one thread, token hashing included)",
        secs,
        tokens as f64 / secs
    );
    Ok(())
}
