//! How the findings write numbers: distances, and a value shown with the digits that
//! put it on the side of its threshold the message claims.

/// A distance in km with one decimal; never "-0.0 km".
pub(super) fn fmt_km(m: f64) -> String {
    let km = m / 1000.0;
    // A value that rounds to zero is printed as zero, whatever its sign.
    if format!("{km:.1}").trim_start_matches('-') == "0.0" {
        return "0.0 km".to_string();
    }
    format!("{km:.1} km")
}

/// `value` with `decimals` digits, or with more where `decimals` would print it level with
/// (or across) `threshold`: a value the rule found above its threshold is never shown equal to
/// or below it, nor one found below shown at or above it. Compare, then round for display.
pub(super) fn decisive(value: f64, threshold: f64, decimals: usize) -> String {
    for d in decimals..=6 {
        let shown = format!("{value:.d$}");
        let back: f64 = shown.parse().unwrap_or(value);
        let agrees = if value > threshold {
            back > threshold
        } else if value < threshold {
            back < threshold
        } else {
            true
        };
        if agrees {
            return shown;
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_shown_on_its_side_of_the_threshold() {
        assert_eq!(decisive(0.7996, 0.8, 2), "0.7996");
        assert_eq!(decisive(0.79, 0.8, 2), "0.79");
        assert_eq!(decisive(1.5004, 1.5, 2), "1.5004");
        assert_eq!(decisive(1.52, 1.5, 2), "1.52");
        assert_eq!(decisive(10.3, 10.0, 0), "10.3");
        assert_eq!(decisive(11.0, 10.0, 0), "11");
    }

    #[test]
    fn a_distance_rounding_to_zero_has_no_sign() {
        assert_eq!(fmt_km(-0.0), "0.0 km");
        assert_eq!(fmt_km(-20.0), "0.0 km");
        assert_eq!(fmt_km(1234.0), "1.2 km");
    }
}
