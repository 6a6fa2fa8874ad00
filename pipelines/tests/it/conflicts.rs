//! `mez netting run` on a generated day with identity conflicts (amended payments re-using
//! a UETR) and beside a compressed bomb: nothing is dropped silently, and one hostile file
//! costs only itself.

use std::io::Write;
use std::path::Path;

use crate::{mez_command, succeeded, succeeded_json};

/// A generated day: 800 transactions, 6 singles, 2 of them re-sent and 3 amended.
fn day(dir: &Path) {
    succeeded(
        &mez_command(dir)
            .args([
                "gen",
                "pacs008",
                "--out",
                "day",
                "--transactions",
                "800",
                "--banks",
                "5",
                "--files",
                "3",
                "--singles",
                "6",
                "--duplicates",
                "4",
                "--conflicts",
                "3",
                "--currencies",
                "EUR,USD",
            ])
            .output()
            .unwrap(),
    );
    succeeded(
        &mez_command(dir)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
}

fn net(dir: &Path, store: &str, extra: &[&str]) -> std::process::Output {
    mez_command(dir)
        .args([
            "--json", "--store", store, "--key", "ops.key", "netting", "run",
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// One number from `mez sql` over `store`.
fn number(dir: &Path, store: &str, query: &str) -> i64 {
    let rows = succeeded_json(
        &mez_command(dir)
            .args(["--json", "--store", store, "--key", "ops.key", "sql", query])
            .output()
            .unwrap(),
    );
    let row = rows[0].as_object().unwrap();
    row.values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn amended_payments_are_held_or_kept_never_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    day(d);
    // Held (the default): exit 0, every payment of the three UETRs listed and quarantined.
    let held = succeeded_json(&net(d, "held", &["--input", "day"]));
    assert_eq!(held["tables"]["conflicts"]["rows"], 6);
    assert_eq!(held["tables"]["duplicates"]["rows"], 4);
    let conflicting = number(
        d,
        "held",
        "SELECT count(*) FROM quarantine WHERE reason LIKE 'identity conflict:%used by 2 payments with 2 different contents%'",
    );
    assert_eq!(conflicting, 6);
    assert_eq!(
        number(
            d,
            "held",
            "SELECT count(DISTINCT identity) FROM conflicts WHERE status = 'held'"
        ),
        3
    );
    // The original and its amendment: two variants of each identity, each row as the
    // payments table has it (same file, offset and amount).
    assert_eq!(
        number(
            d,
            "held",
            "SELECT count(*) FROM conflicts c JOIN payments p USING (source_file, file_digest, byte_offset) \
             WHERE p.amount_minor = c.amount_minor AND c.variants = 2"
        ),
        6
    );
    assert_eq!(
        number(
            d,
            "held",
            "SELECT count(*) FROM (SELECT identity FROM conflicts GROUP BY identity \
             HAVING count(DISTINCT variant) = 2 AND count(DISTINCT amount_minor) = 2)"
        ),
        3
    );
    // --strict: held conflicts are quarantined records, exit 1.
    let strict = net(d, "strict", &["--input", "day", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));

    // keep-all: each content netted once; the gross grows by exactly the six payments.
    let kept = succeeded_json(&net(
        d,
        "kept",
        &["--input", "day", "--conflicts", "keep-all"],
    ));
    assert_eq!(kept["tables"]["conflicts"]["rows"], 6);
    assert_eq!(
        number(
            d,
            "kept",
            "SELECT count(*) FROM conflicts WHERE status = 'netted'"
        ),
        6
    );
    let gross = |store: &str| number(d, store, "SELECT sum(gross_minor) FROM efficiency");
    let held_amounts = number(d, "held", "SELECT sum(amount_minor) FROM conflicts");
    assert_eq!(gross("kept"), gross("held") + held_amounts);
    // Positions still sum to zero in every bucket, under both rules.
    for store in ["held", "kept"] {
        assert_eq!(
            number(
                d,
                store,
                "SELECT count(*) FROM (SELECT sum(net_minor) AS s FROM multilateral GROUP BY ALL HAVING s <> 0)"
            ),
            0
        );
    }
}

/// A gzip bomb (a document whose message id is 256 MiB of one letter, 250 KB stored) among
/// the files of a day: refused by name at its offset, and the day nets exactly as without
/// it. With `--max-decompressed` below the bomb's size, it is refused for that instead.
#[test]
fn a_compressed_bomb_is_refused_and_the_rest_of_the_day_nets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    day(d);
    let alone = succeeded_json(&net(d, "alone", &["--input", "day"]));
    let bombs = d.join("bombs");
    std::fs::create_dir_all(&bombs).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(bombs.join("bomb.xml.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(
            b"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">\
              <FIToFICstmrCdtTrf><GrpHdr><MsgId>",
        )
        .unwrap();
    let letters = vec![b'A'; 1 << 20];
    for _ in 0..256 {
        encoder.write_all(&letters).unwrap();
    }
    encoder
        .write_all(b"</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>")
        .unwrap();
    encoder.finish().unwrap();
    let with_bomb = succeeded_json(&net(d, "bomb", &["--input", "day", "bombs"]));
    for table in [
        "bilateral",
        "multilateral",
        "legs",
        "efficiency",
        "duplicates",
        "conflicts",
    ] {
        assert_eq!(
            with_bomb["tables"][table], alone["tables"][table],
            "{table}"
        );
    }
    assert_eq!(
        with_bomb["quarantined"].as_u64().unwrap(),
        alone["quarantined"].as_u64().unwrap() + 1
    );
    let reason = |store: &str| {
        let rows = succeeded_json(
            &mez_command(d)
                .args([
                    "--json",
                    "--store",
                    store,
                    "--key",
                    "ops.key",
                    "sql",
                    "SELECT source_file, element_path, byte_offset, reason FROM quarantine WHERE source_file = 'bomb.xml.gz'",
                ])
                .output()
                .unwrap(),
        );
        rows[0].clone()
    };
    let refused = reason("bomb");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("a field value longer than 1048576 bytes"),
        "{refused}"
    );
    assert!(
        refused["element_path"]
            .as_str()
            .unwrap()
            .ends_with("/MsgId"),
        "{refused}"
    );
    let small = succeeded_json(&net(
        d,
        "small",
        &[
            "--input",
            "day",
            "bombs",
            "--max-decompressed",
            "65536",
            "--max-field",
            "100000000",
        ],
    ));
    assert_eq!(small["tables"]["bilateral"], alone["tables"]["bilateral"]);
    let refused = reason("small");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("decompresses to more than 65536 bytes"),
        "{refused}"
    );
}
