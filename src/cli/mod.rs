//! The command line: clap types (their doc comments are the help text) and one thin file per
//! command that resolves arguments into settings and calls the library.

mod check;
mod deposit;
mod diff;
mod docs;
mod init;
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

/// The exit-code contract (`--help` and the man pages' EXIT STATUS).
macro_rules! exit_status {
    () => {
        "  0  success: valid, verified, identical (diff) or done
  1  the data is invalid, a verification failed, releases differ (diff), or the tool refused
     (for example a version released already with other content, or too small a version bump)
  2  usage, configuration or I/O error; for diff, a release that cannot be compared"
    };
}

/// The environment read (`--help` and the man pages' ENVIRONMENT).
macro_rules! environment {
    () => {
        "  RUST_LOG                 log filter (overrides -v/-q), e.g. archivist=debug
  NO_COLOR                 no colour in messages (nor with TERM=dumb, nor off a terminal)
  INVENIO_TOKEN            the InvenioRDM/Zenodo API token for deposit --invenio/--zenodo
  ARCHIVIST_KEY_PASSWORD   the password of an encrypted signing key (keygen, release --sign)"
    };
}

/// The files read and written (`--help` and the man page's FILES).
macro_rules! files {
    () => {
        "  dataset.toml  the dataset's description (`archivist help dataset`)
  raw/          the documents;  release/  the releases"
    };
}

pub const EXIT_STATUS: &str = exit_status!();
pub const ENVIRONMENT: &str = environment!();
pub const FILES: &str = files!();

/// The end of `archivist --help`.
const AFTER_HELP: &str = concat!(
    "Exit status:\n",
    exit_status!(),
    "\n\nEnvironment:\n",
    environment!(),
    "\n\nFiles:\n",
    files!(),
    "\n\n",
    "Examples:
  archivist init --title Letters --creator 'Jane Researcher' --publisher 'Example Library'
  archivist check
  archivist release --sign ~/.archivist/publisher.key
  archivist verify release/khojaly-1992-1.0.2.zip --pubkey publisher.pub
  archivist diff release/khojaly-1992-1.0.1.zip release/khojaly-1992-1.0.2.zip
  archivist deposit release/khojaly-1992-1.0.2.zip --ocfl /srv/ocfl --user NAME --address mailto:...
  archivist retrieve /srv/ocfl khojaly-1992-1.0.2 --out /tmp
  archivist help dataset"
);

const EXAMPLES_CHECK: &str = "Examples:
  archivist check                              the dataset in this folder
  archivist check --config ../letters/dataset.toml
  archivist check --raw ~/texts                any folder, no dataset.toml needed
  archivist check --json | jq '.problems[]'";
const EXAMPLES_RELEASE: &str = "Examples:
  archivist release
  archivist release --dry-run                  everything but write; shows the changes
  archivist release --config ../letters/dataset.toml
  archivist release --version 1.1.0 --sign ~/.archivist/publisher.key";
const EXAMPLES_VERIFY: &str = "Examples:
  archivist verify release/letters-1.0.0.zip
  archivist verify letters-1.0.0.zip --sha256 79b7b91b...  --pubkey publisher.pub
  archivist verify letters-1.0.0/ --json";
const EXAMPLES_DEPOSIT: &str = "Examples:
  archivist deposit release/letters-1.0.0.zip --ocfl /srv/ocfl --user 'Jane Archivist' \\
      --address mailto:jane@example.org      the id, name and version come from the zip
  INVENIO_TOKEN=... archivist deposit release/letters-1.0.0.zip --zenodo-sandbox";
const EXAMPLES_RETRIEVE: &str = "Examples:
  archivist retrieve /srv/ocfl letters-1.0.0 --out .
  archivist retrieve /srv/ocfl --id urn:uuid:... --version v2";
const EXAMPLES_LOG: &str = "Examples:
  archivist log /srv/ocfl
  archivist log /srv/ocfl urn:uuid:... --json";
const EXAMPLES_DIFF: &str = "Examples:
  archivist diff release/letters-1.0.0.zip release/letters-1.1.0.zip
  archivist diff old.zip new.zip --json";
const EXAMPLES_KEYGEN: &str = "Examples:
  archivist keygen --out ~/.archivist --name publisher
  archivist keygen --no-password --name ci";
const EXAMPLES_INIT: &str = "Examples:
  archivist init --title 'Letters, 1890-1910' --publisher 'Example Library' \\
      --creator 'Jane Researcher <https://orcid.org/0000-0002-1825-0097>'
  archivist init ~/letters --raw ~/scans/texts   asks for what is missing on a terminal
  archivist init --update                       pins documents added since (as `archivist pin`)";
const EXAMPLES_PIN: &str = "Examples:
  archivist pin
  archivist pin --config ../letters/dataset.toml";
const EXAMPLES_HELP: &str = "Examples:
  archivist help dataset                       every field of dataset.toml
  archivist help release";
const EXAMPLES_COMPLETIONS: &str = "Examples:
  archivist completions bash > ~/.local/share/bash-completion/completions/archivist
  archivist completions zsh > ~/.zfunc/_archivist";
