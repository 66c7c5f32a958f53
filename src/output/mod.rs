//! The output stage: frames, file writers, the progress bar and the summary. The only part of
//! fitrisk that imports polars, plotters or indicatif, or prints.

pub(crate) mod capture;
pub(crate) mod export;
pub(crate) mod folder;
pub(crate) mod frames;
pub(crate) mod html;
mod numbers;
pub(crate) mod partition;
pub(crate) mod progress;
pub(crate) mod squad;
pub(crate) mod summary;
pub(crate) mod xlsx;
