//! Legal forms across languages, each folded to one symbol.
//!
//! "Deutsche Bank AG", "Deutsche Bank Aktiengesellschaft" and "Deutsche Bank" name one bank;
//! "OAO Gazprom" and "Open Joint Stock Company Gazprom" one company. A legal form is a
//! statement about the kind of company, not part of its name: the scorer compares two
//! names' legal forms only when both carry one, and otherwise leaves them out (see
//! [`super::score`]). For that, every spelling of one form — the abbreviation, the words in
//! the home language (after transliteration to Latin letters and case folding) and the
//! usual English rendering — becomes one symbol token.
//!
//! The forms and their expansions are facts of company law, taken from the ISO 20275
//! *Entity Legal Forms* code list that GLEIF publishes (elf-code-list, abbreviations in local
//! languages) and from the registers of the jurisdictions most present on sanctions lists;
//! Russian forms in the transliteration the OFAC and EU lists use. Vessel designators
//! (M/V, M/T) are filed here too: like a legal form, they describe the kind of thing named.

use std::collections::HashMap;
use std::sync::OnceLock;

/// (spelling as normalised words, symbol). Spellings are matched on the words of a name
/// after transliteration, case folding and the removal of dots and apostrophes, so "S.A."
/// is `sa` and "Gesellschaft mit beschränkter Haftung" is `gesellschaft mit beschrankter
/// haftung`.
const FORMS: &[(&str, &str)] = &[
    // Germany, Austria, Switzerland
    ("ag", "ag"),
    ("aktiengesellschaft", "ag"),
    ("gmbh", "gmbh"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("gmbh co kg", "gmbhcokg"),
    ("kg", "kg"),
    ("kommanditgesellschaft", "kg"),
    ("kgaa", "kgaa"),
    ("kommanditgesellschaft auf aktien", "kgaa"),
    ("ohg", "ohg"),
    ("offene handelsgesellschaft", "ohg"),
    ("ev", "ev"),
    ("eingetragener verein", "ev"),
    // European
    ("se", "se"),
    ("societas europaea", "se"),
    // Russia, Belarus, Central Asia (transliterated), with the English renderings
    ("oao", "ojsc"),
    ("ojsc", "ojsc"),
    ("open joint stock company", "ojsc"),
    ("open jsc", "ojsc"),
    ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("otkrytoye aktsionernoye obshchestvo", "ojsc"),
    ("zao", "cjsc"),
    ("cjsc", "cjsc"),
    ("closed joint stock company", "cjsc"),
    ("closed jsc", "cjsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"),
    ("zakrytoye aktsionernoye obshchestvo", "cjsc"),
    ("pao", "pjsc"),
    ("pjsc", "pjsc"),
    ("public joint stock company", "pjsc"),
    ("public jsc", "pjsc"),
    ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("publichnoye aktsionernoye obshchestvo", "pjsc"),
    ("ao", "jsc"),
    ("jsc", "jsc"),
    ("joint stock company", "jsc"),
    ("joint stock co", "jsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("aktsionernoye obshchestvo", "jsc"),
    ("ooo", "llc"),
    ("llc", "llc"),
    ("limited liability company", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoj otvetstvennostju", "llc"),
    ("tov", "llc"),
    ("too", "llc"),
    ("fgup", "fsue"),
    ("fsue", "fsue"),
    ("federal state unitary enterprise", "fsue"),
    ("gup", "sue"),
    ("state unitary enterprise", "sue"),
    // English-speaking jurisdictions
    ("ltd", "ltd"),
    ("limited", "ltd"),
    ("ltda", "ltd"),
    ("limitada", "ltd"),
    ("co ltd", "ltd"),
    ("company limited", "ltd"),
    ("private limited", "ltd"),
    ("private limited company", "ltd"),
    ("pvt ltd", "ltd"),
    ("pte ltd", "ltd"),
    ("pty ltd", "ltd"),
    ("pte", "ltd"),
    ("pty", "ltd"),
    ("plc", "plc"),
    ("public limited company", "plc"),
    ("llp", "llp"),
    ("limited liability partnership", "llp"),
    ("lp", "lp"),
    ("limited partnership", "lp"),
    ("inc", "inc"),
    ("incorporated", "inc"),
    ("corp", "corp"),
    ("corporation", "corp"),
    ("co", "co"),
    ("company", "co"),
    ("cie", "co"),
    ("compagnie", "co"),
    ("cia", "co"),
    ("compania", "co"),
    // France, Belgium, Luxembourg, Francophone Africa, Lebanon
    ("sa", "sa"),
    ("societe anonyme", "sa"),
    ("sal", "sa"),
    ("sarl", "sarl"),
    ("societe a responsabilite limitee", "sarl"),
    ("sas", "sas"),
    ("societe par actions simplifiee", "sas"),
    ("sasu", "sas"),
    ("snc", "snc"),
    ("societe en nom collectif", "snc"),
    // Spain, Latin America, Portugal, Brazil
    ("sociedad anonima", "sa"),
    ("s a", "sa"),
    ("sa de cv", "sadecv"),
    ("s a de c v", "sadecv"),
    ("sociedad anonima de capital variable", "sadecv"),
    ("s de rl", "srl"),
    ("s de rl de cv", "sderldecv"),
    ("sociedad de responsabilidad limitada", "srl"),
    ("sl", "sl"),
    ("sociedad limitada", "sl"),
    ("sociedade anonima", "sa"),
    // Italy
    ("spa", "spa"),
    ("societa per azioni", "spa"),
    ("srl", "srl"),
    ("societa a responsabilita limitata", "srl"),
    // Netherlands, Belgium
    ("bv", "bv"),
    ("besloten vennootschap", "bv"),
    ("nv", "nv"),
    ("naamloze vennootschap", "nv"),
    // Nordic countries
    ("ab", "ab"),
    ("aktiebolag", "ab"),
    ("as", "as"),
    ("asa", "asa"),
    ("aksjeselskap", "as"),
    ("aktieselskab", "as"),
    ("allmennaksjeselskap", "asa"),
    ("aps", "aps"),
    ("anpartsselskab", "aps"),
    ("oy", "oy"),
    ("osakeyhtio", "oy"),
    ("oyj", "oyj"),
    ("julkinen osakeyhtio", "oyj"),
    // Central and Eastern Europe
    ("sp z oo", "spzoo"),
    ("spolka z ograniczona odpowiedzialnoscia", "spzoo"),
    ("sro", "sro"),
    ("spol s ro", "sro"),
    ("spolecnost s rucenim omezenym", "sro"),
    ("kft", "kft"),
    ("zrt", "zrt"),
    ("nyrt", "nyrt"),
    ("doo", "doo"),
    ("drustvo s ogranicenom odgovornoscu", "doo"),
    ("ood", "ood"),
    ("eood", "eood"),
    ("srl", "srl"),
    ("as", "as"),
    // Turkey, Middle East, Gulf free zones
    ("as", "as"),
    ("anonim sirketi", "as"),
    ("ltd sti", "ltd"),
    ("limited sirketi", "ltd"),
    ("fze", "fze"),
    ("free zone establishment", "fze"),
    ("fzco", "fzco"),
    ("free zone company", "fzco"),
    ("fzc", "fzc"),
    ("fz llc", "fzllc"),
    ("wll", "wll"),
    ("with limited liability", "wll"),
    ("psc", "psc"),
    ("private shareholding company", "psc"),
    ("sae", "sa"),
    ("saoc", "saoc"),
    ("saog", "saog"),
    ("pjs", "pjsc"),
    // Asia
    ("kk", "kk"),
    ("kabushiki kaisha", "kk"),
    ("kabushiki gaisha", "kk"),
    ("gk", "gk"),
    ("godo kaisha", "gk"),
    ("sdn bhd", "sdnbhd"),
    ("sendirian berhad", "sdnbhd"),
    ("bhd", "bhd"),
    ("berhad", "bhd"),
    ("pt", "pt"),
    ("perseroan terbatas", "pt"),
    ("tbk", "tbk"),
    ("jsc co", "jsc"),
    ("hk", "hk"),
    // Vessels
    ("mv", "vessel"),
    ("m v", "vessel"),
    ("motor vessel", "vessel"),
    ("mt", "vessel"),
    ("m t", "vessel"),
    ("motor tanker", "vessel"),
    ("ss", "vessel"),
];

type Table = HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>;

/// Spellings by their first word, longest first.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Table = HashMap::new();
        for (spelling, symbol) in FORMS {
            let words: Vec<&'static str> = spelling.split(' ').collect();
            let entry = t.entry(words[0]).or_default();
            if !entry.iter().any(|(w, _)| *w == words) {
                entry.push((words, *symbol));
            }
        }
        for spellings in t.values_mut() {
            spellings.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        }
        t
    })
}

/// The legal form spelled by the words at the start of `words`: its symbol and how many
/// words it takes.
pub fn legal_form_at(words: &[&str]) -> Option<(&'static str, usize)> {
    let spellings = table().get(words.first()?)?;
    spellings
        .iter()
        .find(|(w, _)| words.len() >= w.len() && words[..w.len()] == w[..])
        .map(|(w, symbol)| (*symbol, w.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_fold_to_one_symbol() {
        let at = |s: &str| legal_form_at(&s.split(' ').collect::<Vec<_>>());
        assert_eq!(at("aktiengesellschaft"), Some(("ag", 1)));
        assert_eq!(at("open joint stock company gazprom"), Some(("ojsc", 4)));
        assert_eq!(at("oao"), Some(("ojsc", 1)));
        assert_eq!(at("s a de c v"), Some(("sadecv", 5)));
        assert_eq!(at("co ltd"), Some(("ltd", 2)));
        assert_eq!(at("co"), Some(("co", 1)));
        assert_eq!(at("gazprom"), None);
        assert!(
            FORMS
                .iter()
                .all(|(w, _)| w.split(' ').count() <= 6 && !w.is_empty())
        );
    }
}
