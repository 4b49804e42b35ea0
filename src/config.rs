//! Where the CLI keeps its settings and credentials, and how they are read
//! and written.
//!
//! `$XDG_CONFIG_HOME/apptctl/config.toml` holds profiles (a server URL per
//! profile); `credentials.toml` beside it holds one credential per server and
//! profile. The credentials file is written atomically with mode 0600 and is
//! refused when group or others can read it. Parsing is pure (`&str` in,
//! typed value or an error with a line number out) so it can be tested alone.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use apptctl_api::auth::CredentialKind;
use apptctl_api::ErrorClass;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::Secret;
use crate::error::CliError;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// The directories the CLI uses, resolved once from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/apptctl` (or `~/.config/apptctl`).
    pub config_dir: PathBuf,
    /// `$XDG_STATE_HOME/apptctl` (or `~/.local/state/apptctl`): batch journals.
    pub state_dir: PathBuf,
}

impl Paths {
    /// From the values of `XDG_CONFIG_HOME`, `XDG_STATE_HOME` and `HOME`.
    /// Empty values count as unset, as the XDG spec says.
    pub fn resolve(
        xdg_config: Option<String>,
        xdg_state: Option<String>,
        home: Option<String>,
    ) -> Result<Paths, CliError> {
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty()).map(PathBuf::from);
        let home = non_empty(home);
        let under_home = |rest: &str| home.as_ref().map(|h| h.join(rest));
        let config = non_empty(xdg_config).or_else(|| under_home(".config"));
        let state = non_empty(xdg_state).or_else(|| under_home(".local/state"));
        match (config, state) {
            (Some(config), Some(state)) => Ok(Paths {
                config_dir: config.join("apptctl"),
                state_dir: state.join("apptctl"),
            }),
            _ => Err(
                CliError::usage("cannot tell where to keep settings: HOME is not set")
                    .with_hint("set HOME, or XDG_CONFIG_HOME and XDG_STATE_HOME"),
            ),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir.join("credentials.toml")
    }
}

/// `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when `--profile` / `APPTCTL_PROFILE` name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The server this profile talks to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// Parses `config.toml`; `source` names the file in the error.
pub fn parse_config(text: &str, source: &Path) -> Result<Config, CliError> {
    toml::from_str(text).map_err(|err| malformed(source, text, &err))
}

