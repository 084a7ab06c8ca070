//! Charts as SVG drawn here, their text laid out by the browser: any
//! script, right to left included, in the viewer's language. Text is
//! escaped; sizes are fixed so that the page reserves their space.

use std::fmt::Write;

use numbot_core::model::Usage;

use crate::render::html;

/// The colours of free, held, cooling and retired numbers.
const SHADES: [&str; 4] = ["#3aa76d", "#2f80ed", "#f2a93b", "#9aa3ad"];
const WIDTH: f64 = 360.0;

/// The words a chart shows, in the viewer's language.
pub(crate) struct Words {
    pub title: String,
    /// Free, held, cooling, retired.
    pub states: [String; 4],
    pub rtl: bool,
}

/// Where a line of text starts: the left edge, or the right one for a
/// right-to-left script (where `start` is the right end of the text).
fn text_anchor(rtl: bool) -> (&'static str, f64) {
    ("start", if rtl { WIDTH - 4.0 } else { 4.0 })
}

/// One stacked bar per category: free, held, cooling, retired.
pub(crate) fn pool(categories: &[(String, Usage)], words: &Words) -> String {
    let row = 34.0;
    let height = 48.0 + row * categories.len() as f64;
    let most = categories
        .iter()
        .map(|(_, u)| u.available + u.assigned + u.cooling + u.retired)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (anchor, x) = text_anchor(words.rtl);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" direction="{}"><title>{}</title>"#,
        if words.rtl { "rtl" } else { "ltr" },
        html(&words.title)
    );
    let _ = write!(
        svg,
        r#"<text x="{x}" y="14" text-anchor="{anchor}" class="chart-title">{}</text>"#,
        html(&words.title)
    );
    // The legend.
    for (i, (shade, name)) in SHADES.iter().zip(&words.states).enumerate() {
        let slot = WIDTH / 4.0 * i as f64;
        let left = if words.rtl { WIDTH - slot - 12.0 } else { slot };
        let label = if words.rtl { left - 4.0 } else { left + 16.0 };
        let _ = write!(
            svg,
            r#"<rect x="{left}" y="22" width="12" height="12" fill="{shade}"/><text x="{label}" y="32" text-anchor="{anchor}" class="legend">{}</text>"#,
            html(name)
        );
    }
    for (i, (name, u)) in categories.iter().enumerate() {
        let top = 48.0 + row * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{}" text-anchor="{anchor}" class="label">{}</text>"#,
            top + 10.0,
            html(name)
        );
        let mut at = 0.0;
        for (shade, count) in SHADES
            .iter()
            .zip([u.available, u.assigned, u.cooling, u.retired])
        {
            let width = (WIDTH - 8.0) * count as f64 / most;
            let left = if words.rtl {
                WIDTH - 4.0 - at - width
            } else {
                4.0 + at
            };
            let _ = write!(
                svg,
                r#"<rect x="{left:.1}" y="{}" width="{width:.1}" height="12" fill="{shade}"><title>{count}</title></rect>"#,
                top + 14.0
            );
            at += width;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One bar per day: numbers taken, with the day under it.
pub(crate) fn trend(days: &[(String, u64)], title: &str, rtl: bool) -> String {
    let height = 150.0;
    let most = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / days.len().max(1) as f64;
    let (anchor, x) = text_anchor(rtl);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" direction="{}"><title>{}</title><text x="{x}" y="14" text-anchor="{anchor}" class="chart-title">{}</text>"#,
        if rtl { "rtl" } else { "ltr" },
        html(title),
        html(title)
    );
    for (i, (day, n)) in days.iter().enumerate() {
        // Time runs the way the script reads.
        let place = if rtl { days.len() - 1 - i } else { i };
        let bar = 96.0 * *n as f64 / most;
        let left = slot * place as f64 + 2.0;
        let _ = write!(
            svg,
            r#"<rect x="{left:.1}" y="{:.1}" width="{:.1}" height="{bar:.1}" fill="{}"><title>{n}</title></rect><text x="{:.1}" y="{}" text-anchor="middle" class="day">{}</text>"#,
            124.0 - bar,
            slot - 4.0,
            SHADES[1],
            left + (slot - 4.0) / 2.0,
            140.0,
            html(day)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(rtl: bool) -> Words {
        Words {
            title: "المجمع <1>".into(),
            states: ["a".into(), "b".into(), "c".into(), "d".into()],
            rtl,
        }
    }

    #[test]
    fn text_is_escaped_and_right_to_left_is_mirrored() {
        let usage = Usage {
            available: 3,
            assigned: 1,
            ..Usage::default()
        };
        let svg = pool(&[("A&B".into(), usage)], &words(true));
        assert!(
            svg.contains("A&amp;B") && svg.contains("&lt;1&gt;"),
            "{svg}"
        );
        assert!(svg.contains(r#"direction="rtl""#));
        assert!(
            svg.contains(r#"<text x="356""#),
            "the title starts at the right: {svg}"
        );
        let ltr = pool(&[("A".into(), Usage::default())], &words(false));
        assert!(ltr.contains(r#"text-anchor="start""#));
        let days: Vec<(String, u64)> = (1..=14).map(|d| (format!("{d}"), d)).collect();
        let bars = trend(&days, "t", false);
        assert_eq!(bars.matches("<rect").count(), 14);
    }
}
