//! The UI, one file (or folder) per component. Components talk to the
//! services in `state` only.

mod alert;
mod demo_banner;
mod gallery;
mod key_panel;
mod prompt_form;
mod references;
mod results;
mod settings_panel;

pub use alert::AlertRegion;
pub use demo_banner::DemoBanner;
pub use gallery::Gallery;
pub use key_panel::KeyPanel;
pub use prompt_form::PromptForm;
pub use results::Results;
pub use settings_panel::SettingsPanel;
