//! The UI, one file (or folder) per component. Components talk to the
//! services in `state` only.

mod alert;
mod choice;
mod download;
mod gallery;
mod header;
mod jobs;
mod key_panel;
mod options;
mod part;
mod prompt_form;
mod prompt_tools;
mod references;
mod results;
mod settings_panel;
mod shortcuts;

pub use alert::AlertRegion;
pub(crate) use choice::setting_select;
pub use gallery::gallery_view;
pub use header::{Panels, header_tools_view};
pub use jobs::jobs_view;
pub use key_panel::key_panel_view;
pub use options::{options_view, prefetch_panels};
pub use part::{lazy_view, lazy_view_or};
pub use prompt_form::PromptForm;
pub use prompt_tools::prompt_tools_view;
pub use settings_panel::settings_view;
