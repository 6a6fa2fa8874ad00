//! The pack builds: sources in, one signed pack out, each on its chain
//! `<kind>-<jurisdiction>` with its Merkle root in the manifest.
//!
//! - [`lawpack`]: Akoma Ntoso documents → `documents`, `provisions`;
//! - [`regpack`]: sanctions lists → `entries`, `names`;
//! - [`licensepack`]: a licence register → `licences`.
//!
//! The tables themselves are built by the `packs` crate; these jobs read the files, write
//! the tables and describe the run.

pub mod lawpack;
pub mod licensepack;
pub mod regpack;