/// One saved credential, per server URL and profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub server: String,
    pub profile: String,
    pub token: Secret,
    /// `session` (from `login`, revoked on logout) or `token` (an automation
    /// token saved with `login --with-token`, only forgotten on logout).
    pub kind: CredentialKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The file form of `credentials.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default, rename = "credential")]
    credentials: Vec<Credential>,
}

/// Parses `credentials.toml`; `source` names the file in the error.
pub fn parse_credentials(text: &str, source: &Path) -> Result<Vec<Credential>, CliError> {
    toml::from_str::<CredentialsFile>(text)
        .map(|file| file.credentials)
        .map_err(|err| malformed(source, text, &err))
}

fn malformed(source: &Path, text: &str, err: &toml::de::Error) -> CliError {
    let line = err
        .span()
        .map(|span| line_of(text, span.start))
        .unwrap_or(1);
    let cause = err.message();
    CliError::usage(format!(
        "{}:{line}: malformed file: {cause}",
        source.display()
    ))
    .with_hint(format!("fix or delete {}", source.display()))
}

/// The 1-based line number of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Reads `config.toml`; a missing file is an empty config.
pub fn load_config(paths: &Paths) -> Result<Config, CliError> {
    let path = paths.config_file();
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_config(&text, &path),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(err) => Err(io_error("read", &path, &err)),
    }
}

/// The credentials file, loaded for reading and changing.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    path: PathBuf,
    credentials: Vec<Credential>,
}

impl CredentialStore {
    /// Loads the store; a missing file is an empty store. A file others can
    /// read is refused, since its tokens may already have leaked.
    pub fn load(paths: &Paths) -> Result<CredentialStore, CliError> {
        let path = paths.credentials_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(CredentialStore {
                    path,
                    credentials: Vec::new(),
                });
            }
            Err(err) => return Err(io_error("read", &path, &err)),
        };
        check_private(&path)?;
        let credentials = parse_credentials(&text, &path)?;
        Ok(CredentialStore { path, credentials })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn find(&self, server: &str, profile: &str) -> Option<&Credential> {
        self.credentials
            .iter()
            .find(|c| c.server == server && c.profile == profile)
    }

    /// Adds or replaces the credential of its server and profile.
    pub fn put(&mut self, credential: Credential) {
        self.remove(&credential.server.clone(), &credential.profile.clone());
        self.credentials.push(credential);
    }

    /// Removes and returns the credential of a server and profile.
    pub fn remove(&mut self, server: &str, profile: &str) -> Option<Credential> {
        let index = self
            .credentials
            .iter()
            .position(|c| c.server == server && c.profile == profile)?;
        Some(self.credentials.remove(index))
    }

    /// Writes the store: a temporary file with mode 0600 in the same
    /// directory, synced, then renamed over the old one, so a crash leaves
    /// either the old or the new file and never a readable one.
    pub fn save(&self) -> Result<(), CliError> {
        let file = CredentialsFile {
            credentials: self.credentials.clone(),
        };
        let text = toml::to_string(&file)
            .map_err(|err| CliError::internal(format!("cannot encode credentials: {err}")))?;
        write_private(&self.path, text.as_bytes())
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;

    let mode = std::fs::metadata(path)
        .map_err(|e| io_error("inspect", path, &e))?
        .permissions();
    if mode.mode() & 0o077 == 0 {
        return Ok(());
    }
    Err(CliError::new(
        ErrorClass::Auth,
        format!(
            "{} is readable by other users (mode {:o}); refusing to use it",
            path.display(),
            mode.mode() & 0o777
        ),
    )
    .with_hint(format!("chmod 600 {}", path.display())))
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), CliError> {
    // Without unix modes there is nothing to check; the file sits in the
    // user's profile directory.
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
    let temp = dir.join(format!(".credentials.{}.tmp", std::process::id()));

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temp)
        .map_err(|e| io_error("write", &temp, &e))?;
    file.write_all(bytes)
        .map_err(|e| io_error("write", &temp, &e))?;
    file.sync_all().map_err(|e| io_error("write", &temp, &e))?;
    drop(file);

    std::fs::rename(&temp, path).map_err(|e| io_error("replace", path, &e))
}

fn io_error(verb: &str, path: &Path, err: &std::io::Error) -> CliError {
    CliError::internal(format!("cannot {verb} {}: {err}", path.display()))
        .with_hint("check the permissions of the apptctl config directory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> PathBuf {
        PathBuf::from("credentials.toml")
    }

    #[test]
    fn paths_follow_xdg_then_home() {
        let paths = Paths::resolve(Some("/c".into()), None, Some("/h".into())).unwrap();
        assert_eq!(paths.config_dir, PathBuf::from("/c/apptctl"));
        assert_eq!(paths.state_dir, PathBuf::from("/h/.local/state/apptctl"));
        assert!(Paths::resolve(Some(String::new()), None, None).is_err());
    }

    #[test]
    fn credentials_round_trip() {
        let credential = Credential {
            server: "http://127.0.0.1:8787".into(),
            profile: DEFAULT_PROFILE.into(),
            token: Secret::new("s3cret"),
            kind: CredentialKind::Session,
            username: Some("demo".into()),
            expires_at: None,
        };
        let file = CredentialsFile {
            credentials: vec![credential.clone()],
        };
        let text = toml::to_string(&file).unwrap();
        assert_eq!(
            parse_credentials(&text, &source()).unwrap(),
            vec![credential]
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        let text = "[[credential]]\nserver = \"x\"\nprofile = 3\n";
        let err = parse_credentials(text, &source()).unwrap_err();
        assert!(
            err.message.contains("credentials.toml:3:"),
            "{}",
            err.message
        );

        let err = parse_config(
            "[profiles.ci]\nserver = \"https://x\"\ncolour = 1\n",
            &source(),
        )
        .unwrap_err();
        assert!(err.message.contains(":3:"), "{}", err.message);
    }

    proptest::proptest! {
        /// Any text either parses or fails with a line inside the text.
        #[test]
        fn parsing_never_panics_and_names_a_real_line(text in "(?s).{0,200}") {
            let lines = text.lines().count().max(1) + 1;
            if let Err(err) = parse_credentials(&text, &source()) {
                let line = err.message.split(':').nth(1).and_then(|n| n.parse::<usize>().ok());
                proptest::prop_assert!(line.is_some_and(|n| n >= 1 && n <= lines), "{}", err.message);
            }
            let _ = parse_config(&text, &source());
        }

        /// The same for the config file, through a profile table so the
        /// mistakes land on lines past the first.
        #[test]
        fn config_errors_name_a_real_line(body in "(?s).{0,200}") {
            let text = format!("[profiles.ci]\n{body}");
            let lines = text.lines().count().max(1) + 1;
            if let Err(err) = parse_config(&text, &source()) {
                let line = err.message.split(':').nth(1).and_then(|n| n.parse::<usize>().ok());
                proptest::prop_assert!(line.is_some_and(|n| n >= 1 && n <= lines), "{}", err.message);
            }
        }
    }

    #[test]
    fn config_profiles_parse() {
        let text = "default_profile = \"ci\"\n[profiles.ci]\nserver = \"https://appt.example\"\n";
        let config = parse_config(text, &source()).unwrap();
        assert_eq!(config.default_profile.as_deref(), Some("ci"));
        assert_eq!(
            config.profiles["ci"].server.as_deref(),
            Some("https://appt.example")
        );
    }
}
