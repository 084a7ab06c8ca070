//! The `/csvstats` charts, drawn with plotters in an embedded font (DejaVu
//! Sans, `assets/`), so no system fonts are needed:
//! - per file: one horizontal bar each, named, split into available, in
//!   use, cooling down and retired numbers, with its count;
//! - over time: numbers taken and codes received per day.
//!
//! Each has a title, a legend and axes.

use std::sync::Once;

use plotters::{
    coord::ranged1d::SegmentValue,
    prelude::*,
    style::{
        register_font,
        text_anchor::{HPos, Pos, VPos},
        FontStyle,
    },
};

/// One bar of the chart.
pub struct Bar {
    /// The file it shows.
    pub name: String,
    /// Available now.
    pub available: u64,
    /// Held by users.
    pub assigned: u64,
    /// Waiting for their cooldown.
    pub cooling: u64,
    /// Retired after use.
    pub retired: u64,
}

impl Bar {
    fn total(&self) -> u64 {
        self.available + self.assigned + self.cooling + self.retired
    }
}

/// Colours, in bar order: available, in use, cooling, retired.
pub const LEGEND: [(&str, [u8; 3]); 4] = [
    ("available", [46, 160, 67]),
    ("in use", [245, 158, 11]),
    ("cooling down", [156, 163, 175]),
    ("retired", [220, 38, 38]),
];

/// Width of the image: Telegram shows photos up to about this wide.
pub const WIDTH: u32 = 900;
/// Height of one file's row.
const ROW: u32 = 34;
/// Title, legend and axis.
const FRAME: u32 = 150;
/// File names are cut to this many characters.
const NAME_CHARS: usize = 28;
/// Bars drawn at most (the caller lists no more files than this).
pub const MAX_BARS: usize = 60;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the embedded font is a TrueType font"));
    });
}

/// The height of a chart of `bars` bars.
pub fn height(bars: usize) -> u32 {
    FRAME + ROW * bars.clamp(1, MAX_BARS) as u32
}

fn cut(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let mut out: String = name.chars().take(NAME_CHARS - 1).collect();
    out.push('…');
    out
}

fn colour([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

/// Renders the bars (the first [`MAX_BARS`]) as PNG bytes.
pub fn render(bars: &[Bar]) -> Vec<u8> {
    font();
    let bars = &bars[..bars.len().min(MAX_BARS)];
    let (width, height) = (WIDTH, height(bars.len()));
    let mut pixels = vec![255u8; (width * height * 3) as usize];
    draw(bars, &mut pixels, (width, height)).expect("drawing into memory");
    encode(&pixels, width, height)
}

/// One day of the usage chart.
pub struct Day {
    /// Its label on the axis (`12-01`).
    pub label: String,
    /// Numbers taken that day.
    pub taken: u64,
    /// Codes received that day.
    pub codes: u64,
}

/// Colours of the usage chart: numbers taken, codes received.
pub const USAGE_LEGEND: [(&str, [u8; 3]); 2] = [
    ("numbers taken", [37, 99, 235]),
    ("codes received", [46, 160, 67]),
];

/// Height of the usage chart.
pub const USAGE_HEIGHT: u32 = 460;

/// Renders numbers taken and codes received per day as PNG bytes.
pub fn render_usage(days: &[Day]) -> Vec<u8> {
    font();
    let (width, height) = (WIDTH, USAGE_HEIGHT);
    let mut pixels = vec![255u8; (width * height * 3) as usize];
    draw_usage(days, &mut pixels, (width, height)).expect("drawing into memory");
    encode(&pixels, width, height)
}

fn encode(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(pixels)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

/// The area a chart is drawn in, under its header.
type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// Draws the title, then the legend in a row under it; returns the area
/// left for the chart.
fn header<'a>(
    root: &Area<'a>,
    title: &str,
    legend: &[(&str, [u8; 3])],
) -> Result<Area<'a>, Box<dyn std::error::Error>> {
    let (head, body) = root.split_vertically(76);
    head.draw(&Text::new(title, (16, 10), ("sans-serif", 26).into_font()))?;
    let mut x = 16;
    for (label, rgb) in legend {
        head.draw(&Rectangle::new(
            [(x, 50), (x + 16, 64)],
            colour(*rgb).filled(),
        ))?;
        head.draw(&Text::new(
            *label,
            (x + 22, 49),
            ("sans-serif", 16).into_font(),
        ))?;
        x += 40 + 9 * label.len() as i32;
    }
    Ok(body)
}

fn draw(
    bars: &[Bar],
    pixels: &mut [u8],
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(pixels, size).into_drawing_area();
    root.fill(&WHITE)?;
    let body = header(&root, "Numbers per file, by state", &LEGEND)?;
    let max = bars.iter().map(Bar::total).max().unwrap_or(0).max(1);
    let rows = bars.len().max(1) as u32;
    let names: Vec<String> = bars.iter().map(|b| cut(&b.name)).collect();
    // The first file on top.
    let row_of = |i: usize| rows - 1 - i as u32;
    let mut chart = ChartBuilder::on(&body)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(230)
        .build_cartesian_2d(0..max + max / 4 + 1, (0..rows - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("numbers")
        .x_labels(8)
        .y_labels(rows as usize)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(row) => names
                .get((rows - 1 - row) as usize)
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 15))
        .draw()?;
    for (part, (_, rgb)) in LEGEND.iter().enumerate() {
        let fill = colour(*rgb).filled();
        chart.draw_series(bars.iter().enumerate().map(move |(i, bar)| {
            let parts = [bar.available, bar.assigned, bar.cooling, bar.retired];
            let start: u64 = parts[..part].iter().sum();
            let mut r = Rectangle::new(
                [
                    (start, SegmentValue::Exact(row_of(i))),
                    (start + parts[part], SegmentValue::Exact(row_of(i) + 1)),
                ],
                fill,
            );
            r.set_margin(6, 6, 0, 0);
            r
        }))?;
    }
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let used = bar.assigned + bar.cooling + bar.retired;
        Text::new(
            format!("{} ({used} used)", bar.total()),
            (
                bar.total() + max / 100 + 1,
                SegmentValue::CenterOf(row_of(i)),
            ),
            TextStyle::from(("sans-serif", 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
        )
    }))?;
    root.present()?;
    Ok(())
}

