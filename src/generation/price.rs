//! The one place that knows klein's price (OpenRouter model page, 2026):
//! $0.014 for the first output megapixel, $0.001 for each further one.

const FIRST_MEGAPIXEL_USD: f64 = 0.014;
const FURTHER_MEGAPIXEL_USD: f64 = 0.001;
/// How OpenRouter counts a megapixel is unconfirmed; 2^20 pixels is our guess.
const PIXELS_PER_MEGAPIXEL: f64 = 1_048_576.0;

/// How many of `wanted` images costing `each` fit under a daily `limit`,
/// with `spent` already billed today and `pending` estimated for images sent
/// or queued but not billed yet. (A billionth of a dollar of float rounding
/// never refuses an image that fits exactly.)
pub fn images_within_limit(limit: f64, spent: f64, pending: f64, each: f64, wanted: u32) -> u32 {
    if each <= 0.0 {
        return wanted;
    }
    let room = limit - spent - pending + 1e-9;
    ((room / each).floor().max(0.0) as u32).min(wanted)
}

/// Klein's estimated price of one output image of `width`×`height` pixels.
pub fn estimate_cost_usd(width: u32, height: u32) -> f64 {
    KLEIN_PRICE.of_image(width, height).unwrap_or_default()
}

/// What one output image of a model costs, as far as the studio knows: the
/// one source for the picker, the estimate and the batch total.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ModelPrice {
    /// A flat price per image (an endpoint's `unit: "image"` line).
    PerImage(f64),
    /// Per started megapixel: the first one, and each further one.
    PerMegapixel { first: f64, further: f64 },
    /// No per-image figure is known (none given, or only per token): the
    /// studio says "price on OpenRouter" rather than guess.
    #[default]
    Unknown,
}

/// Klein's published rule.
pub const KLEIN_PRICE: ModelPrice = ModelPrice::PerMegapixel {
    first: FIRST_MEGAPIXEL_USD,
    further: FURTHER_MEGAPIXEL_USD,
};

impl ModelPrice {
    /// The price of one image of this size, when known.
    pub fn of_image(self, width: u32, height: u32) -> Option<f64> {
        match self {
            ModelPrice::PerImage(usd) => Some(usd),
            ModelPrice::PerMegapixel { first, further } => {
                let megapixels =
                    (f64::from(width) * f64::from(height) / PIXELS_PER_MEGAPIXEL).ceil();
                Some(first + further * (megapixels - 1.0).max(0.0))
            }
            ModelPrice::Unknown => None,
        }
    }

    /// Reads an Images API endpoint's `pricing` lines as `(billable, unit,
    /// variant, cost_usd)`. Only output-image lines priced per image or per
    /// megapixel count; a per-token line is never turned into a per-image
    /// figure. Megapixel variants are unconfirmed: a line whose variant says
    /// "additional"/"further"/"subsequent" is the further-megapixel price, a
    /// lone line applies to every megapixel.
    pub fn from_lines<'a>(
        lines: impl IntoIterator<Item = (&'a str, &'a str, &'a str, f64)>,
    ) -> ModelPrice {
        let (mut per_image, mut first, mut further) = (None, None, None);
        for (billable, unit, variant, usd) in lines {
            if billable != "output_image" || !(0.0..100.0).contains(&usd) {
                continue;
            }
            match unit {
                "image" => per_image = per_image.or(Some(usd)),
                "megapixel"
                    if ["additional", "further", "subsequent"]
                        .iter()
                        .any(|w| variant.contains(w)) =>
                {
                    further = further.or(Some(usd))
                }
                "megapixel" => first = first.or(Some(usd)),
                _ => {}
            }
        }
        match (per_image, first, further) {
            (Some(usd), _, _) => ModelPrice::PerImage(usd),
            (None, Some(first), further) => ModelPrice::PerMegapixel {
                first,
                further: further.unwrap_or(first),
            },
            (None, None, Some(only)) => ModelPrice::PerMegapixel {
                first: only,
                further: only,
            },
            _ => ModelPrice::Unknown,
        }
    }
}

/// `$0.014`, or five decimals for sub-tenth-of-a-cent amounts. Integer
/// arithmetic keeps float formatting code out of the wasm.
pub fn format_usd(amount: f64) -> String {
    let sign = if amount < 0.0 { "-" } else { "" };
    let amount = amount.abs();
    let (scale, digits) = if amount != 0.0 && amount < 0.001 {
        (100_000.0, 5)
    } else {
        (1_000.0, 3)
    };
    let units = (amount * scale).round() as u64;
    let divisor = 10u64.pow(digits);
    format!(
        "{sign}${}.{:0width$}",
        units / divisor,
        units % divisor,
        width = digits as usize
    )
}