const EXAMPLES_MAN: &str = "Examples:
  archivist man | man -l -
  archivist man --out man                      archivist.1, archivist-<command>.1 and
                                               archivist-dataset.toml.5 into man/";

/// Turn a folder of raw text documents into a validated, checksummed, reproducible archival
/// release; verify releases; deposit them into preservation repositories.
#[derive(Debug, Parser)]
#[command(
    name = "archivist",
    version,
    about,
    max_term_width = 100,
    after_help = AFTER_HELP,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). `RUST_LOG` also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr: no warnings, no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a dataset from a folder of texts: write a `dataset.toml` with every field
    /// commented, every document pinned, and files that are not texts excluded with the reason.
    #[command(after_help = EXAMPLES_INIT)]
    Init(InitArgs),
    /// Pin documents added since `init`: add their SHA-256 to `dataset.toml`; report pins whose
    /// file changed or vanished (never changing a pin).
    #[command(after_help = EXAMPLES_PIN)]
    Pin(PinArgs),
    /// Ingest, normalize, build and validate every record; write nothing; report per document.
    /// Works without a `dataset.toml` too (against the defaults, nothing pinned).
    #[command(after_help = EXAMPLES_CHECK)]
    Check(CheckArgs),
    /// Run the whole pipeline and package `OUT/<name>-<version>.zip` (a BagIt bag) and its
    /// `.sha256` sidecar. Nothing is written unless every document is valid.
    #[command(after_help = EXAMPLES_RELEASE)]
    Release(ReleaseArgs),
    /// Verify a release zip (with its sidecar if present) or an extracted bag folder: the
    /// archive's checksum, zip safety, the BagIt bag, the records. Nothing is extracted.
    #[command(after_help = EXAMPLES_VERIFY)]
    Verify(VerifyArgs),
    /// Deposit a release zip (verified first) into an OCFL storage root, or into an InvenioRDM
    /// repository such as Zenodo (token from INVENIO_TOKEN).
    #[command(after_help = EXAMPLES_DEPOSIT)]
    Deposit(DepositArgs),
    /// Get a deposited release back out of an OCFL storage root: the zip byte-identical to the
    /// one deposited, its sidecar and signature.
    #[command(after_help = EXAMPLES_RETRIEVE)]
    Retrieve(RetrieveArgs),
    /// The objects and versions of an OCFL storage root: created, user, message, release and
    /// zip SHA-256.
    #[command(after_help = EXAMPLES_LOG)]
    Log(LogArgs),
    /// Compare two releases (zips or bag folders), both verified first: documents added,
    /// removed and changed (raw bytes, normalized text, or metadata fields), dataset metadata.
    /// Exit 0 when identical, 1 when they differ, 2 when they cannot be compared.
    #[command(after_help = EXAMPLES_DIFF)]
    Diff(DiffArgs),
    /// Make a minisign key pair for signing releases: NAME.pub to publish, NAME.key to keep.
    #[command(after_help = EXAMPLES_KEYGEN)]
    Keygen(KeygenArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(after_help = EXAMPLES_COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write every page into a folder.
    #[command(after_help = EXAMPLES_MAN)]
    Man(ManArgs),
    /// Help on a command, or on a topic: `dataset` (every field of dataset.toml).
    #[command(after_help = EXAMPLES_HELP)]
    Help(HelpArgs),
}

/// Where the dataset is: shared by the commands that run the pipeline.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The folder of raw documents [default: `raw` in dataset.toml, relative to that file, or
    /// `raw` beside it].
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,
    /// The dataset description [default: dataset.toml]. Paths in it are relative to it, so
    /// this works from any folder.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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

    /// The dataset description's path: `--config`, or `dataset.toml` in the working folder.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| PathBuf::from("dataset.toml"))
    }

    /// Read `dataset.toml` and resolve the folders (`out` is `--out` when given).
    pub fn load(
        &self,
        out: Option<&std::path::Path>,
    ) -> Result<(crate::config::Dataset, crate::config::Locations)> {
        let config = self.config_path();
        if self.config.is_none() && !config.exists() {
            return Err(crate::error::Error::Usage(format!(
                "no `{}` here: run `archivist init` to write one, or pass --config FILE",
                config.display()
            )));
        }
        let dataset = crate::config::Dataset::load(&config, &crate::validate::SchemaSet::new())?;
        let locations = dataset.locate(&config, self.raw.as_deref(), out)?;
        Ok((dataset, locations))
    }
}

