//! Lets `mez` and the test binaries find libduckdb at run time without LD_LIBRARY_PATH:
//! an rpath to the directory the duckdb crate linked from (see xtask/src/main.rs).

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if let Ok(dir) = std::env::var("DUCKDB_LIB_DIR") {
        let dir = std::fs::canonicalize(&dir).map_or(dir, |p| p.display().to_string());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
