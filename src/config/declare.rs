//! Settings declared once. Each section of the config file is one [`settings!`] block that
//! gives every setting its name, type, default, checks, help line and doc text; the struct,
//! its `Default`, its validation, the comments `fitrisk config` prints and `docs/settings.md`
//! all come from that block.

use std::path::PathBuf;

use super::Violation;

/// A check on one setting of section `S`: a bound on its value, or a relation to the others.
pub(crate) enum Rule<S> {
    /// Every value is a finite number above 0.
    Positive,
    /// …at or above 0.
    NonNegative,
    /// …from the first bound to the second.
    Within(f64, f64),
    /// …at or above this (counts).
    AtLeast(f64),
    /// The section holds this, or the setting is wrong for the reason given.
    When(fn(&S) -> bool, &'static str),
}

impl<S> Rule<S> {
    /// Checks setting `key` (dotted), whose values are `values`, of `section`.
    pub(crate) fn check(&self, section: &S, key: &str, values: &[f64]) -> Result<(), Violation> {
        let fail = |message: String| Err((key.to_string(), message));
        if let Rule::When(holds, why) = self {
            return if holds(section) {
                Ok(())
            } else {
                fail(why.to_string())
            };
        }
        for &v in values {
            match *self {
                Rule::Positive if !(v.is_finite() && v > 0.0) => {
                    return fail(format!("must be a number > 0, got {v}"))
                }
                Rule::NonNegative if !(v.is_finite() && v >= 0.0) => {
                    return fail(format!("must be a number ≥ 0, got {v}"))
                }
                Rule::Within(lo, hi) if !(lo..=hi).contains(&v) => {
                    return fail(format!("must be a number from {lo} to {hi}, got {v}"))
                }
                Rule::AtLeast(n) if v < n => return fail(format!("must be at least {n}")),
                _ => {}
            }
        }
        Ok(())
    }

    /// The check in words, for the settings reference.
    pub(crate) fn describe(&self) -> String {
        match self {
            Rule::Positive => "> 0".to_string(),
            Rule::NonNegative => "≥ 0".to_string(),
            Rule::Within(lo, hi) => format!("{lo} to {hi}"),
            Rule::AtLeast(n) => format!("≥ {n}"),
            Rule::When(_, why) => why.to_string(),
        }
    }
}

/// A setting's values as numbers, for its checks (none for a path).
pub(crate) trait Numbers {
    fn numbers(&self) -> Vec<f64>;
}

impl Numbers for f64 {
    fn numbers(&self) -> Vec<f64> {
        vec![*self]
    }
}

impl Numbers for u32 {
    fn numbers(&self) -> Vec<f64> {
        vec![f64::from(*self)]
    }
}

impl Numbers for i32 {
    fn numbers(&self) -> Vec<f64> {
        vec![f64::from(*self)]
    }
}

impl Numbers for u64 {
    fn numbers(&self) -> Vec<f64> {
        vec![*self as f64]
    }
}

impl Numbers for Vec<f64> {
    fn numbers(&self) -> Vec<f64> {
        self.clone()
    }
}

impl Numbers for PathBuf {
    fn numbers(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// One setting as the reference shows it.
pub(crate) struct Described {
    /// `section.name`.
    pub(crate) key: &'static str,
    /// The help line.
    pub(crate) help: &'static str,
    /// The default, as TOML.
    pub(crate) default: String,
    /// The checks, in words.
    pub(crate) checks: Vec<String>,
}

/// A section of the config file, as [`settings!`] declares it.
pub(crate) trait Section: Default {
    /// Its name in the file (`[gait]`).
    const NAME: &'static str;
    /// Its help line.
    const HELP: &'static str;
    /// Checks every setting; the first one wrong, with what is wrong.
    fn validate(&self) -> Result<(), Violation>;
    /// Every setting, for the reference and the comments of `fitrisk config`.
    fn described() -> Vec<Described>;
}

/// The value of a setting as TOML, for the reference.
pub(crate) fn as_toml<T: serde::Serialize>(value: &T) -> String {
    toml::Value::try_from(value).map_or_else(|_| String::new(), |v| v.to_string())
}

/// Declares one section of settings:
///
/// ```text
/// settings! {
///     /// Doc of the section.
///     struct GaitSettings = "gait", "Help line of the section." {
///         /// Doc of the setting.
///         run_min_spm: f64 = 140.0, [Positive], "Help line of the setting.";
///     }
/// }
/// ```
///
/// Checks are [`Rule`]s; `When(|s| …, "why")` relates a setting to the others of its section.
macro_rules! settings {
    (
        $(#[doc = $sdoc:literal])*
        struct $name:ident = $section:literal, $shelp:literal {
            $(
                $(#[doc = $doc:literal])*
                $field:ident: $ty:ty = $default:expr, [$($rule:expr),* $(,)?], $help:literal;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
        #[serde(default, deny_unknown_fields)]
        pub(crate) struct $name {
            $(
                $(#[doc = $doc])*
                pub(crate) $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $default,)*
                }
            }
        }

        impl $crate::config::declare::Section for $name {
            const NAME: &'static str = $section;
            const HELP: &'static str = $shelp;

            #[allow(unused_imports)]
            fn validate(&self) -> Result<(), $crate::config::Violation> {
                use $crate::config::declare::{Numbers, Rule, Rule::*};
                $(
                    let rules: &[Rule<Self>] = &[$($rule),*];
                    for rule in rules {
                        rule.check(
                            self,
                            concat!($section, ".", stringify!($field)),
                            &self.$field.numbers(),
                        )?;
                    }
                )*
                Ok(())
            }

            #[allow(unused_imports)]
            fn described() -> Vec<$crate::config::declare::Described> {
                use $crate::config::declare::{as_toml, Described, Rule, Rule::*};
                let defaults = Self::default();
                vec![$({
                    let rules: &[Rule<Self>] = &[$($rule),*];
                    Described {
                        key: concat!($section, ".", stringify!($field)),
                        help: $help,
                        default: as_toml(&defaults.$field),
                        checks: rules.iter().map(Rule::describe).collect(),
                    }
                }),*]
            }
        }
    };
}

pub(crate) use settings;
