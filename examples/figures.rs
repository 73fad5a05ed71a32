//! Draws the README's figures into `examples/figures/`:
//!
//! - `concrete_simplex.png`: the two explanatory figures of Maddison, Mnih & Teh (2017) for the
//!   Concrete distribution: a discrete distribution on three outcomes with unnormalised
//!   probabilities α = (2, 0.5, 1), beside the densities of Concrete(α, λ) on the 2-simplex at
//!   λ = 2, 1 and 1/2, coloured from `concrete::log_density` with samples from
//!   `concrete::sample` scattered over them;
//! - `binary_concrete.png`: binary Concrete densities (`binary::log_density`) for several λ,
//!   with histograms of `binary::sample` draws on them;
//! - `variance.png`: the variance of every gradient estimator on the toy problems of
//!   `examples/variance.rs`, from the rows it writes to `examples/figures/variance.tsv`.
//!
//! ```sh
//! cargo run --release --example figures
//! ```
//!
//! Text needs DejaVu Sans (Debian's `fonts-dejavu-core`), read at run time as `train.rs` does.

use gumbel::{Temperature, binary, concrete};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;

const DIRECTORY: &str = "examples/figures";
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const FONT_FAMILY: &str = "sans-serif";

type Panel<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type Failure = Box<dyn std::error::Error>;

/// Unnormalised probabilities of the discrete distribution in the paper's figure.
const ALPHA: [f64; 3] = [2.0, 0.5, 1.0];
/// Category colours: one per vertex of the simplex.
const CATEGORY: [RGBColor; 3] = [
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
];

fn main() -> Result<(), Failure> {
    let bytes =
        std::fs::read(FONT).map_err(|e| format!("{FONT}: {e} (install fonts-dejavu-core)"))?;
    plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes.leak())
        .map_err(|_| "the font file is not a TrueType font")?;
    std::fs::create_dir_all(DIRECTORY)?;
    simplex_figure(&format!("{DIRECTORY}/concrete_simplex.png"))?;
    binary_figure(&format!("{DIRECTORY}/binary_concrete.png"))?;
    variance_figure(
        &format!("{DIRECTORY}/variance.tsv"),
        &format!("{DIRECTORY}/variance.png"),
    )?;
    println!("Figures written to {DIRECTORY}/.");
    Ok(())
}

