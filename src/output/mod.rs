//! The output stage: frames, file writers, the progress bar and the summary. The only part of
//! fitrisk that imports polars, plotters or indicatif, or prints.

pub mod capture;
pub mod export;
pub mod frames;
pub mod html;
pub mod progress;
pub mod summary;
