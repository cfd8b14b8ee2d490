//! `archivist keygen`: a minisign key pair for signing releases.

use super::KeygenArgs;
use crate::error::{ExitStatus, Result};
use crate::sign::{self, Password};
use std::io::Write;

pub fn run(args: &KeygenArgs) -> Result<ExitStatus> {
    let password = if args.no_password {
        Password::None
    } else {
        Password::Ask
    };
    let keys = sign::keygen(&args.out, &args.name, password, args.force)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "key {}\npublic key {} (publish it where users will look for it)\nsecret key {} (keep it private{})",
        keys.key_id,
        keys.public.display(),
        keys.secret.display(),
        if args.no_password {
            "; it is not encrypted"
        } else {
            ""
        }
    )?;
    Ok(ExitStatus::Success)
}
