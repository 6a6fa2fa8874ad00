//! `mez gen sources`: a sources folder for `mez nightly` and a zone's tensor inputs, made
//! up for every zone of a jurisdictions folder, deterministic for a seed.
//!
//! - `lists/<list-id>/<list-id>.csv`: a custom-format list of generated people and
//!   companies with aliases, dates of birth and countries (the official formats are the
//!   real lists' business; this keeps the demo self-contained);
//! - `law/<zone-id>/*.xml`: small Akoma Ntoso 3.0 acts (chapters, sections, subsections);
//! - `licences/<zone-id>.csv`: a licence register, for zones that have one;
//! - `entities/<zone-id>.csv` and `attestations/<zone-id>.csv`: the zone's firms and their
//!   attestations (some expired, one unreadable), and a few firms that share a listed name,
//!   so that screening has something to find.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::generators::SplitMix64;
use crate::generators::names as gen_names;
use crate::zone::{self, LoadedZone};

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedSources {
    pub files: Vec<PathBuf>,
    pub zones: usize,
}

fn write(out: &mut GeneratedSources, path: PathBuf, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, text)?;
    out.files.push(path);
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The names every list carries whatever the seed, so that screening always finds them.
const LISTED: &[(&str, &str)] = &[
    ("Orion Bay Trading LLC", "entity"),
    ("Viktor Aleksandrovich Morozov", "individual"),
    ("Red Lantern Shipping Ltd", "entity"),
];

fn list_csv(rng: &mut SplitMix64, list: &str, entries: usize) -> String {
    let mut s = String::from("id,name,type,aliases,dob,countries,programs\n");
    for (i, (name, kind)) in LISTED.iter().enumerate() {
        let _ = writeln!(s, "{list}-F{i},{},{kind},,,,DEMO", csv_field(name));
    }
    for i in 0..entries {
        let name = gen_names::name(rng);
        let person = !name.contains(['.', ','])
            && ![
                "LLC", "Ltd", "Limited", "GmbH", "AG", "PLC", "FZE", "FZCO", "JSC", "LLP", "SARL",
                "Corp.", "Inc.",
            ]
            .iter()
            .any(|f| name.ends_with(f));
        let alias = if rng.below(3) == 0 {
            gen_names::name(rng)
        } else {
            String::new()
        };
        let dob = if person {
            gen_names::birth_date(rng).unwrap_or_default()
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{list}-{i:05},{},{},{},{dob},,DEMO",
            csv_field(&name),
            if person { "individual" } else { "entity" },
            csv_field(&alias)
        );
    }
    s
}

