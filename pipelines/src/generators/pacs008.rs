//! `mez gen pacs008`: realistic pacs.008 files for tests, demos and benchmarks.
//!
//! Two kinds of files, both valid against the official XSDs:
//!
//! - **STEP2-style bulk** (`bulk-NNNN.xml`): one pacs.008.001.02 message per file, sent by
//!   one bank, `SttlmMtd` CLRG through `ClrSys/Prtry` ST2, `SvcLvl` SEPA, `ChrgBr` SLEV,
//!   IBANs and BICs (tag `BIC`), many transactions; settlement participants come from the
//!   debtor and creditor agents. Parties carry a country and two address lines, and each
//!   transaction a purpose code and remittance text, as SEPA credit transfers do: about
//!   1 KB per transaction, like the real samples (1–3 KB, indented).
//! - **CBPR+ singles** (`cbpr-NNNN.xml`): a SWIFT `Envelope` holding a head.001.001.02
//!   `AppHdr` and a pacs.008.001.08 `Document` with one transaction, instructing and
//!   instructed agents (`BICFI`), structured postal addresses and a UETR.
//!
//! Optional faults: `duplicates` re-sends CBPR+ files under a new name (same UETR) and
//! repeats bulk transactions (same message, end-to-end and transaction ids); `conflicts`
//! sends CBPR+ singles again with the same UETR but another amount (`cbpr-NNNN-amended.xml`,
//! counted from the last single, an identity conflict); `invalid`
//! gives bulk transactions an amount with too many decimals or an unknown currency, both
//! still XSD-valid, so only our checks catch them. Output is a pure function of the
//! parameters: every file has its own generator seeded from (seed, file number), so the
//! thread count does not matter.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::generators::SplitMix64;

/// Generator parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenParams {
    pub transactions: u64,
    pub banks: u32,
    pub currencies: Vec<String>,
    /// Number of bulk files.
    pub files: u32,
    /// CBPR+ single-transaction files (taken out of `transactions`).
    pub singles: u32,
    pub duplicates: u32,
    /// CBPR+ singles sent again with the same UETR and another amount.
    pub conflicts: u32,
    pub invalid: u32,
    pub seed: u64,
    /// Settlement date, `YYYY-MM-DD`.
    pub value_date: String,
}

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    #[error("{path}: {reason}", path = path.display())]
    Io { path: PathBuf, reason: String },
    #[error("invalid parameters: {0}")]
    Params(String),
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<PathBuf>,
    pub transactions: u64,
    pub bytes: u64,
}

const COUNTRIES: [&str; 8] = ["DE", "FR", "NL", "GB", "AE", "SG", "PK", "KZ"];
/// A town and a postcode pattern (`#` a digit) per entry of [`COUNTRIES`].
const TOWNS: [(&str, &str); 8] = [
    ("Frankfurt am Main", "60###"),
    ("Lyon", "690##"),
    ("Rotterdam", "30## AB"),
    ("Manchester", "M# #QD"),
    ("Dubai", "#####"),
    ("Singapore", "0#####"),
    ("Karachi", "74###"),
    ("Almaty", "0500##"),
];
const STREETS: [&str; 8] = [
    "Market Street",
    "Station Road",
    "Harbour View",
    "Industrial Avenue",
    "Park Lane",
    "Commerce Boulevard",
    "River Walk",
    "Trade Centre Road",
];
/// ISO 20022 external purpose codes common in commercial credit transfers.
const PURPOSES: [&str; 6] = ["SUPP", "GDDS", "SCVE", "SALA", "TRAD", "RENT"];
const FIRST: [&str; 12] = [
    "Amina", "Bilal", "Chen", "Dana", "Elif", "Farah", "Goran", "Hana", "Ivan", "Jamal", "Kira",
    "Luca",
];
const LAST: [&str; 10] = [
    "Rahman", "Schmidt", "Dubois", "Okafor", "Tanaka", "Novak", "Haddad", "Silva", "Ivanova",
    "Khan",
];
const COMPANY: [&str; 6] = [
    "Trading",
    "Logistics",
    "Holdings",
    "Textiles",
    "Energy",
    "Foods",
];
const FORM: [&str; 6] = ["Ltd", "GmbH", "LLC", "S.A.", "PJSC", "& Sons"];

