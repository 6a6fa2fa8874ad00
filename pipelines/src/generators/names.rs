//! `mez gen names`: realistic names to screen (people of many naming cultures, and companies
//! with their legal forms), deterministic for a seed. They feed the screening benchmark and
//! the evaluation harness's negatives; none is drawn from a sanctions list.

use std::path::Path;

use crate::generators::SplitMix64;

const GIVEN: &[&str] = &[
    // English and European
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Paul",
    "Ashley",
    "Steven",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Pierre",
    "Marie",
    "Jean",
    "Camille",
    "Luca",
    "Giulia",
    "Hans",
    "Anna",
    "Lars",
    "Ingrid",
    "Sven",
    "Katarzyna",
    "Piotr",
    "Jan",
    "Eva",
    "Tomas",
    "Mateo",
    "Sofia",
    "Javier",
    "Lucia",
    "Diego",
    "Valentina",
    "Carlos",
    "Camila",
    "Joao",
    "Beatriz",
    "Miguel",
    "Isabel",
    // Arabic, Persian, Turkish
    "Omar",
    "Fatima",
    "Youssef",
    "Aisha",
    "Khalid",
    "Mariam",
    "Tariq",
    "Layla",
    "Hamza",
    "Noor",
    "Bilal",
    "Yasmin",
    "Karim",
    "Huda",
    "Samir",
    "Rania",
    "Reza",
    "Shirin",
    "Dariush",
    "Parisa",
    "Emre",
    "Elif",
    "Mehmet",
    "Zeynep",
    // South Asian
    "Arjun",
    "Priya",
    "Rahul",
    "Ananya",
    "Vikram",
    "Kavya",
    "Imran",
    "Sana",
    "Faisal",
    "Ayesha",
    "Sanjay",
    "Deepa",
    "Rohan",
    "Meera",
    "Asif",
    "Nadia",
    // East Asian
    "Wei",
    "Fang",
    "Jun",
    "Li",
    "Hao",
    "Xin",
    "Hiroshi",
    "Yuki",
    "Takeshi",
    "Sakura",
    "Minho",
    "Jiyeon",
    "Thanh",
    "Linh",
    "Somchai",
    "Malee",
    // African
    "Chinedu",
    "Ngozi",
    "Kwame",
    "Ama",
    "Tendai",
    "Thandiwe",
    "Oluwaseun",
    "Amara",
    "Kofi",
    "Zanele",
    "Juma",
    "Wanjiru",
    // Slavic
    "Dmitri",
    "Olga",
    "Sergei",
    "Natalia",
    "Andrei",
    "Irina",
    "Nikolai",
    "Tatiana",
    "Bogdan",
    "Milena",
];

pub const SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Dubois",
    "Lefebvre",
    "Moreau",
    "Rossi",
    "Bianchi",
    "Ferrari",
    "Mueller",
    "Schneider",
    "Fischer",
    "Weber",
    "Andersson",
    "Johansson",
    "Nowak",
    "Kowalski",
    "Novak",
    "Garcia",
    "Martinez",
    "Rodriguez",
    "Lopez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Torres",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Haddad",
    "Mansour",
    "Khoury",
    "Nasser",
    "Saleh",
    "Farouk",
    "Rahimi",
    "Hosseini",
    "Karimi",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Sharma",
    "Patel",
    "Gupta",
    "Singh",
    "Kumar",
    "Reddy",
    "Iyer",
    "Chaudhry",
    "Qureshi",
    "Siddiqui",
    "Malik",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Tanaka",
    "Suzuki",
    "Takahashi",
    "Watanabe",
    "Kim",
    "Park",
    "Choi",
    "Nguyen",
    "Tran",
    "Pham",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Boateng",
    "Moyo",
    "Dlamini",
    "Kamau",
    "Otieno",
    "Ivanova",
    "Petrova",
    "Smirnov",
    "Popov",
    "Kuznetsov",
    "Sokolov",
    "Volkova",
    "Horvat",
    "Kovacs",
    "Papadopoulos",
    "Georgiou",
    "Jansen",
    "DeVries",
    "Peeters",
    "Murphy",
    "Kelly",
];

