//! The command line: clap types (their doc comments are the help text) and one thin file per
//! command that resolves arguments into settings and calls the library.

mod check;
mod deposit;
mod diff;
mod docs;
mod keygen;
mod log;
mod release;
mod retrieve;
mod verify;

use crate::error::{ExitStatus, Result};
use crate::ingest::Limits;
use crate::verify::source::ZipLimits;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The end of `--help` and the man page: the exit-code contract and the environment.
const AFTER_HELP: &str = "\
Exit status:
  0  success: valid, verified, identical (diff) or done
  1  the data is invalid, a verification failed, releases differ (diff), or the tool refused
     (for example a version released already with other content, or too small a version bump)
  2  usage, configuration or I/O error; for diff, a release that cannot be compared

Environment:
  RUST_LOG                 log filter (overrides -v/-q), e.g. archivist=debug
  INVENIO_TOKEN            the InvenioRDM/Zenodo API token for deposit --invenio/--zenodo
  ARCHIVIST_KEY_PASSWORD   the password of an encrypted signing key (keygen, release --sign)

Files:
  dataset.toml  the dataset's description;  raw/  the documents;  release/  the releases

Examples:
  archivist check
  archivist release --sign ~/.archivist/publisher.key
  archivist verify release/khojaly-1992-1.0.2.zip --pubkey publisher.pub
  archivist diff release/khojaly-1992-1.0.1.zip release/khojaly-1992-1.0.2.zip
  archivist deposit release/khojaly-1992-1.0.2.zip --ocfl /srv/ocfl --user NAME --address mailto:...
  archivist retrieve /srv/ocfl khojaly-1992-1.0.2 --out /tmp";

/// Turn a folder of raw text documents into a validated, checksummed, reproducible archival
/// release; verify releases; deposit them into preservation repositories.
#[derive(Debug, Parser)]
#[command(name = "archivist", version, about, max_term_width = 100, after_long_help = AFTER_HELP)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). `RUST_LOG` also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Worker threads for hashing, compression and the pipeline (default: one per core).
    /// Output is the same at every thread count.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest, normalize, build and validate every record; write nothing; report per document.
    Check(CheckArgs),
    /// Run the whole pipeline and package `OUT/<name>-<version>.zip` (a BagIt bag) and its
    /// `.sha256` sidecar. Nothing is written unless every document is valid.
    Release(ReleaseArgs),
    /// Verify a release zip (with its sidecar if present) or an extracted bag folder: the
    /// archive's checksum, zip safety, the BagIt bag, the records. Nothing is extracted.
    Verify(VerifyArgs),
    /// Deposit a release zip (verified first) into an OCFL storage root, or into an InvenioRDM
    /// repository such as Zenodo (token from INVENIO_TOKEN).
    Deposit(DepositArgs),
    /// Get a deposited release back out of an OCFL storage root: the zip byte-identical to the
    /// one deposited, its sidecar and signature.
    Retrieve(RetrieveArgs),
    /// The objects and versions of an OCFL storage root: created, user, message, release and
    /// zip SHA-256.
    Log(LogArgs),
    /// Compare two releases (zips or bag folders), both verified first: documents added,
    /// removed and changed (raw bytes, normalized text, or metadata fields), dataset metadata.
    /// Exit 0 when identical, 1 when they differ, 2 when they cannot be compared.
    Diff(DiffArgs),
    /// Make a minisign key pair for signing releases: NAME.pub to publish, NAME.key to keep.
    Keygen(KeygenArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write every page into a folder.
    Man(ManArgs),
}

/// Where the dataset is: shared by the commands that run the pipeline.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The folder of raw documents.
    #[arg(long, default_value = "raw", value_name = "DIR")]
    pub raw: PathBuf,
    /// The dataset description.
    #[arg(long, default_value = "dataset.toml", value_name = "FILE")]
    pub config: PathBuf,
    /// The largest raw document accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_document_bytes, value_name = "BYTES")]
    pub max_document_bytes: u64,
}