/// The BIC of bank `i`: `B` + three letters + country + `2L` + `XXX`.
pub fn bank_bic(i: u32) -> String {
    let letter = |n: u32| char::from(b'A' + (n % 26) as u8);
    format!(
        "B{}{}{}{}2LXXX",
        letter(i / 676),
        letter(i / 26),
        letter(i),
        COUNTRIES[(i as usize) % COUNTRIES.len()]
    )
}

fn minor_exponent(currency: &str) -> u8 {
    ingest::currency::exponent(currency).unwrap_or(2)
}

fn amount_text(minor: i64, currency: &str) -> String {
    ingest::currency::format_minor(minor, currency).replace('-', "")
}

fn party_name(rng: &mut SplitMix64) -> String {
    if rng.below(3) == 0 {
        format!(
            "{} {} {}",
            LAST[rng.below(10) as usize],
            COMPANY[rng.below(6) as usize],
            FORM[rng.below(6) as usize]
        )
    } else {
        format!(
            "{} {}",
            FIRST[rng.below(12) as usize],
            LAST[rng.below(10) as usize]
        )
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A street address: (street and number, postcode, town) in the country at `country`.
fn address(rng: &mut SplitMix64, country: usize) -> (String, String, &'static str) {
    let (town, pattern) = TOWNS[country % TOWNS.len()];
    let street = format!(
        "{} {}",
        STREETS[rng.below(STREETS.len() as u64) as usize],
        1 + rng.below(180)
    );
    let postcode = pattern
        .chars()
        .map(|c| {
            if c == '#' {
                char::from(b'0' + rng.below(10) as u8)
            } else {
                c
            }
        })
        .collect();
    (street, postcode, town)
}

/// Unstructured remittance text as payers write it: invoice, date, customer and order
/// references (at most 140 characters, the schema's limit).
fn remittance(rng: &mut SplitMix64, date: &str) -> String {
    format!(
        "Invoice {} of {date}, customer {:06}, order PO-{:07}, net 30 days",
        rng.below(1_000_000),
        rng.below(1_000_000),
        rng.below(10_000_000)
    )
}

fn iban(rng: &mut SplitMix64, country: &str) -> String {
    let mut s = format!("{country}{:02}", rng.below(100));
    for _ in 0..18 {
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    s
}

fn uetr(rng: &mut SplitMix64) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// A transaction amount in minor units: log-uniform from 1.00 to 1,000,000.00 (scaled to
/// the currency's minor unit).
fn amount_minor(rng: &mut SplitMix64, currency: &str) -> i64 {
    let digits = 2 + rng.below(7) as u32;
    let base = 10i64.pow(digits - 1) + rng.below(9 * 10u64.pow(digits - 1)) as i64;
    let e = minor_exponent(currency);
    if e >= 2 {
        base * 10i64.pow(u32::from(e) - 2)
    } else {
        (base / 10i64.pow(2 - u32::from(e))).max(1)
    }
}

/// Writes every file into `out`.
pub fn generate(out: &Path, params: &GenParams) -> Result<Generated, GenError> {
    if params.banks < 2 {
        return Err(GenError::Params("--banks must be at least 2".into()));
    }
    if params.currencies.is_empty() {
        return Err(GenError::Params(
            "--currencies must name at least one currency".into(),
        ));
    }
    for c in &params.currencies {
        ingest::currency::exponent(c).map_err(|e| GenError::Params(e.to_string()))?;
    }
    if ingest::pacs008::parse_date(&params.value_date).is_none() {
        return Err(GenError::Params(format!(
            "value date {:?} is not YYYY-MM-DD",
            params.value_date
        )));
    }
    let singles = u64::from(params.singles).min(params.transactions);
    let bulk_total = params.transactions - singles;
    if bulk_total > 0 && params.files == 0 {
        return Err(GenError::Params(
            "--files must be at least 1 for bulk transactions".into(),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| GenError::Io {
        path: out.to_owned(),
        reason: e.to_string(),
    })?;
    let per_file = |i: u32| {
        bulk_total / u64::from(params.files.max(1))
            + u64::from(u64::from(i) < bulk_total % u64::from(params.files.max(1)))
    };
    let files = if bulk_total > 0 { params.files } else { 0 };
    // Duplicates: half as re-sent CBPR+ files (when there are singles), the rest as
    // repeated transactions spread over the bulk files.
    let resend = if files > 0 {
        (params.duplicates / 2).min(singles as u32)
    } else {
        params.duplicates.min(singles as u32)
    };
    let repeats = if files > 0 {
        params.duplicates - resend
    } else {
        0
    };
    let bulk: Vec<Result<(PathBuf, u64, u64), GenError>> = (0..files)
        .into_par_iter()
        .map(|i| {
            let path = out.join(format!("bulk-{i:04}.xml"));
            let invalid = spread(params.invalid, files, i);
            let dups = spread(repeats, files, i);
            let (xml, n) = bulk_file(params, i, per_file(i), invalid, dups);
            let bytes = write_file(&path, xml.as_bytes())?;
            Ok((path, n, bytes))
        })
        .collect();
    let single: Vec<Result<(PathBuf, u64, u64), GenError>> = (0..singles as u32)
        .into_par_iter()
        .map(|i| {
            let path = out.join(format!("cbpr-{i:04}.xml"));
            let xml = cbpr_single(params, i, false);
            let bytes = write_file(&path, xml.as_bytes())?;
            Ok((path, 1, bytes))
        })
        .collect();
    // Amended CBPR+ singles: the same UETR, another amount, counted from the last single.
    let amended: Vec<Result<(PathBuf, u64, u64), GenError>> =
        (0..params.conflicts.min(singles as u32))
            .into_par_iter()
            .map(|k| {
                let i = singles as u32 - 1 - k;
                let path = out.join(format!("cbpr-{i:04}-amended.xml"));
                let bytes = write_file(&path, cbpr_single(params, i, true).as_bytes())?;
                Ok((path, 1, bytes))
            })
            .collect();
    let mut generated = Generated {
        files: Vec::new(),
        transactions: 0,
        bytes: 0,
    };
    for r in bulk.into_iter().chain(single).chain(amended) {
        let (path, n, bytes) = r?;
        generated.files.push(path);
        generated.transactions += n;
        generated.bytes += bytes;
    }
    // Re-sent CBPR+ files: the same message under another name (same UETR).
    for i in 0..resend {
        let from = out.join(format!("cbpr-{i:04}.xml"));
        let path = out.join(format!("cbpr-{i:04}-resent.xml"));
        let bytes = std::fs::read(&from).map_err(|e| GenError::Io {
            path: from.clone(),
            reason: e.to_string(),
        })?;
        generated.bytes += write_file(&path, &bytes)?;
        generated.transactions += 1;
        generated.files.push(path);
    }
    generated.files.sort();
    Ok(generated)
}

/// How many of `total` faults file `i` of `files` gets.
fn spread(total: u32, files: u32, i: u32) -> u32 {
    match (total.checked_div(files), total.checked_rem(files)) {
        (Some(each), Some(rest)) => each + u32::from(i < rest),
        _ => 0,
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<u64, GenError> {
    let io = |e: std::io::Error| GenError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(bytes.len() as u64)
}

fn bulk_file(params: &GenParams, index: u32, count: u64, invalid: u32, dups: u32) -> (String, u64) {
    let mut rng =
        SplitMix64::new(params.seed ^ (u64::from(index) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let sender = index % params.banks;
    let currency = &params.currencies[index as usize % params.currencies.len()];
    let msg_id = format!("ST2-{:08X}-{index:04}", params.seed as u32);
    let mut body = String::with_capacity((count as usize + dups as usize) * 1000);
    let mut total: i64 = 0;
    let mut emitted = 0u64;
    let mut last_tx: Option<(String, i64)> = None;
    for t in 0..count {
        let mut payee = rng.below(u64::from(params.banks - 1)) as u32;
        if payee >= sender {
            payee += 1;
        }
        let minor = amount_minor(&mut rng, currency);
        let (ccy, amount, valid) = if t < u64::from(invalid) {
            if t % 2 == 0 {
                // One decimal more than the currency has: XSD-valid, refused by us.
                let text = amount_text(minor, currency);
                let text = if minor_exponent(currency) == 0 {
                    format!("{text}.5")
                } else {
                    format!("{text}1")
                };
                (currency.clone(), text, false)
            } else {
                ("EUX".to_owned(), amount_text(minor, currency), false)
            }
        } else {
            (currency.clone(), amount_text(minor, currency), true)
        };
        if valid {
            total += minor;
        }
        let tx = bulk_tx(
            &mut rng,
            &params.value_date,
            &msg_id,
            t,
            &ccy,
            &amount,
            sender,
            payee,
        );
        body.push_str(&tx);
        last_tx = valid.then_some((tx, minor));
        emitted += 1;
    }
    // Repeated transactions: the same ids again in the same message; the header counts
    // them as sent.
    if let Some((tx, minor)) = &last_tx {
        for _ in 0..dups {
            body.push_str(tx);
            total += minor;
            emitted += 1;
        }
    }
    let mut xml = String::with_capacity(body.len() + 1024);
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02\">\n<FIToFICstmrCdtTrf>\n<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>{date}T06:00:00</CreDtTm><NbOfTxs>{emitted}</NbOfTxs><TtlIntrBkSttlmAmt Ccy=\"{currency}\">{total}</TtlIntrBkSttlmAmt><IntrBkSttlmDt>{date}</IntrBkSttlmDt><SttlmInf><SttlmMtd>CLRG</SttlmMtd><ClrSys><Prtry>ST2</Prtry></ClrSys></SttlmInf><PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf><InstgAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></InstgAgt></GrpHdr>\n",
        date = params.value_date,
        total = amount_text(total, currency),
        bic = bank_bic(sender),
    );
    xml.push_str(&body);
    xml.push_str("</FIToFICstmrCdtTrf>\n</Document>\n");
    (xml, emitted)
}

#[allow(clippy::too_many_arguments)]
fn bulk_tx(
    rng: &mut SplitMix64,
    date: &str,
    msg_id: &str,
    t: u64,
    ccy: &str,
    amount: &str,
    payer: u32,
    payee: u32,
) -> String {
    let (dc, cc) = (
        COUNTRIES[payer as usize % COUNTRIES.len()],
        COUNTRIES[payee as usize % COUNTRIES.len()],
    );
    let (ds, dp, dt) = address(rng, payer as usize % COUNTRIES.len());
    let (cs, cp, ct) = address(rng, payee as usize % COUNTRIES.len());
    format!(
        "<CdtTrfTxInf><PmtId><InstrId>{msg_id}-{t}</InstrId><EndToEndId>E2E-{t:010}</EndToEndId><TxId>TX-{msg_id}-{t}</TxId></PmtId><IntrBkSttlmAmt Ccy=\"{ccy}\">{amount}</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr><Dbtr><Nm>{dn}</Nm><PstlAdr><Ctry>{dc}</Ctry><AdrLine>{ds}</AdrLine><AdrLine>{dp} {dt}</AdrLine></PstlAdr></Dbtr><DbtrAcct><Id><IBAN>{di}</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>{db}</BIC></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><BIC>{cb}</BIC></FinInstnId></CdtrAgt><Cdtr><Nm>{cn}</Nm><PstlAdr><Ctry>{cc}</Ctry><AdrLine>{cs}</AdrLine><AdrLine>{cp} {ct}</AdrLine></PstlAdr></Cdtr><CdtrAcct><Id><IBAN>{ci}</IBAN></Id></CdtrAcct><Purp><Cd>{purpose}</Cd></Purp><RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></CdtTrfTxInf>\n",
        dn = escape(&party_name(rng)),
        di = iban(rng, dc),
        db = bank_bic(payer),
        cb = bank_bic(payee),
        cn = escape(&party_name(rng)),
        ci = iban(rng, cc),
        purpose = PURPOSES[rng.below(PURPOSES.len() as u64) as usize],
        ustrd = remittance(rng, date),
    )
}

/// CBPR+ single number `index`; `amended`: the same payment (same UETR, parties and ids)
/// with another amount.
fn cbpr_single(params: &GenParams, index: u32, amended: bool) -> String {
    let mut rng = SplitMix64::new(
        params.seed.rotate_left(17) ^ (u64::from(index) + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
    );
    let payer = rng.below(u64::from(params.banks)) as u32;
    let mut payee = rng.below(u64::from(params.banks - 1)) as u32;
    if payee >= payer {
        payee += 1;
    }
    let currency = &params.currencies[rng.below(params.currencies.len() as u64) as usize];
    let minor = amount_minor(&mut rng, currency);
    let minor = if amended {
        minor + minor / 10 + 1
    } else {
        minor
    };
    let amount = amount_text(minor, currency);
    let (pb, qb) = (bank_bic(payer), bank_bic(payee));
    let id = format!("CBPR-{:08X}-{index:06}", params.seed as u32);
    let date = &params.value_date;
    let (ds, dp, dt) = address(&mut rng, payer as usize % COUNTRIES.len());
    let (cs, cp, ct) = address(&mut rng, payee as usize % COUNTRIES.len());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Envelope xmlns=\"urn:swift:xsd:envelope\">\n<AppHdr xmlns=\"urn:iso:std:iso:20022:tech:xsd:head.001.001.02\"><Fr><FIId><FinInstnId><BICFI>{pb}</BICFI></FinInstnId></FIId></Fr><To><FIId><FinInstnId><BICFI>{qb}</BICFI></FinInstnId></FIId></To><BizMsgIdr>{id}</BizMsgIdr><MsgDefIdr>pacs.008.001.08</MsgDefIdr><BizSvc>swift.cbprplus.02</BizSvc><CreDt>{date}T07:00:00Z</CreDt></AppHdr>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf><GrpHdr><MsgId>{id}</MsgId><CreDtTm>{date}T07:00:00+00:00</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr><CdtTrfTxInf><PmtId><InstrId>{id}</InstrId><EndToEndId>E2E-{id}</EndToEndId><UETR>{uetr}</UETR></PmtId><IntrBkSttlmAmt Ccy=\"{currency}\">{amount}</IntrBkSttlmAmt><IntrBkSttlmDt>{date}</IntrBkSttlmDt><ChrgBr>SHAR</ChrgBr><InstgAgt><FinInstnId><BICFI>{pb}</BICFI></FinInstnId></InstgAgt><InstdAgt><FinInstnId><BICFI>{qb}</BICFI></FinInstnId></InstdAgt><Dbtr><Nm>{dn}</Nm><PstlAdr><StrtNm>{ds}</StrtNm><PstCd>{dp}</PstCd><TwnNm>{dt}</TwnNm><Ctry>{dc}</Ctry></PstlAdr></Dbtr><DbtrAcct><Id><Othr><Id>{da}</Id></Othr></Id></DbtrAcct><DbtrAgt><FinInstnId><BICFI>{pb}</BICFI></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><BICFI>{qb}</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>{cn}</Nm><PstlAdr><StrtNm>{cs}</StrtNm><PstCd>{cp}</PstCd><TwnNm>{ct}</TwnNm><Ctry>{cc}</Ctry></PstlAdr></Cdtr><CdtrAcct><Id><Othr><Id>{ca}</Id></Othr></Id></CdtrAcct><Purp><Cd>{purpose}</Cd></Purp><RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>\n</Envelope>\n",
        uetr = uetr(&mut rng),
        dn = escape(&party_name(&mut rng)),
        dc = COUNTRIES[payer as usize % COUNTRIES.len()],
        da = rng.below(1_000_000_000),
        cn = escape(&party_name(&mut rng)),
        cc = COUNTRIES[payee as usize % COUNTRIES.len()],
        ca = rng.below(1_000_000_000),
        purpose = PURPOSES[rng.below(PURPOSES.len() as u64) as usize],
        ustrd = remittance(&mut rng, date),
    )
}
