//! Numbers as the CSV files print them: three decimals, as `format!("{x:.3}")` prints them,
//! made without the standard library's slowest path for the tables' commonest numbers.

use polars::prelude::*;

/// `df` with its floating-point columns as text, three decimals (`{:.3}`), missing values
/// missing: what polars' CSV writer prints with a float precision of 3, made faster
/// ([`push_three_decimals`]). A text column of numbers is written unquoted.
pub(super) fn with_numbers_as_text(df: &DataFrame) -> PolarsResult<DataFrame> {
    let mut text = String::new();
    let columns = df
        .columns()
        .iter()
        .map(|column| {
            // A 32-bit float widens exactly, and prints as it would.
            let wide = match column.dtype() {
                DataType::Float64 => column.clone(),
                DataType::Float32 => column.cast(&DataType::Float64)?,
                _ => return Ok(column.clone()),
            };
            let values = wide.f64()?;
            let mut out = StringChunkedBuilder::new(column.name().clone(), values.len());
            for v in values.iter() {
                match v {
                    Some(x) => {
                        text.clear();
                        push_three_decimals(x, &mut text);
                        out.append_value(&text);
                    }
                    None => out.append_null(),
                }
            }
            Ok(out.finish().into_column())
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(df.height(), columns)
}

/// Appends `x` as `format!("{x:.3}")` does: `1000 x` rounded to the nearest whole number,
/// ties to even, with a point before its last three digits. The standard library's exact
/// formatting falls back to its slowest algorithm for numbers with few digits (whole metres and
/// seconds, a cadence of 171.5), the tables' commonest; here, below 2^50, `m = 1000 x` as
/// rounded is within 1/16 of the exact product, which decides the rounding unless `m` lies
/// within 1/16 of a half; then the product's exact remainder (`mul_add`) decides it. Larger
/// numbers go to the standard library.
fn push_three_decimals(x: f64, out: &mut String) {
    let m = (x * 1000.0).abs();
    if m.is_nan() || m >= (1u64 << 50) as f64 {
        use std::fmt::Write as _;
        let _ = write!(out, "{x:.3}");
        return;
    }
    let whole = m.trunc();
    let frac = m - whole;
    let up = if (frac - 0.5).abs() > 1.0 / 16.0 {
        frac > 0.5
    } else {
        // |1000 x| = m + rest exactly.
        let rest = x.abs().mul_add(1000.0, -m);
        let over = frac - 0.5;
        over > -rest || (over == -rest && whole % 2.0 == 1.0)
    };
    let n = whole as u64 + u64::from(up);
    // `{:.3}` keeps the sign of a negative number that rounds to zero.
    if x.is_sign_negative() {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut left = n;
    for place in 0.. {
        if place == 3 {
            at -= 1;
            digits[at] = b'.';
        }
        at -= 1;
        digits[at] = b'0' + (left % 10) as u8;
        left /= 10;
        if left == 0 && place >= 3 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame written with its numbers as text reads as polars writes it with a float
    /// precision of 3: missing values, 32-bit floats, text and whole numbers included.
    #[test]
    fn a_frame_writes_as_polars_writes_it_with_three_decimals() {
        let mut df = DataFrame::new(
            4,
            vec![
                Column::new(
                    "a_m".into(),
                    [Some(5000.0), None, Some(-0.0625), Some(1.0005)],
                ),
                Column::new("b".into(), [Some(1.5f32), Some(0.1), None, Some(-2.675)]),
                Column::new("c".into(), [Some("x,y"), None, Some("z"), Some("1.000")]),
                Column::new("d".into(), [1i64, 2, 3, 4]),
            ],
        )
        .unwrap();
        let write = |df: &mut DataFrame, precision: Option<usize>| {
            let mut out = Vec::new();
            CsvWriter::new(&mut out)
                .with_float_precision(precision)
                .finish(df)
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        let ours = write(&mut with_numbers_as_text(&df).unwrap(), None);
        assert_eq!(ours, write(&mut df, Some(3)));
        assert!(ours.contains("-0.062,"), "{ours}");
    }

    fn three(x: f64) -> String {
        let mut s = String::new();
        push_three_decimals(x, &mut s);
        s
    }

    /// Every kind of number the tables hold prints as `{:.3}` prints it: whole and half
    /// numbers, three decimals and more, ties in decimal that are not ties in binary, negative
    /// zero, the very small and the very large.
    #[test]
    fn three_decimals_as_the_standard_library_prints_them() {
        let mut values = vec![
            0.0,
            -0.0,
            0.0005,
            0.0015,
            1.0005,
            2.675,
            -2.675,
            1e-9,
            -1e-9,
            0.1,
            0.2,
            0.3,
            171.5,
            5000.0,
            123_456.789,
            1_125_899_906_842.623,
            1e12,
            1e15,
            1e20,
            -1e20,
            f64::MAX,
            f64::MIN_POSITIVE,
            4.35,
            4.345,
            1.0 / 3.0,
            2.0 / 3.0,
            0.0625,
            -0.0625,
            0.1875,
            2.0625,
            1e-300,
            -1e-300,
            5e-324,
            0.0004999,
            -0.0005,
        ];
        for k in -20_000i64..20_000 {
            values.push(k as f64 / 1000.0);
            values.push(k as f64 / 8.0);
            values.push(k as f64 / 16_000.0);
            values.push(k as f64 / 2_000.0);
            values.push(k as f64 * 0.001 + 0.0005);
        }
        let mut x: u64 = 12_345;
        for _ in 0..50_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Uniform in [0, 1), scaled to 1e-3 … 1e6.
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            let f = u * 10f64.powi((x % 10) as i32 - 3);
            values.extend([f, -f, (f * 1000.0).round() / 1000.0]);
        }
        for v in values {
            assert_eq!(three(v), format!("{v:.3}"), "{v:e}");
        }
    }
}
