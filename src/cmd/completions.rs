//! `apptctl completions SHELL` and the hidden `apptctl generate-docs --out
//! DIR`, which writes the completion scripts and man pages checked in under
//! `completions/` and `man/` (a test regenerates them and fails on drift).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::context::Context;
use crate::error::CliError;

const EXAMPLES: &str = "\
Examples:
  apptctl completions bash > ~/.local/share/bash-completion/completions/apptctl
  apptctl completions zsh > \"${fpath[1]}/_apptctl\"
  apptctl completions fish > ~/.config/fish/completions/apptctl.fish";

/// Print a shell completion script
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Write completions and man pages into a directory (for maintainers)
#[derive(Debug, clap::Args)]
pub struct DocsArgs {
    /// Directory that gets `completions/` and `man/`
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub async fn run(args: Args, _ctx: &mut Context) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut Cli::command(), "apptctl", &mut stdout);
    stdout.flush()?;
    Ok(())
}

pub async fn run_generate_docs(args: DocsArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    generate_docs(&args.out)
}

/// Every shell's completion script into `out/completions`, one man page per
/// command into `out/man`.
pub fn generate_docs(out: &Path) -> anyhow::Result<()> {
    let completions = out.join("completions");
    let man = out.join("man");
    for dir in [&completions, &man] {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
    }

    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        clap_complete::generate_to(shell, &mut Cli::command(), "apptctl", &completions)
            .map_err(|e| write_error(&completions, &e))?;
    }

    // Building gives every subcommand its full display name, like
    // `apptctl-token-create`, which names its man page.
    let mut command = Cli::command();
    command.build();
    write_man_pages(&command, &man)
}

fn write_man_pages(command: &clap::Command, dir: &Path) -> anyhow::Result<()> {
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name());
    let mut text = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut text)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, text).map_err(|e| write_error(&path, &e))?;

    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        write_man_pages(sub, dir)?;
    }
    Ok(())
}

fn write_error(path: &Path, err: &std::io::Error) -> CliError {
    CliError::internal(format!("cannot write {}: {err}", path.display()))
}