/// Viridis, from its published end and quarter points, interpolated linearly: dark for low
/// values, yellow for high, readable in grey.
fn viridis(v: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let v = v.clamp(0.0, 1.0) * 4.0;
    let i = (v.floor() as usize).min(3);
    let f = v - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The triangle of one simplex panel, in pixels: vertices for outcomes 1 (bottom left), 2
/// (bottom right) and 3 (top).
struct Triangle {
    vertices: [(f64, f64); 3],
}

impl Triangle {
    fn in_panel(width: u32, height: u32) -> Self {
        let side = f64::from(width) * 0.74;
        let h = side * 3f64.sqrt() / 2.0;
        let left = (f64::from(width) - side) / 2.0;
        let bottom = f64::from(height) * 0.5 + h / 2.0 + 4.0;
        Self {
            vertices: [
                (left, bottom),
                (left + side, bottom),
                (left + side / 2.0, bottom - h),
            ],
        }
    }

    fn point(&self, x: [f64; 3]) -> (i32, i32) {
        let [a, b, c] = self.vertices;
        let px = x[0] * a.0 + x[1] * b.0 + x[2] * c.0;
        let py = x[0] * a.1 + x[1] * b.1 + x[2] * c.1;
        (px.round() as i32, py.round() as i32)
    }

    /// Barycentric coordinates of a pixel centre (may be negative outside the triangle).
    fn barycentric(&self, px: f64, py: f64) -> [f64; 3] {
        let [a, b, c] = self.vertices;
        let det = (b.1 - c.1) * (a.0 - c.0) + (c.0 - b.0) * (a.1 - c.1);
        let l1 = ((b.1 - c.1) * (px - c.0) + (c.0 - b.0) * (py - c.1)) / det;
        let l2 = ((c.1 - a.1) * (px - c.0) + (a.0 - c.0) * (py - c.1)) / det;
        [l1, l2, 1.0 - l1 - l2]
    }

    fn outline(&self, panel: &Panel) -> Result<(), Failure> {
        let mut path: Vec<(i32, i32)> = self
            .vertices
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        path.push(path[0]);
        panel.draw(&PathElement::new(path, BLACK.stroke_width(2)))?;
        Ok(())
    }

    /// The outcome labels at the vertices.
    fn label_vertices(&self, panel: &Panel, size: u32) -> Result<(), Failure> {
        let style = (FONT_FAMILY, size).into_font();
        let offsets = [(-22, 4), (10, 4), (-6, -28)];
        for (k, (&(x, y), (dx, dy))) in self.vertices.iter().zip(offsets).enumerate() {
            panel.draw(&Text::new(
                format!("{}", k + 1),
                (x.round() as i32 + dx, y.round() as i32 + dy),
                style.clone().color(&CATEGORY[k]),
            ))?;
        }
        Ok(())
    }
}

/// Panel title, centred at the top.
fn title(panel: &Panel, text: &str, size: u32) -> Result<(), Failure> {
    let (width, _) = panel.dim_in_pixel();
    let style = (FONT_FAMILY, size)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    panel.draw(&Text::new(text.to_string(), (width as i32 / 2, 8), style))?;
    Ok(())
}

/// Panel (a): the discrete distribution, a disc at each vertex with area ∝ its probability.
fn discrete_panel(panel: &Panel) -> Result<(), Failure> {
    let (width, height) = panel.dim_in_pixel();
    let triangle = Triangle::in_panel(width, height);
    title(panel, "(a) discrete, α = (2, 0.5, 1)", 20)?;
    triangle.outline(panel)?;
    let total: f64 = ALPHA.iter().sum();
    let largest = 30.0;
    // Labels outside the triangle: below the bottom vertices, right of the top one.
    let anchors = [
        (HPos::Center, VPos::Top, (0, 1)),
        (HPos::Center, VPos::Top, (0, 1)),
        (HPos::Left, VPos::Center, (1, 0)),
    ];
    for (k, (h, v, (dx, dy))) in anchors.into_iter().enumerate() {
        let p = ALPHA[k] / total;
        let radius = (largest * (p / (ALPHA[0] / total)).sqrt()).round() as i32;
        let mut corner = [0.0; 3];
        corner[k] = 1.0;
        let centre = triangle.point(corner);
        panel.draw(&Circle::new(centre, radius, CATEGORY[k].filled()))?;
        panel.draw(&Circle::new(centre, radius, BLACK.stroke_width(1)))?;
        let style = (FONT_FAMILY, 17)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(h, v));
        let at = (centre.0 + dx * (radius + 8), centre.1 + dy * (radius + 6));
        panel.draw(&Text::new(format!("p{} = {:.3}", k + 1, p), at, style))?;
    }
    Ok(())
}

/// Panels (b)–(d): the Concrete density at λ, coloured on a log scale, with samples on it.
fn concrete_panel(panel: &Panel, lambda: f32, letter: char, seed: u64) -> Result<(), Failure> {
    let (width, height) = panel.dim_in_pixel();
    let triangle = Triangle::in_panel(width, height);
    let logits = ALPHA.map(|a| a.ln() as f32);
    let temperature = Temperature::new(lambda)?;
    // The log-density at every pixel centre strictly inside the triangle.
    let mut cells = Vec::new();
    for py in 0..height {
        for px in 0..width {
            let b = triangle.barycentric(f64::from(px) + 0.5, f64::from(py) + 0.5);
            if b.iter().all(|&v| v > 0.0) {
                let x = b.map(|v| v as f32);
                if let Ok(log_p) = concrete::log_density(&logits, None, temperature, &x) {
                    cells.push((px, py, f64::from(log_p)));
                }
            }
        }
    }
    // The colour scale spans the 1st to the 99th percentile of the log-density, so the
    // singular corners at small λ do not wash out the rest.
    let mut sorted: Vec<f64> = cells.iter().map(|c| c.2).collect();
    sorted.sort_by(f64::total_cmp);
    let lo = sorted[sorted.len() / 100];
    let hi = sorted[sorted.len() * 99 / 100];
    for &(px, py, log_p) in &cells {
        panel.draw_pixel((px as i32, py as i32), &viridis((log_p - lo) / (hi - lo)))?;
    }
    triangle.outline(panel)?;
    triangle.label_vertices(panel, 18)?;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(seed);
    let mut x = [0.0f32; 3];
    for _ in 0..400 {
        concrete::sample(&mut rng, &logits, None, temperature, &mut x)?;
        let centre = triangle.point(x.map(f64::from));
        panel.draw(&Circle::new(centre, 2, WHITE.filled()))?;
        panel.draw(&Circle::new(centre, 2, BLACK.mix(0.6).stroke_width(1)))?;
    }
    let name = match lambda {
        2.0 => "2",
        1.0 => "1",
        _ => "1/2",
    };
    title(panel, &format!("({letter}) Concrete, λ = {name}"), 20)?;
    Ok(())
}

