//! `archivist completions` and `archivist man`: generated from the command line's definition,
//! so they never drift from it.

use super::{Cli, CompletionsArgs, ManArgs};
use crate::error::{ExitStatus, Result};
use clap::CommandFactory;
use std::io::Write;

pub fn completions(args: &CompletionsArgs) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "archivist", &mut out);
    out.flush()?;
    Ok(ExitStatus::Success)
}

pub fn man(args: &ManArgs) -> Result<ExitStatus> {
    let command = Cli::command();
    match &args.out {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            fs_err::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)?;
        }
    }
    Ok(ExitStatus::Success)
}
