//! The pure domain at the bottom of the module graph: model ids, image formats,
//! the price rule, what a generation asks for and what it brings back. No
//! browser, no HTTP, no storage: everything here is tested natively.

pub mod image;
pub mod job;
pub mod model;
pub mod output;
mod price;
pub mod request;
pub mod share;

pub use image::{DecodedImage, Header, ImageDataError, ImageFormat, inspect_header, verify_image};
pub use job::{
    DEFAULT_PARALLEL, ImageState, Job, JobImage, MAX_BATCH, MAX_PARALLEL, Phase, RetryWait,
    batch_seeds, next_to_send, prompts_from,
};
pub use model::{
    BUILT_IN_MODELS, KLEIN_MODEL, ModelChoice, PRICE_ELSEWHERE, built_in_models, is_model_id,
    price_known_without_asking, price_page,
};
pub use output::{GeneratedImage, GenerationOutput, ImageData, LinkedImageMissing};
pub use price::{KLEIN_PRICE, ModelPrice, estimate_cost_usd, format_usd, images_within_limit};
pub use request::{
    ASPECT_RATIOS, DEFAULT_ASPECT_RATIO, GenerationRequest, MAX_EDGE, MAX_PROMPT_CHARS,
    MAX_REFERENCE_PIXELS, MAX_REFERENCES, OutputFormat, Resolution, expected_size, file_name,
    output_size, parse_seed, reference_size, to_data_url,
};
pub use share::{ShareLinkError, SharedSettings};
