//! Parts of the app that load when first needed.
//!
//! [`lazy_part!`] marks a function as the entry into a part. Built with the
//! `split` feature (what `cargo xtask build` does), wasm-split moves the
//! function and everything only it reaches into a separate wasm file, fetched
//! the first time the function is called (or when [`lazy_part!`]'s prefetch
//! function runs). Without the feature (tests, clippy) it is an ordinary
//! function. Either way callers `.await` it and get
//! `Result<T, PartUnavailable>`. A leaf module: every layer may declare parts.

/// A part of the app could not be fetched (offline, or the site was updated
/// and the old file is gone). Nothing is cached: the next call tries again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::core().studio_part_unavailable)]
pub struct PartUnavailable;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for PartUnavailable {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        PartUnavailable
    }
}

/// Declares the entry function of a part:
///
/// ```text
/// lazy_part! {
///     /// Docs.
///     part gallery, prefetch prefetch_gallery;
///     pub fn gallery_view(query: String) -> AnyView { ... }
/// }
/// ```
///
/// `part` names the wasm file (functions with the same part share it);
/// `prefetch` (optional) names a function that only fetches the part. An `async fn`
/// body may await; arguments must be owned (`'static`) values.
#[macro_export]
macro_rules! lazy_part {
    (
        $(#[$meta:meta])*
        part $part:ident $(, prefetch $prefetch:ident)?;
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        #[cfg(feature = "split")]
        $(#[$meta])*
        #[::wasm_split_helpers::wasm_split($part, fallible $(, preload($prefetch))?)]
        $vis fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::lazy::PartUnavailable> {
            ::core::result::Result::Ok($body)
        }

        #[cfg(not(feature = "split"))]
        $(#[$meta])*
        #[allow(clippy::unused_async)]
        $vis async fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::lazy::PartUnavailable> {
            ::core::result::Result::Ok($body)
        }

        $(
            #[cfg(not(feature = "split"))]
            #[allow(clippy::unused_async)]
            /// Fetches the part (nothing to fetch in a build without parts).
            $vis async fn $prefetch() -> ::core::result::Result<(), $crate::lazy::PartUnavailable> {
                ::core::result::Result::Ok(())
            }
        )?
    };
    (
        $(#[$meta:meta])*
        part $part:ident $(, prefetch $prefetch:ident)?;
        $vis:vis async fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        #[cfg(feature = "split")]
        $(#[$meta])*
        #[::wasm_split_helpers::wasm_split(
            $part,
            fallible,
            $(preload($prefetch),)?
            return_wrapper(let future = _; { ::core::result::Result::Ok(future.await) } -> ::core::result::Result<$ret, $crate::lazy::PartUnavailable>)
        )]
        $vis fn $name($($arg: $ty),*) -> ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = $ret>>> {
            ::std::boxed::Box::pin(async move $body)
        }

        #[cfg(not(feature = "split"))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::lazy::PartUnavailable> {
            ::core::result::Result::Ok(async move $body.await)
        }

        $(
            #[cfg(not(feature = "split"))]
            #[allow(clippy::unused_async)]
            /// Fetches the part (nothing to fetch in a build without parts).
            $vis async fn $prefetch() -> ::core::result::Result<(), $crate::lazy::PartUnavailable> {
                ::core::result::Result::Ok(())
            }
        )?
    };
}
