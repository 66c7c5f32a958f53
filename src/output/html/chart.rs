//! What every chart on the page shares: two layouts (a wide one, and a narrow one a phone shows
//! at a readable size), the SVG drawing, the legend (HTML beside the chart, so it never covers
//! data), padded ranges (points at the extremes stay whole) and the figure around it all.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::escape;

pub(super) const BLUE: RGBColor = RGBColor(52, 101, 164);
pub(super) const DARK_BLUE: RGBColor = RGBColor(20, 45, 90);
pub(super) const ORANGE: RGBColor = RGBColor(230, 126, 34);
pub(super) const GREEN: RGBColor = RGBColor(46, 139, 87);
pub(super) const GREY: RGBColor = RGBColor(150, 150, 150);
pub(super) const BAND: RGBColor = RGBColor(200, 230, 201);
pub(super) const DARK_RED: RGBColor = RGBColor(192, 0, 32);

/// One way to lay a chart out: its size in SVG units and how much text it carries.
#[derive(Clone, Copy, Debug)]
pub(super) struct Layout {
    /// Width and height of the SVG's view box.
    pub(super) w: u32,
    pub(super) h: u32,
    /// Axis label size, in view-box units.
    pub(super) font: u32,
    /// How many labels an x axis gets at most.
    pub(super) x_labels: usize,
    /// Room for the y axis labels and description, each side that has one.
    pub(super) y_area: u32,
}

/// Shown from 720 px of window up, at 696–896 px wide. plotters writes a font of size `s` as
/// `font-size` s ÷ 1.24, so 18 is 14.5 units: 11.2 px at the narrowest width this layout is used
/// at, 14.4 px on a desktop.
pub(super) const WIDE: Layout = Layout {
    w: 900,
    h: 400,
    font: 18,
    x_labels: 10,
    y_area: 76,
};

/// Shown below 720 px, at about the width it is drawn at (a 400 px phone shows it 376 px
/// wide): 15 is 12.1 units, 12.6 px there.
pub(super) const NARROW: Layout = Layout {
    w: 360,
    h: 340,
    font: 15,
    x_labels: 4,
    y_area: 58,
};

pub(super) type ChartResult = Result<(), Box<dyn std::error::Error>>;

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with a second y axis on the right (its own coordinates).
pub(super) type DualChart<'a, 'b> = plotters::chart::DualCoordChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<RangedCoordf64, RangedCoordf64>,
    Cartesian2d<RangedCoordf64, RangedCoordf64>,
>;

/// Draws the right-hand axis of a [`DualChart`]: its labels with `decimals` digits, and `desc`.
pub(super) fn right_axis(
    c: &mut DualChart<'_, '_>,
    layout: Layout,
    desc: &str,
    decimals: usize,
) -> ChartResult {
    c.configure_secondary_axes()
        .label_style(layout.label())
        .axis_desc_style(layout.label())
        .y_label_formatter(&|y| format!("{y:.decimals$}"))
        .y_desc(desc)
        .draw()?;
    Ok(())
}

impl Layout {
    /// About how wide the plotting area is, in view-box units.
    pub(super) fn plot_w(&self) -> f64 {
        (self.w - self.y_area - 30) as f64
    }

    /// The label style.
    pub(super) fn label(&self) -> (&'static str, u32) {
        ("sans-serif", self.font)
    }
}

/// Draws one layout into an SVG string; a drawing error becomes a visible note.
fn svg(layout: Layout, draw: impl FnOnce(&Area<'_>) -> ChartResult) -> String {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (layout.w, layout.h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Err(e) = draw(&root) {
            return format!(
                "<p class=\"err\">chart not drawn: {}</p>",
                escape(&e.to_string())
            );
        }
        let _ = root.present();
    }
    buf
}