/// Worker threads, for the commands that use them.
#[derive(Debug, Args)]
pub struct ThreadArgs {
    /// Worker threads for hashing, compression and the pipeline (default: one per core).
    /// Output is the same at every thread count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

impl ThreadArgs {
    fn apply(&self) -> Result<()> {
        if let Some(threads) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(usize::from(threads))
                .build_global()
                .map_err(|e| crate::error::Error::Usage(format!("--threads {threads}: {e}")))?;
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to start the dataset in: `dataset.toml` is written there [default: .].
    pub dir: Option<PathBuf>,
    /// The folder of texts [default: `raw` in DIR]. Recorded in dataset.toml relative to it.
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,
    /// The dataset's title (asked for on a terminal when not given).
    #[arg(long)]
    pub title: Option<String>,
    /// A creator, `Name` or `Name <ORCID URL>`; repeat for several (asked for on a terminal).
    #[arg(long, value_name = "CREATOR")]
    pub creator: Vec<String>,
    /// Who publishes the dataset (asked for on a terminal when not given).
    #[arg(long)]
    pub publisher: Option<String>,
    /// What the dataset holds [default: the number of documents and their languages].
    #[arg(long)]
    pub description: Option<String>,
    /// The machine name [default: the folder's name, lowercased, other characters as `-`].
    #[arg(long)]
    pub name: Option<String>,
    /// A language of the documents (ISO 639-1); repeat for several [default: those detected].
    #[arg(long, value_name = "CODE")]
    pub language: Vec<String>,
    /// Replace an existing dataset.toml.
    #[arg(long, conflicts_with = "update")]
    pub force: bool,
    /// Update an existing dataset.toml instead: pin documents added since (as `archivist pin`).
    #[arg(long)]
    pub update: bool,
    /// The largest raw document accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_document_bytes, value_name = "BYTES")]
    pub max_document_bytes: u64,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// A command (`release`, ...) or a topic (`dataset`).
    pub topic: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub threads: ThreadArgs,
    /// Print one JSON object `{"records": [...], "problems": [...]}` instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub threads: ThreadArgs,
    /// The folder releases are written to [default: `out` in dataset.toml, relative to that
    /// file, or `release` beside it].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do everything but write: build and check the release in a temporary folder, show what
    /// its CHANGES.md would say, and throw it away.
    #[arg(long)]
    pub dry_run: bool,
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
    /// Write `archivist.1`, one page per command (`archivist-release.1`, ...) and
    /// `archivist-dataset.toml.5` into DIR instead of printing `archivist.1` on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The release zip, an extracted bag folder, or an OCFL storage root or object (a folder,
    /// or s3://BUCKET/PREFIX).
    pub path: PathBuf,
    #[command(flatten)]
    pub threads: ThreadArgs,
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
    /// An OCFL root on S3 (s3://BUCKET/PREFIX): compare each content file with the store's own
    /// SHA-256 instead of downloading it. Faster, and weaker: it shows the store holds what was
    /// uploaded, not that the bytes it would send are intact.
    #[arg(long)]
    pub fast: bool,
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
    /// created) to add the release to, as a new version of the object its identifier names: a
    /// folder, or s3://BUCKET/PREFIX on S3-compatible storage (README: OCFL on object storage).
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
    #[command(flatten)]
    pub threads: ThreadArgs,
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
    /// The OCFL storage root (a folder, or s3://BUCKET/PREFIX).
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
    /// The OCFL storage root (a folder, or s3://BUCKET/PREFIX).
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
    #[command(flatten)]
    pub threads: ThreadArgs,
    /// The newer release (zip or bag folder).
    pub new: PathBuf,
    /// Print the comparison as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Colour in messages: only when stderr is a terminal, and neither `NO_COLOR` (set and not
/// empty, per no-color.org) nor `TERM=dumb` says otherwise.
pub fn colour_on_stderr() -> bool {
    use std::io::IsTerminal;
    colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

fn colour(
    terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    let no_color = no_color.is_some_and(|v| !v.is_empty());
    let dumb = term.is_some_and(|t| t == "dumb");
    terminal && !no_color && !dumb
}

/// Run the parsed command; the exit status is decided here and mapped in `main`.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    match &cli.command {
        Command::Check(CheckArgs { threads, .. })
        | Command::Release(ReleaseArgs { threads, .. })
        | Command::Verify(VerifyArgs { threads, .. })
        | Command::Deposit(DepositArgs { threads, .. })
        | Command::Diff(DiffArgs { threads, .. }) => threads.apply()?,
        _ => {}
    }
    match cli.command {
        Command::Init(args) => init::run(&args, cli.quiet),
        Command::Pin(args) => init::pin(&args, cli.quiet),
        Command::Help(args) => docs::help(&args),
        Command::Check(args) => check::run(&args, cli.quiet),
        Command::Release(args) => release::run(&args, cli.quiet),
        Command::Verify(args) => verify::run(&args, cli.quiet),
        Command::Deposit(args) => deposit::run(&args),
        Command::Retrieve(args) => retrieve::run(&args),
        Command::Log(args) => log::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Completions(args) => docs::completions(&args),
        Command::Man(args) => docs::man(&args),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color_or_a_dumb_terminal() {
        let xterm = Some(OsStr::new("xterm-256color"));
        assert!(super::colour(true, None, xterm));
        assert!(super::colour(true, Some(OsStr::new("")), xterm));
        assert!(!super::colour(false, None, xterm));
        assert!(!super::colour(true, Some(OsStr::new("1")), xterm));
        assert!(!super::colour(true, None, Some(OsStr::new("dumb"))));
    }
}