impl InputArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_document_bytes: self.max_document_bytes,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print one JSON object `{"records": [...], "problems": [...]}` instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The folder releases are written to.
    #[arg(long, default_value = "release", value_name = "DIR")]
    pub out: PathBuf,
    /// The version to release (MAJOR.MINOR.PATCH), instead of `version` in the config.
    #[arg(long = "version", value_name = "X.Y.Z")]
    pub release_version: Option<String>,
    /// The release zip this one follows (default: the highest earlier version of the dataset
    /// in OUT). Its changes go into `data/CHANGES.md`, DataCite names it, and the version bump
    /// is checked: a document added, removed or changed needs at least a minor bump.
    #[arg(long, value_name = "ZIP", conflicts_with = "first")]
    pub previous: Option<PathBuf>,
    /// Cut a first release: follow no earlier one, even if OUT holds some.
    #[arg(long)]
    pub first: bool,
    /// Sign the sidecar with this minisign secret key (from `archivist keygen` or
    /// `minisign -G`), writing `<zip>.sha256.minisig`. An encrypted key's password is read
    /// from ARCHIVIST_KEY_PASSWORD or asked for on the terminal.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The folder the key pair is written to.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,
    /// The key pair's file names: NAME.pub (public, to publish) and NAME.key (secret).
    #[arg(long, default_value = "archivist", value_name = "NAME")]
    pub name: String,
    /// Store the secret key unencrypted (for automated signing; keep it safe otherwise).
    #[arg(long)]
    pub no_password: bool,
    /// Replace an existing key pair of that name.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `archivist.1` and one page per command (`archivist-release.1`, ...) into DIR
    /// instead of printing `archivist.1` on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The release zip, or an extracted bag folder.
    pub path: PathBuf,
    /// The archive's expected SHA-256 (as printed on a landing page); the sidecar
    /// `<zip>.sha256` beside the zip is checked too when present.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// The publisher's minisign public key (a `.pub` file, or the key in base64): the
    /// signature `<zip>.sha256.minisig` must be there and valid for it.
    #[arg(long, value_name = "KEY")]
    pub pubkey: Option<String>,
    /// Refuse zip entries larger than this, uncompressed.
    #[arg(long, default_value_t = ZipLimits::default().max_entry_bytes, value_name = "BYTES")]
    pub max_entry_bytes: u64,
    /// Refuse zips larger than this in all, uncompressed.
    #[arg(long, default_value_t = ZipLimits::default().max_total_bytes, value_name = "BYTES")]
    pub max_total_bytes: u64,
    /// Refuse entries over 1 MiB that inflate more than this many times their compressed size.
    #[arg(long, default_value_t = ZipLimits::default().max_ratio, value_name = "N")]
    pub max_ratio: u64,
    /// Refuse OCFL inventories larger than this (they are parsed whole).
    #[arg(long, default_value_t = crate::ocfl::validate::OcflLimits::default().max_inventory_bytes, value_name = "BYTES")]
    pub max_inventory_bytes: u64,
}

impl VerifyArgs {
    pub fn limits(&self) -> ZipLimits {
        ZipLimits {
            max_entry_bytes: self.max_entry_bytes,
            max_total_bytes: self.max_total_bytes,
            max_ratio: self.max_ratio,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["ocfl", "invenio", "zenodo", "zenodo_sandbox"])))]
pub struct DepositArgs {
    /// The release zip.
    pub zip: PathBuf,
    /// An OCFL storage root (1.1 or 1.0, any layout archivist implements; a missing one is
    /// created) to add the release to, as a new version of the object its identifier names.
    #[arg(long, value_name = "ROOT")]
    pub ocfl: Option<PathBuf>,
    /// The base URL of an InvenioRDM repository.
    #[arg(long, value_name = "URL")]
    pub invenio: Option<String>,
    /// Deposit into https://zenodo.org.
    #[arg(long)]
    pub zenodo: bool,
    /// Deposit into https://sandbox.zenodo.org (for trying things out).
    #[arg(long)]
    pub zenodo_sandbox: bool,
    /// Publish the record (InvenioRDM); without it the draft is left for review.
    #[arg(long)]
    pub publish: bool,
    /// A dataset description: its `[agent]` is the OCFL depositor when --user is not given;
    /// InvenioRDM takes the record's metadata from it (default `dataset.toml`). The object id,
    /// name and version always come from the release itself.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Who deposits (the OCFL version's user); default: `[agent]` of --config, else $USER.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The depositor's address, a URI (`mailto:...` or an ORCID URL).
    #[arg(long, value_name = "URI", requires = "user")]
    pub address: Option<String>,
    /// The OCFL version's message (default: `archivist release NAME (zip sha256 HEX)`).
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["release", "id"])))]
pub struct RetrieveArgs {
    /// The OCFL storage root.
    pub root: PathBuf,
    /// The release, `<name>-<version>` (e.g. khojaly-1992-1.0.2).
    pub release: Option<String>,
    /// The object id instead of a release name (with --version, or its head).
    #[arg(long, value_name = "ID", conflicts_with = "release")]
    pub id: Option<String>,
    /// The object's version with --id (`v3`; default: the head).
    #[arg(long = "version", value_name = "vN", requires = "id")]
    pub object_version: Option<String>,
    /// The folder the zip, sidecar and signature are written to.
    #[arg(long, default_value = "release", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The OCFL storage root.
    pub root: PathBuf,
    /// Only this object.
    pub id: Option<String>,
    /// Print one JSON object `{"root": ..., "objects": [...]}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older release (zip or bag folder).
    pub old: PathBuf,
    /// The newer release (zip or bag folder).
    pub new: PathBuf,
    /// Print the comparison as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Run the parsed command; the exit status is decided here and mapped in `main`.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
            .map_err(|e| crate::error::Error::Usage(format!("--threads {threads}: {e}")))?;
    }
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Release(args) => release::run(&args, cli.quiet),
        Command::Verify(args) => verify::run(&args),
        Command::Deposit(args) => deposit::run(&args),
        Command::Retrieve(args) => retrieve::run(&args),
        Command::Log(args) => log::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Completions(args) => docs::completions(&args),
        Command::Man(args) => docs::man(&args),
    }
}
