//! One module per subcommand: arguments, one library call, output.

pub mod alerts;
pub mod audit;
pub mod batch;
pub mod book;
pub mod compare;
pub mod config;
pub mod consume;
pub mod decide;
#[cfg(feature = "eval")]
pub mod eval;
pub mod keys;
pub mod lists;
pub mod monitor;
pub mod review;
pub mod screen;
pub mod serve;
pub mod snapshot;
pub mod update;
