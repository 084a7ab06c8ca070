//! The `/csvstats` chart: one horizontal bar per file, split into available,
//! in use, cooling down and retired numbers, as a PNG.

/// One bar of the chart.
pub struct Bar {
    /// Available now.
    pub available: u64,
    /// Held by users.
    pub assigned: u64,
    /// Waiting for their cooldown.
    pub cooling: u64,
    /// Retired after use.
    pub retired: u64,
}

/// Colours, in bar order: available, in use, cooling, retired.
pub const LEGEND: [(&str, [u8; 3]); 4] = [
    ("available", [46, 160, 67]),
    ("in use", [245, 158, 11]),
    ("cooling down", [156, 163, 175]),
    ("retired", [220, 38, 38]),
];

const WIDTH: u32 = 640;
const BAR: u32 = 22;
const GAP: u32 = 10;
const MARGIN: u32 = 16;
const BACKGROUND: [u8; 3] = [255, 255, 255];
const TRACK: [u8; 3] = [241, 245, 249];

/// Bars drawn at most (the caller lists no more files than this).
pub const MAX_BARS: usize = 60;

/// Renders the bars (the first [`MAX_BARS`]), longest file full width, as PNG bytes.
pub fn render(bars: &[Bar]) -> Vec<u8> {
    let bars = &bars[..bars.len().min(MAX_BARS)];
    let rows = bars.len().max(1) as u32;
    let height = MARGIN * 2 + rows * BAR + (rows - 1) * GAP;
    let mut pixels = vec![0u8; (WIDTH * height * 3) as usize];
    for px in pixels.chunks_exact_mut(3) {
        px.copy_from_slice(&BACKGROUND);
    }
    let span = WIDTH - 2 * MARGIN;
    let max = bars
        .iter()
        .map(|b| b.available + b.assigned + b.cooling + b.retired)
        .max()
        .unwrap_or(0)
        .max(1);
    for (row, bar) in bars.iter().enumerate() {
        let top = MARGIN + row as u32 * (BAR + GAP);
        fill(&mut pixels, MARGIN, top, span, BAR, TRACK);
        let mut x = MARGIN;
        let parts = [bar.available, bar.assigned, bar.cooling, bar.retired];
        for (part, (_, colour)) in parts.iter().zip(LEGEND) {
            let w = ((*part as u128 * span as u128) / max as u128) as u32;
            // A non-empty part stays visible.
            let w = if *part > 0 { w.max(2) } else { 0 }.min(MARGIN + span - x);
            fill(&mut pixels, x, top, w, BAR, colour);
            x += w;
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&pixels)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

fn fill(pixels: &mut [u8], x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
    for row in y..y + h {
        for col in x..x + w {
            let i = ((row * WIDTH + col) * 3) as usize;
            pixels[i..i + 3].copy_from_slice(&colour);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_png_with_each_part_in_its_colour() {
        let png_bytes = render(&[
            Bar {
                available: 50,
                assigned: 25,
                cooling: 25,
                retired: 0,
            },
            Bar {
                available: 10,
                assigned: 0,
                cooling: 0,
                retired: 0,
            },
        ]);
        let decoder = png::Decoder::new(png_bytes.as_slice());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(
            (info.width, info.height),
            (WIDTH, 2 * MARGIN + 2 * BAR + GAP)
        );
        let at = |x: u32, y: u32| {
            let i = ((y * WIDTH + x) * 3) as usize;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        let mid = MARGIN + BAR / 2;
        assert_eq!(at(MARGIN + 10, mid), LEGEND[0].1);
        assert_eq!(at(MARGIN + 608 / 2 + 10, mid), LEGEND[1].1);
        assert_eq!(at(WIDTH - MARGIN - 10, mid), LEGEND[2].1);
        // The second file is a tenth as long: its track shows after it.
        let second = MARGIN + BAR + GAP + BAR / 2;
        assert_eq!(at(MARGIN + 10, second), LEGEND[0].1);
        assert_eq!(at(MARGIN + 200, second), TRACK);
    }
}
