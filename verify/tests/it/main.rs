//! Integration tests of the trust kernel: published vectors, the MMR against a naive
//! model, the store on every backend (local directory, memory, a real S3 server), and the
//! auditor against tampered stores.

mod audit;
mod backends;
mod malformed;
mod mmr_model;
mod support;
mod vectors;
