//! The one place that knows klein's price (OpenRouter model page, 2026):
//! $0.014 for the first output megapixel, $0.001 for each further one.

const FIRST_MEGAPIXEL_USD: f64 = 0.014;
const FURTHER_MEGAPIXEL_USD: f64 = 0.001;
/// How OpenRouter counts a megapixel is unconfirmed; 2^20 pixels is our guess.
const PIXELS_PER_MEGAPIXEL: f64 = 1_048_576.0;

/// Estimated price of one output image of `width`×`height` pixels.
pub fn estimate_cost_usd(width: u32, height: u32) -> f64 {
    let megapixels = (f64::from(width) * f64::from(height) / PIXELS_PER_MEGAPIXEL).ceil();
    FIRST_MEGAPIXEL_USD + FURTHER_MEGAPIXEL_USD * (megapixels - 1.0).max(0.0)
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
