//! Optional numbers in the room of the number alone, for the rows a report keeps of every run.
//!
//! `Option<f64>` takes 16 bytes: 8 of them say only whether the number is there. A run's
//! activity row holds a dozen such numbers, and every run's row is in memory while the
//! cross-run rules run, so a history's rows would be twice the size they need to be.
//! [`OptF64`] and [`OptI64`] keep the answer in the number's own bits, and give it back with
//! `get`.

use std::fmt;

/// The bits of [`OptF64::NONE`]: a signalling NaN with a payload. Arithmetic and conversions
/// only make quiet NaNs, so no number a run's facts hold has these bits, and every other f64
/// (quiet NaNs included) is kept bit for bit.
const NONE_BITS: u64 = 0x7FF4_F17E_0000_0001;

/// An `Option<f64>` in 8 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct OptF64(u64);

impl OptF64 {
    /// No number.
    pub(crate) const NONE: OptF64 = OptF64(NONE_BITS);

    /// The number, if there is one.
    #[inline]
    pub(crate) fn get(self) -> Option<f64> {
        (self.0 != NONE_BITS).then(|| f64::from_bits(self.0))
    }

    /// As [`Option::unwrap_or`].
    #[inline]
    pub(crate) fn unwrap_or(self, default: f64) -> f64 {
        self.get().unwrap_or(default)
    }
}

impl From<Option<f64>> for OptF64 {
    #[inline]
    fn from(value: Option<f64>) -> OptF64 {
        match value {
            Some(x) => {
                debug_assert_ne!(x.to_bits(), NONE_BITS, "a number with the bits of none");
                OptF64(x.to_bits())
            }
            None => OptF64::NONE,
        }
    }
}

// On the wire as an `Option<f64>` (postcard: one byte for none, the number's eight bytes as
// they are otherwise), so no number's bits change on the way.
impl serde::Serialize for OptF64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for OptF64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<OptF64, D::Error> {
        Option::<f64>::deserialize(d).map(OptF64::from)
    }
}

impl fmt::Debug for OptF64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// An `Option<i64>` in 8 bytes: `None` is `i64::MIN`, which no time in seconds a FIT file
/// can hold comes near.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct OptI64(i64);

impl OptI64 {
    /// No number.
    pub(crate) const NONE: OptI64 = OptI64(i64::MIN);

    /// The number, if there is one.
    #[inline]
    pub(crate) fn get(self) -> Option<i64> {
        (self.0 != i64::MIN).then_some(self.0)
    }

    /// As [`Option::is_none`].
    #[inline]
    pub(crate) fn is_none(self) -> bool {
        self.0 == i64::MIN
    }
}

impl From<Option<i64>> for OptI64 {
    #[inline]
    fn from(value: Option<i64>) -> OptI64 {
        match value {
            Some(x) => {
                debug_assert_ne!(x, i64::MIN, "a time with the bits of none");
                OptI64(x)
            }
            None => OptI64::NONE,
        }
    }
}

impl serde::Serialize for OptI64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for OptI64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<OptI64, D::Error> {
        Option::<i64>::deserialize(d).map(OptI64::from)
    }
}

impl fmt::Debug for OptI64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_reads_back_with_its_bits_and_none_is_none() {
        let numbers = [
            0.0,
            -0.0,
            1.5,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for x in numbers {
            let o = OptF64::from(Some(x));
            assert_eq!(o.get().map(f64::to_bits), Some(x.to_bits()), "{x}");
        }
        assert_eq!(OptF64::from(None).get(), None);
        assert_eq!(OptF64::NONE.unwrap_or(2.0), 2.0);
        // Arithmetic makes quiet NaNs only: never the bits of none.
        // (Through `black_box`, so the processor computes them, not the compiler.)
        let inf = std::hint::black_box(f64::INFINITY);
        let made = [
            inf - inf,
            0.0 * inf,
            (-inf).sqrt(),
            std::hint::black_box(-1.0f64).sqrt(),
        ];
        for x in made {
            assert!(OptF64::from(Some(x)).get().is_some());
        }
        for t in [0, -1, 1_700_000_000, i64::MAX, i64::MIN + 1] {
            assert_eq!(OptI64::from(Some(t)).get(), Some(t));
        }
        assert_eq!(OptI64::from(None).get(), None);
        assert_eq!(std::mem::size_of::<OptF64>(), 8);
        assert_eq!(format!("{:?}", OptF64::from(Some(1.5))), "Some(1.5)");
    }
}
