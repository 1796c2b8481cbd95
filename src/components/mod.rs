//! The UI, one file (or folder) per component. Components talk to the
//! services in `state` only.

mod alert;
mod demo_banner;
mod gallery;
mod key_panel;
mod options;
mod part;
mod prompt_form;
mod references;
mod results;
mod settings_panel;

pub use alert::AlertRegion;
pub use demo_banner::DemoBanner;
pub use gallery::{gallery_view, prefetch_gallery};
pub use key_panel::{key_panel_view, prefetch_account};
pub use options::prefetch_options;
pub use part::lazy_view;
pub use prompt_form::PromptForm;
pub use results::Results;
pub use settings_panel::{prefetch_settings, settings_view};