const COMPANY_WORDS: &[&str] = &[
    "Atlas",
    "Meridian",
    "Summit",
    "Harbor",
    "Pinnacle",
    "Crescent",
    "Evergreen",
    "Northstar",
    "Blue",
    "River",
    "Cedar",
    "Falcon",
    "Horizon",
    "Vertex",
    "Orchid",
    "Granite",
    "Silver",
    "Golden",
    "Coastal",
    "Prairie",
    "Lotus",
    "Phoenix",
    "Sapphire",
    "Emerald",
    "Delta",
    "Apex",
    "Beacon",
    "Quantum",
    "Nova",
    "Sterling",
    "Oak",
    "Maple",
    "Aurora",
    "Keystone",
    "Pioneer",
    "Trident",
    "Zenith",
    "Cobalt",
    "Sahara",
    "Andes",
    "Baltic",
    "Danube",
    "Mekong",
    "Nile",
];

const INDUSTRY: &[&str] = &[
    "Trading",
    "Logistics",
    "Shipping",
    "Textiles",
    "Foods",
    "Energy",
    "Petroleum",
    "Construction",
    "Holdings",
    "Capital",
    "Investments",
    "Technologies",
    "Software",
    "Pharmaceuticals",
    "Metals",
    "Mining",
    "Agro",
    "Consulting",
    "Engineering",
    "Imports",
    "Exports",
    "Marine",
    "Aviation",
    "Electronics",
    "Chemicals",
    "Fisheries",
    "Realty",
];

const FORMS: &[&str] = &[
    "LLC", "Ltd", "Limited", "Inc.", "Corp.", "GmbH", "S.A.", "SARL", "B.V.", "PLC", "Pte Ltd",
    "FZE", "FZCO", "JSC", "S.p.A.", "AG", "Pty Ltd", "LLP",
];

const COUNTRIES: &[&str] = &[
    "US", "GB", "FR", "DE", "IT", "ES", "BR", "MX", "AE", "SA", "EG", "IR", "TR", "IN", "PK", "CN",
    "JP", "KR", "VN", "NG", "KE", "ZA", "RU", "UA", "SG", "KZ", "HN",
];

fn pick<'a>(rng: &mut SplitMix64, words: &[&'a str]) -> &'a str {
    words[rng.below(words.len() as u64) as usize]
}

/// One generated name: a person (two or three names) or a company.
pub fn name(rng: &mut SplitMix64) -> String {
    match rng.below(20) {
        0..=8 => format!("{} {}", pick(rng, GIVEN), pick(rng, SURNAMES)),
        9..=11 => format!(
            "{} {} {}",
            pick(rng, GIVEN),
            pick(rng, GIVEN),
            pick(rng, SURNAMES)
        ),
        12 => format!(
            "{}, {}",
            pick(rng, SURNAMES).to_uppercase(),
            pick(rng, GIVEN)
        ),
        13..=17 => format!(
            "{} {} {}",
            pick(rng, COMPANY_WORDS),
            pick(rng, INDUSTRY),
            pick(rng, FORMS)
        ),
        _ => format!(
            "{} {} {}",
            pick(rng, SURNAMES),
            pick(rng, INDUSTRY),
            pick(rng, FORMS)
        ),
    }
}

/// A date of birth between 1940 and 2005, or none (about half the time).
pub fn birth_date(rng: &mut SplitMix64) -> Option<String> {
    (rng.below(2) == 0).then(|| {
        format!(
            "{}-{:02}-{:02}",
            1940 + rng.below(66),
            1 + rng.below(12),
            1 + rng.below(28)
        )
    })
}

/// Parameters of `mez gen names`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamesParams {
    pub count: u64,
    pub seed: u64,
}

/// Writes `id,name,dob,country` rows to `out`.
pub fn write_names(out: &Path, params: NamesParams) -> std::io::Result<()> {
    let file = std::fs::File::create(out)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(["id", "name", "dob", "country"])?;
    let mut rng = SplitMix64::new(params.seed);
    for i in 0..params.count {
        let name = name(&mut rng);
        let dob = birth_date(&mut rng).unwrap_or_default();
        let country = if rng.below(2) == 0 {
            pick(&mut rng, COUNTRIES)
        } else {
            ""
        };
        w.write_record([format!("q{i:08}").as_str(), &name, &dob, country])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_names() {
        let gen_names = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..50).map(|_| name(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(gen_names(7), gen_names(7));
        assert_ne!(gen_names(7), gen_names(8));
        let names = gen_names(7);
        let distinct: std::collections::BTreeSet<_> = names.iter().collect();
        assert!(distinct.len() > 40, "{names:?}");
    }
}