fn akn_act(zone: &LoadedZone, number: usize, rng: &mut SplitMix64) -> String {
    let cc = zone.zone.jurisdiction_id[..2].to_ascii_lowercase();
    let work = format!("/akn/{cc}/act/2026/{number}");
    let mut body = String::new();
    let chapters = 2 + rng.below(3) as usize;
    for c in 1..=chapters {
        let _ = write!(
            body,
            "<chapter eId=\"chp_{c}\"><num>{c}</num><heading>Part {c} of the {} rules</heading>",
            zone.zone.name
        );
        for sec in 1..=(2 + rng.below(4) as usize) {
            let _ = write!(
                body,
                "<section eId=\"chp_{c}__sec_{sec}\"><num>{sec}.</num><heading>Duty {c}.{sec}</heading>\
                 <subsection eId=\"chp_{c}__sec_{sec}__subsec_1\"><num>(1)</num><content><p>A licensed person \
                 shall keep records of every transaction for {} years.</p></content></subsection>\
                 <subsection eId=\"chp_{c}__sec_{sec}__subsec_2\"><num>(2)</num><content><p>The Authority may \
                 inspect those records at any time.</p></content></subsection></section>",
                3 + rng.below(8)
            );
        }
        body.push_str("</chapter>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<akomaNtoso xmlns=\"http://docs.oasis-open.org/legaldocml/ns/akn/3.0\"><act name=\"act\"><meta>\
<identification source=\"#mez\"><FRBRWork><FRBRthis value=\"{work}/!main\"/><FRBRuri value=\"{work}\"/>\
<FRBRdate date=\"2026-01-01\" name=\"Generation\"/><FRBRauthor href=\"#authority\"/><FRBRcountry value=\"{cc}\"/></FRBRWork>\
<FRBRExpression><FRBRthis value=\"{work}/eng@2026-01-01/!main\"/><FRBRuri value=\"{work}/eng@2026-01-01\"/>\
<FRBRdate date=\"2026-01-01\" name=\"Generation\"/><FRBRauthor href=\"#authority\"/><FRBRlanguage language=\"eng\"/></FRBRExpression>\
<FRBRManifestation><FRBRthis value=\"{work}/eng@2026-01-01/!main.xml\"/><FRBRuri value=\"{work}/eng@2026-01-01.xml\"/>\
<FRBRdate date=\"2026-01-01\" name=\"Generation\"/><FRBRauthor href=\"#mez\"/></FRBRManifestation></identification></meta>\
<preface><p><docTitle>{} Act No. {number} of 2026 (generated)</docTitle></p></preface><body>{body}</body></act></akomaNtoso>\n",
        zone.zone.name
    )
}

const ACTIVITIES: &[&str] = &[
    "dealing in investments",
    "accepting deposits",
    "providing custody",
    "arranging credit",
    "operating a payment service",
    "managing assets",
];

fn day(days: i64) -> String {
    crate::jobs::tensor::run::iso_date(i32::try_from(days).unwrap_or(0))
}

/// Writes a sources folder for every zone under `jurisdictions` into `out`.
pub fn generate(
    jurisdictions: &Path,
    out_dir: &Path,
    seed: u64,
    entities_per_zone: usize,
) -> Result<GeneratedSources, Box<dyn std::error::Error + Send + Sync>> {
    let zones = zone::load_all(jurisdictions)?;
    let mut out = GeneratedSources {
        zones: zones.len(),
        ..GeneratedSources::default()
    };
    let mut rng = SplitMix64::new(seed);
    let mut lists: Vec<&str> = zones
        .iter()
        .flat_map(|z| z.zone.sanctions_lists.iter().map(String::as_str))
        .collect();
    lists.sort_unstable();
    lists.dedup();
    for list in lists {
        let text = list_csv(&mut rng, list, 300);
        write(
            &mut out,
            out_dir.join("lists").join(list).join(format!("{list}.csv")),
            &text,
        )?;
    }
    // 2026-01-01 is day 20454.
    let base = 20_454i64;
    for z in &zones {
        let id = &z.zone.zone_id;
        for n in 1..=2 {
            let act = akn_act(z, n, &mut rng);
            write(
                &mut out,
                out_dir.join("law").join(id).join(format!("act-{n}.xml")),
                &act,
            )?;
        }
        let mut entities = String::from("entity_id,name,jurisdiction_id\n");
        let mut attestations = String::from("entity_id,domain,state,expires\n");
        let mut licences = String::from(
            "licence_id,holder,holder_name,type,status,valid_from,valid_to,activities\n",
        );
        for i in 0..entities_per_zone {
            let entity = format!("{id}-{i:05}");
            let name = match LISTED.get(i) {
                Some((listed, _)) => (*listed).to_owned(),
                None => gen_names::name(&mut rng),
            };
            let jurisdiction = if rng.below(25) == 0 { "ZZ" } else { "" };
            let _ = writeln!(entities, "{entity},{},{jurisdiction}", csv_field(&name));
            for domain in &z.zone.compliance_domains {
                if domain == "licensing" || rng.below(4) == 0 {
                    continue;
                }
                let state = match rng.below(10) {
                    0 => "non_compliant",
                    1 => "pending",
                    2 => "exempt",
                    _ => "compliant",
                };
                let expires = match rng.below(12) {
                    0 => day(base + 320 - 400),
                    1 => "end of next year".to_owned(),
                    2..=5 => String::new(),
                    _ => day(base + 320 + rng.below(700) as i64),
                };
                let _ = writeln!(attestations, "{entity},{domain},{state},{expires}");
            }
            if z.zone.licence_register.is_some() && rng.below(3) != 0 {
                let status = match rng.below(10) {
                    0 => "suspended",
                    1 => "revoked",
                    2 => "pending",
                    _ => "active",
                };
                let from = base - 365 * (1 + rng.below(5) as i64);
                let to = if rng.below(5) == 0 {
                    day(base + 100)
                } else if rng.below(2) == 0 {
                    String::new()
                } else {
                    day(base + 365 * 3)
                };
                let _ = writeln!(
                    licences,
                    "{id}-L{i:05},{entity},{},{},{status},{},{to},{}",
                    csv_field(&name),
                    if rng.below(2) == 0 {
                        "category 1"
                    } else {
                        "category 3A"
                    },
                    day(from),
                    ACTIVITIES[rng.below(ACTIVITIES.len() as u64) as usize]
                );
            }
        }
        write(
            &mut out,
            out_dir.join("entities").join(format!("{id}.csv")),
            &entities,
        )?;
        write(
            &mut out,
            out_dir.join("attestations").join(format!("{id}.csv")),
            &attestations,
        )?;
        if z.zone.licence_register.is_some() {
            write(
                &mut out,
                out_dir.join("licences").join(format!("{id}.csv")),
                &licences,
            )?;
        }
    }
    Ok(out)
}