/// The chart in both layouts; CSS shows one.
pub(super) fn both(draw: impl Fn(&Area<'_>, Layout) -> ChartResult) -> String {
    // Joined without spare room: a long history's dot charts run to megabytes.
    let [wide, narrow] = [WIDE, NARROW].map(|l| svg(l, |a| draw(a, l)));
    let mut o =
        String::with_capacity(OPEN.len() + wide.len() + MIDDLE.len() + narrow.len() + CLOSE.len());
    for part in [OPEN, &wide, MIDDLE, &narrow, CLOSE] {
        o.push_str(part);
    }
    o
}

/// What [`both`] puts around and between its two drawings.
const OPEN: &str = "<div class=\"wide\">";
const MIDDLE: &str = "</div><div class=\"narrow\">";
const CLOSE: &str = "</div>";

/// How a series looks in the legend.
#[derive(Clone, Copy, Debug)]
pub(super) enum Mark {
    /// A filled box (bars, bands).
    Box(RGBColor),
    /// A line.
    Line(RGBColor),
    /// A dot.
    Dot(RGBColor),
}

/// A colour drawn at `alpha` over white, as the legend shows it.
pub(super) fn tint(c: RGBColor, alpha: f64) -> RGBColor {
    let f = |v: u8| (v as f64 * alpha + 255.0 * (1.0 - alpha)).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A figure: title, the legend as a list above the chart, the chart, and its caption.
/// `data` is extra attributes for the `<figure>` (what the chart spans, for readers and tests).
pub(super) fn figure(
    title: &str,
    legend: &[(Mark, String)],
    chart: &str,
    caption: &str,
    data: &str,
) -> String {
    let mut o = figure_head(title, legend, data, chart.len());
    o.push_str(chart);
    o.push_str(&figure_tail(caption));
    o
}

/// A page's text, a piece at a time.
pub(super) type Pieces<'a> = Box<dyn Iterator<Item = String> + 'a>;

/// [`figure`] of [`both`]'s chart, in pieces that are together that figure's text: a long
/// history's dot charts run to megabytes, and the page is written a piece at a time, so each
/// layout is drawn only when the piece before it has been written, and neither is copied into
/// one string.
pub(super) fn figure_parts<'a>(
    title: &str,
    legend: &[(Mark, String)],
    draw: impl Fn(&Area<'_>, Layout) -> ChartResult + 'a,
    caption: &str,
    data: &str,
) -> Pieces<'a> {
    enum Piece {
        Text(String),
        Drawing(Layout),
    }
    let mut head = figure_head(title, legend, data, OPEN.len());
    head.push_str(OPEN);
    let tail = CLOSE.to_string() + &figure_tail(caption);
    let pieces = [
        Piece::Text(head),
        Piece::Drawing(WIDE),
        Piece::Text(MIDDLE.to_string()),
        Piece::Drawing(NARROW),
        Piece::Text(tail),
    ];
    Box::new(pieces.into_iter().map(move |p| match p {
        Piece::Text(t) => t,
        Piece::Drawing(l) => svg(l, |a| draw(a, l)),
    }))
}

/// A figure's text up to its chart, with room for `room` more bytes.
fn figure_head(title: &str, legend: &[(Mark, String)], data: &str, room: usize) -> String {
    // Room for the chart too when it follows: grown by doubling, a long history's chart would
    // take twice its size.
    let mut o = String::with_capacity(room + 2048);
    let _ = write!(o, "<figure{data}><h3>{}</h3>", escape(title));
    if !legend.is_empty() {
        o.push_str("<ul class=\"legend\">");
        for (mark, label) in legend {
            let (class, colour) = match mark {
                Mark::Box(c) => ("box", *c),
                Mark::Line(c) => ("line", *c),
                Mark::Dot(c) => ("dot", *c),
            };
            let _ = write!(
                o,
                "<li><span class=\"sw {class}\" style=\"--c:{}\"></span>{}</li>",
                css(colour),
                escape(label)
            );
        }
        o.push_str("</ul>");
    }
    o
}

/// A figure's text after its chart.
fn figure_tail(caption: &str) -> String {
    format!("<figcaption>{}</figcaption></figure>\n", escape(caption))
}

/// A padded range over values: `share` of the span each side, at least `min_pad` (a unit
/// range around 0 when there are none).
pub(super) fn range(values: impl Iterator<Item = f64>, share: f64, min_pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() {
        let pad = ((hi - lo) * share).max(min_pad);
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    }
}

/// The top of a distance axis: the largest value with room above it.
pub(super) fn top(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(1.0, f64::max) * 1.12
}

/// A date as a fractional year (2024-07-02 ≈ 2024.5): the x axis of the whole-history charts.
pub(super) fn year_pos(d: NaiveDate) -> f64 {
    let days = if NaiveDate::from_ymd_opt(d.year(), 12, 31).is_some_and(|e| e.ordinal() == 366) {
        366.0
    } else {
        365.0
    };
    d.year() as f64 + d.ordinal0() as f64 / days
}

/// Labels for a fractional-year axis: whole years over a long span, months over a short one.
pub(super) fn year_label(x: f64, span_years: f64) -> String {
    if span_years >= 3.0 {
        if (x - x.round()).abs() < 1e-6 {
            format!("{:.0}", x.round())
        } else {
            String::new()
        }
    } else {
        let year = x.floor();
        let month = ((x - year) * 12.0).floor().clamp(0.0, 11.0) as u32 + 1;
        NaiveDate::from_ymd_opt(year as i32, month, 1)
            .map(|d| d.format("%b %Y").to_string())
            .unwrap_or_default()
    }
}

/// The grid with labels: no vertical grid lines (bars and dates carry the x axis).
pub(super) fn mesh(
    chart: &mut Chart<'_, '_>,
    layout: Layout,
    x_label: &dyn Fn(&f64) -> String,
    y_desc: &str,
    x_desc: Option<&str>,
) -> ChartResult {
    let mut mesh = chart.configure_mesh();
    mesh.label_style(layout.label())
        .axis_desc_style(layout.label())
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(layout.x_labels)
        .y_labels(6)
        .x_label_formatter(x_label)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc(y_desc);
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    mesh.draw()?;
    Ok(())
}

/// A chart over fractional years (`x`, see [`year_pos`]) with its grid drawn: years or months
/// as labels (by `label_span`, in years), `y_desc` on the y axis.
pub(super) fn years<'a, 'b>(
    root: &'a Area<'b>,
    layout: Layout,
    x: (f64, f64),
    y: (f64, f64),
    label_span: f64,
    y_desc: &str,
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut c = builder(root, layout, false, false).build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    mesh(
        &mut c,
        layout,
        &|x| year_label(*x, label_span),
        y_desc,
        None,
    )?;
    Ok(c)
}

/// A chart builder with the page's margins: room on the right for the last label, and for a
/// second y axis when asked.
pub(super) fn builder<'a, 'b>(
    root: &'a Area<'b>,
    layout: Layout,
    right_axis: bool,
    x_desc: bool,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.margin_top(10)
        .margin_left(6)
        .margin_right(if right_axis { 6 } else { 18 })
        .margin_bottom(6)
        .x_label_area_size(layout.font * if x_desc { 3 } else { 2 } + 4)
        .y_label_area_size(layout.y_area);
    if right_axis {
        b.right_y_label_area_size(layout.y_area);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figure in pieces is, joined, the figure of the joined chart, byte for byte.
    #[test]
    fn a_figure_in_pieces_is_the_whole_figure() {
        let draw = |root: &Area<'_>, layout: Layout| -> ChartResult {
            let mut c =
                builder(root, layout, false, false).build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
            c.draw_series([(0.2, 0.3), (0.7, 0.9)].map(|p| Circle::new(p, 3, BLUE.filled())))?;
            Ok(())
        };
        let legend = [(Mark::Dot(BLUE), "a <dot>".to_string())];
        let whole = figure("T & t", &legend, &both(draw), "cap <b>", " class=\"x\"");
        let parts: Vec<String> =
            figure_parts("T & t", &legend, draw, "cap <b>", " class=\"x\"").collect();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts.concat(), whole);
        assert!(whole.contains("<circle") && whole.ends_with("</figure>\n"));
    }

    #[test]
    fn year_positions_run_through_the_year() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(year_pos(d(2024, 1, 1)), 2024.0);
        assert!((year_pos(d(2024, 7, 2)) - 2024.5).abs() < 0.002);
        assert!(year_pos(d(2023, 12, 31)) < 2024.0);
        assert_eq!(year_label(2020.0, 10.0), "2020");
        assert_eq!(year_label(2020.5, 10.0), "");
        assert_eq!(year_label(2020.5, 1.0), "Jul 2020");
    }

    #[test]
    fn ranges_leave_room_at_both_ends() {
        let (lo, hi) = range([150.0, 190.0].into_iter(), 0.05, 1.0);
        assert_eq!((lo, hi), (148.0, 192.0));
        let (lo, hi) = range([160.0].into_iter(), 0.05, 3.0);
        assert_eq!((lo, hi), (157.0, 163.0));
        assert_eq!(range(std::iter::empty(), 0.05, 1.0), (0.0, 1.0));
    }
}
