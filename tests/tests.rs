//! Integration tests: drive the real `fitrisk` binary over files in `testdata/` and files the
//! tests write with known contents. One test binary (faster to link), one module per area.

mod support;

mod cache;
mod cohort;
mod corpus;
mod downhill;
mod dynamics;
mod effort;
mod fields;
mod findings;
mod foot;
mod gait;
mod gear;
mod history;
mod ingest;
mod injection;
mod layers;
mod load;
mod outputs;
mod page;
mod paths;
mod report;
mod robust;
mod rules;
mod schema;
mod surface;
mod visible;
mod weeks_local;
mod workbook;
