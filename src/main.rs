use std::process::ExitCode;

use clap::Parser;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = fitrisk::cli::Cli::parse();
    match fitrisk::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            // Every error of fitrisk's names its cause in its own message; the alternate form
            // would print the cause a second time.
            eprintln!("fitrisk: error: {}", err.error);
            ExitCode::from(err.exit.code())
        }
    }
}