fn simplex_figure(path: &str) -> Result<(), Failure> {
    let root = BitMapBackend::new(path, (1400, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(50);
    let (body, bottom) = rest.split_vertically(370);
    title(
        &top,
        "Concrete(α, λ) on the simplex: colour = log-density (concrete::log_density), dots = 400 draws (concrete::sample)",
        21,
    )?;
    let panels = body.split_evenly((1, 4));
    discrete_panel(&panels[0])?;
    for (i, (lambda, letter)) in [(2.0, 'b'), (1.0, 'c'), (0.5, 'd')].into_iter().enumerate() {
        concrete_panel(&panels[i + 1], lambda, letter, 2017 + i as u64)?;
    }
    let (width, _) = bottom.dim_in_pixel();
    let note = (FONT_FAMILY, 16)
        .into_font()
        .color(&BLACK.mix(0.75))
        .pos(Pos::new(HPos::Center, VPos::Top));
    bottom.draw(&Text::new(
        "Colours run from dark (low) to yellow (high) on each panel's own log scale. As λ falls the mass moves to the corners, in the proportions of (a).",
        (width as i32 / 2, 4),
        note,
    ))?;
    root.present()?;
    Ok(())
}

/// The binary Concrete density for several λ, with histograms of draws on it.
fn binary_figure(path: &str) -> Result<(), Failure> {
    let logit = 2f32.ln();
    let lambdas = [
        (0.25f32, "1/4"),
        (0.5, "1/2"),
        (1.0, "1"),
        (2.0, "2"),
        (4.0, "4"),
    ];
    let colours = [
        RGBColor(213, 94, 0),
        RGBColor(204, 121, 167),
        RGBColor(0, 114, 178),
        RGBColor(0, 158, 115),
        RGBColor(86, 86, 86),
    ];
    let root = BitMapBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(20)
        .caption(
            "Binary Concrete, α = 2 (P(1) = 2/3): density (binary::log_density), dots = histogram of 10⁵ draws (binary::sample)",
            (FONT_FAMILY, 19),
        )
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0f64..1.0, 0.0f64..4.5)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("density p(x)")
        .axis_desc_style((FONT_FAMILY, 18))
        .label_style((FONT_FAMILY, 15))
        .light_line_style(BLACK.mix(0.06))
        .draw()?;
    const BINS: usize = 50;
    const DRAWS: usize = 100_000;
    for (i, (&(lambda, name), colour)) in lambdas.iter().zip(colours).enumerate() {
        let temperature = Temperature::new(lambda)?;
        let curve = (1..400).filter_map(|j| {
            let x = j as f32 / 400.0;
            let density = f64::from(binary::log_density(logit, temperature, x).ok()?).exp();
            (density <= 4.6).then_some((f64::from(x), density))
        });
        chart
            .draw_series(LineSeries::new(curve, colour.stroke_width(2)))?
            .label(format!("λ = {name}"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], colour.stroke_width(3)));
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(7 + i as u64);
        let mut counts = [0usize; BINS];
        for _ in 0..DRAWS {
            let x = binary::sample(&mut rng, logit, temperature)?;
            counts[((x * BINS as f32) as usize).min(BINS - 1)] += 1;
        }
        let dots = counts.iter().enumerate().filter_map(|(b, &c)| {
            let height = c as f64 * BINS as f64 / DRAWS as f64;
            (height <= 4.5).then_some(((b as f64 + 0.5) / BINS as f64, height))
        });
        chart.draw_series(dots.map(|p| Circle::new(p, 4, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::Coordinate(130, 90))
        .label_font((FONT_FAMILY, 17))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}

/// One row of `variance.tsv`.
struct Row {
    problem: String,
    estimator: String,
    log10_variance: f64,
}

fn read_variance(path: &str) -> Result<Vec<Row>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{path}: {e} (run `cargo run --release --example variance` first)"))?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [problem, estimator, _, _, log10_variance, _] = fields[..] else {
            return Err(format!("{path}: malformed line {line:?}").into());
        };
        rows.push(Row {
            problem: problem.into(),
            estimator: estimator.into(),
            log10_variance: log10_variance.parse()?,
        });
    }
    Ok(rows)
}

