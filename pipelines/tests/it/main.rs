//! Integration tests of the pipelines crate: the artifact writer's determinism and the
//! `mez` binary end to end.

mod artifact;
mod cli;
mod fetch;
mod generator;
mod lawpack;
mod netting;
mod nightly;
mod regpack;
mod samples;
mod schemas;
mod screen;
mod screening;
mod sql;
mod tensor;
