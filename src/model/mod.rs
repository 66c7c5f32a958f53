//! The model: plain data shared by every stage, with no behaviour beyond small helpers.
//!
//! - [`ledger`]: what became of each input (`files` table) and the one failure type;
//! - [`decoded`]: what the FIT decoder hands to analysis;
//! - [`run`]: the facts analysis keeps of each running session;
//! - [`gear`]: shoes: a run's label, an export's index, the gear log, per-pair totals;
//! - [`kept`]: what aggregation reads of each input and run, the rest being in the store;
//! - [`packed`]: optional numbers in 8 bytes, for those rows;
//! - [`report`]: the report's rows (activities, weeks, findings) as aggregation builds them.
//!
//! Every other module depends on this one; it depends on none of them.

/// A fieldless enum whose values are written to the tables as fixed tokens: `as_str` gives the
/// token, `ALL` every value in declaration order.
macro_rules! tokens {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $token:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        pub(crate) enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            #[allow(dead_code)]
            pub(crate) const ALL: [$name; [$($token),+].len()] = [$($name::$variant),+];

            /// The token written to the tables.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $token),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod decoded;
mod gear;
mod kept;
mod ledger;
mod packed;
mod report;
mod run;

pub(crate) use decoded::*;
pub(crate) use gear::*;
pub(crate) use kept::*;
pub(crate) use ledger::*;
pub(crate) use packed::*;
pub(crate) use report::*;
pub(crate) use run::*;

// What the public stages take and give (`fit::decode`, `pipeline::run`, `aggregate`).
pub use decoded::Decoded;
pub use ledger::Failure;
pub use report::{Outcome, Tables};