fn draw_usage(
    days: &[Day],
    pixels: &mut [u8],
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(pixels, size).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!(
        "Numbers taken and codes received, last {} days (UTC)",
        days.len()
    );
    let body = header(&root, &title, &USAGE_LEGEND)?;
    let n = days.len().max(1) as u32;
    let max = days
        .iter()
        .map(|d| d.taken.max(d.codes))
        .max()
        .unwrap_or(0)
        .max(1);
    let labels: Vec<&str> = days.iter().map(|d| d.label.as_str()).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0..max + max / 5 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n as usize)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).unwrap_or(&"").to_string(),
            _ => String::new(),
        })
        .y_desc("per day")
        .label_style(("sans-serif", 14))
        .draw()?;
    // Two bars a day, side by side: each takes half of the day's width.
    let day_px = chart.plotting_area().dim_in_pixel().0 / n;
    let half = (day_px / 2) as i32;
    for (side, (_, rgb)) in USAGE_LEGEND.iter().enumerate() {
        let fill = colour(*rgb).filled();
        chart.draw_series(days.iter().enumerate().map(move |(i, d)| {
            let value = if side == 0 { d.taken } else { d.codes };
            let i = i as u32;
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), value),
                ],
                fill,
            );
            if side == 0 {
                r.set_margin(0, 0, 4, half as u32);
            } else {
                r.set_margin(0, 0, half as u32, 4);
            }
            r
        }))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info, buf)
    }

    #[test]
    fn renders_a_labelled_png_with_each_state_in_its_colour() {
        let bars = [
            Bar {
                name: "UAE_Mobile_20261201_101010.csv".into(),
                available: 50,
                assigned: 25,
                cooling: 25,
                retired: 0,
            },
            Bar {
                name: "UK.csv".into(),
                available: 10,
                assigned: 0,
                cooling: 0,
                retired: 5,
            },
        ];
        let png_bytes = render(&bars);
        if let Some(path) = std::env::var_os("NUMBOT_CHART_OUT") {
            std::fs::write(path, &png_bytes).unwrap();
        }
        let (info, buf) = decode(&png_bytes);
        assert_eq!((info.width, info.height), (WIDTH, height(2)));
        let count = |rgb: [u8; 3]| buf.chunks_exact(3).filter(|p| *p == rgb).count();
        for (label, rgb) in LEGEND {
            assert!(count(rgb) > 50, "{label} is drawn");
        }
        // Text in the embedded font: dark pixels beyond the bars' colours.
        let dark = buf
            .chunks_exact(3)
            .filter(|p| p.iter().all(|c| *c < 90))
            .count();
        assert!(dark > 2_000, "labels, title and axis are drawn: {dark}");
        // Twice as many available as in use in the first bar.
        assert!(count(LEGEND[0].1) > count(LEGEND[1].1));
    }

    #[test]
    fn the_usage_chart_shows_both_series_per_day() {
        let days: Vec<Day> = (0..14)
            .map(|i| Day {
                label: format!("12-{:02}", 1 + i),
                taken: 10 * i,
                codes: 5 * i,
            })
            .collect();
        let png_bytes = render_usage(&days);
        if let Some(path) = std::env::var_os("NUMBOT_USAGE_CHART_OUT") {
            std::fs::write(path, &png_bytes).unwrap();
        }
        let (info, buf) = decode(&png_bytes);
        assert_eq!((info.width, info.height), (WIDTH, USAGE_HEIGHT));
        let count = |rgb: [u8; 3]| buf.chunks_exact(3).filter(|p| *p == rgb).count();
        let (taken, codes) = (count(USAGE_LEGEND[0].1), count(USAGE_LEGEND[1].1));
        assert!(codes > 500, "codes are drawn: {codes}");
        // Twice as many taken as codes: about twice the area.
        let ratio = taken as f64 / codes as f64;
        assert!((1.6..2.4).contains(&ratio), "{taken} / {codes}");
        let empty = render_usage(&[]);
        assert_eq!(decode(&empty).0.height, USAGE_HEIGHT);
    }

    #[test]
    fn sixty_files_fit_and_long_names_are_cut() {
        let bars: Vec<Bar> = (0..80)
            .map(|i| Bar {
                name: format!("{}_{i}.csv", "A very long category name".repeat(3)),
                available: i,
                assigned: 1,
                cooling: 0,
                retired: 0,
            })
            .collect();
        let (info, _) = decode(&render(&bars));
        assert_eq!(info.height, height(MAX_BARS));
        assert_eq!(cut(&bars[0].name).chars().count(), NAME_CHARS);
    }
}
