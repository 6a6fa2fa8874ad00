//! The fuzzing binary: `mez-fuzz TARGET` reads inputs from AFL++ (persistent mode) and
//! feeds them to one target of [`mez_fuzz::TARGETS`]. Run it through `just fuzz TARGET
//! SECONDS`.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = mez_fuzz::target(&name) else {
        eprintln!(
            "usage: mez-fuzz TARGET; targets: {}",
            mez_fuzz::names().join(", ")
        );
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| {
        target(data);
    });
}