/// Horizontal bars, one group per estimator and one bar per problem, on a log axis.
fn variance_figure(table: &str, path: &str) -> Result<(), Failure> {
    let rows = read_variance(table)?;
    let mut problems: Vec<&str> = Vec::new();
    let mut estimators: Vec<&str> = Vec::new();
    for row in &rows {
        if !problems.contains(&row.problem.as_str()) {
            problems.push(&row.problem);
        }
        if !estimators.contains(&row.estimator.as_str()) {
            estimators.push(&row.estimator);
        }
    }
    let lowest = rows
        .iter()
        .map(|r| r.log10_variance)
        .fold(f64::INFINITY, f64::min);
    let highest = rows
        .iter()
        .map(|r| r.log10_variance)
        .fold(f64::NEG_INFINITY, f64::max);
    let floor = 10f64.powf(lowest.floor() - 0.5);
    // A decade of room on the right for the value labels.
    let ceiling = 10f64.powf(highest.ceil() + 1.0);
    let colours = [
        RGBColor(0, 114, 178),
        RGBColor(86, 180, 233),
        RGBColor(213, 94, 0),
    ];
    let root = BitMapBackend::new(path, (1100, 780)).into_drawing_area();
    root.fill(&WHITE)?;
    let groups = estimators.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(20)
        .caption(
            "Gradient estimator variance (examples/variance.rs, 10⁵ draws; lower is better)",
            (FONT_FAMILY, 21),
        )
        .x_label_area_size(50)
        .y_label_area_size(230)
        // An empty band below the last group holds the legend.
        .build_cartesian_2d((floor..ceiling).log_scale(), -1.4..groups)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("variance of the gradient estimate (log scale)")
        .axis_desc_style((FONT_FAMILY, 18))
        .y_labels(0)
        .x_label_formatter(&|v| format!("1e{:.0}", v.log10()))
        .label_style((FONT_FAMILY, 15))
        .light_line_style(BLACK.mix(0.06))
        .draw()?;
    let band = 0.8 / problems.len() as f64;
    for (p, (&problem, colour)) in problems.iter().zip(colours).enumerate() {
        let bars = rows.iter().filter(|r| r.problem == problem).map(|r| {
            let g = estimators
                .iter()
                .position(|&e| e == r.estimator)
                .unwrap_or(0);
            // The first estimator at the top.
            let top = groups - g as f64 - 0.1 - band * p as f64;
            Rectangle::new(
                [(floor, top - band), (10f64.powf(r.log10_variance), top)],
                colour.filled(),
            )
        });
        let values = rows.iter().filter(|r| r.problem == problem).map(|r| {
            let g = estimators
                .iter()
                .position(|&e| e == r.estimator)
                .unwrap_or(0);
            let centre = groups - g as f64 - 0.1 - band * (p as f64 + 0.5);
            let style = (FONT_FAMILY, 12)
                .into_font()
                .color(&BLACK.mix(0.8))
                .pos(Pos::new(HPos::Left, VPos::Center));
            Text::new(
                format!(" {:.1e}", 10f64.powf(r.log10_variance)),
                (10f64.powf(r.log10_variance), centre),
                style,
            )
        });
        chart.draw_series(values)?;
        chart
            .draw_series(bars)?
            .label(problem.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], colour.filled()));
    }
    // Estimator names beside their groups.
    let (left, _) = chart.plotting_area().get_pixel_range();
    let name_style = (FONT_FAMILY, 16)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (g, estimator) in estimators.iter().enumerate() {
        let centre = groups - g as f64 - 0.5;
        let (_, y) = chart.backend_coord(&(floor, centre));
        root.draw(&Text::new(
            estimator.to_string(),
            (left.start - 10, y),
            name_style.clone(),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT_FAMILY, 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}
