//! One module per subcommand: arguments, one library call, output.

pub mod audit;
pub mod batch;
pub mod compare;
pub mod config;
pub mod consume;
pub mod decide;
#[cfg(feature = "eval")]
pub mod eval;
pub mod keys;
pub mod lists;
pub mod review;
pub mod screen;
pub mod serve;
pub mod update;
