//! The per-run context built once in `main`: output settings, the resolved
//! server and profile, paths, credentials, terminal facts, the Ctrl-C flag,
//! and the API client. Commands get everything through it instead of
//! reading the environment or printing directly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use url::Url;

use crate::cli::{GlobalArgs, DEFAULT_SERVER};
use crate::client::{ApiClient, ClientOptions, Secret};
use crate::config::{self, Config, Credential, CredentialStore, Paths, DEFAULT_PROFILE};
use crate::error::CliError;
use crate::output::{Output, Ttys};

/// The process environment the CLI reads, captured once so the rest of the
/// code (and tests of it) never call `std::env` directly.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub xdg_config_home: Option<String>,
    pub xdg_state_home: Option<String>,
    pub home: Option<String>,
    pub no_color: bool,
    pub token: Option<Secret>,
    pub code: Option<Secret>,
}

impl Env {
    pub fn capture() -> Env {
        let var = |name: &str| std::env::var(name).ok();
        let secret = |name: &str| var(name).filter(|v| !v.trim().is_empty()).map(Secret::new);
        Env {
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_state_home: var("XDG_STATE_HOME"),
            home: var("HOME"),
            // NO_COLOR: any non-empty value turns colour off (no-color.org).
            no_color: var("NO_COLOR").is_some_and(|v| !v.is_empty()),
            token: secret("APPTCTL_TOKEN"),
            code: secret("APPTCTL_CODE"),
        }
    }
}

/// Where the token in use came from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// `APPTCTL_TOKEN`.
    Env(Secret),
    /// The credentials store.
    Stored(Credential),
    None,
}

impl TokenSource {
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            TokenSource::Env(secret) => Some(secret),
            TokenSource::Stored(credential) => Some(&credential.token),
            TokenSource::None => None,
        }
    }
}

pub struct Context {
    pub out: Output,
    pub global: GlobalArgs,
    pub paths: Paths,
    pub config: Config,
    env: Env,
    ttys: Ttys,
    profile: String,
    server: Url,
    interrupted: Arc<AtomicBool>,
    interrupt_armed: bool,
    client: Option<ApiClient>,
}

impl Context {
    /// Resolves flags, environment and config into one context.
    pub fn new(global: GlobalArgs, env: Env, ttys: Ttys) -> Result<Context, CliError> {
        let out = Output::new(
            global.output,
            global.quiet,
            global.no_color || env.no_color,
            ttys,
        );
        let paths = Paths::resolve(
            env.xdg_config_home.clone(),
            env.xdg_state_home.clone(),
            env.home.clone(),
        )?;
        let config = config::load_config(&paths)?;
        let profile = resolve_profile(&global, &config);
        let server = resolve_server(&global, &config, &profile)?;
        Ok(Context {
            out,
            global,
            paths,
            config,
            env,
            ttys,
            profile,
            server,
            interrupted: Arc::new(AtomicBool::new(false)),
            interrupt_armed: false,
            client: None,
        })
    }

    /// The server URL in use (flag, env, profile, or the default).
    pub fn server(&self) -> &Url {
        &self.server
    }

    /// The profile in use.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn ttys(&self) -> Ttys {
        self.ttys
    }

    /// `APPTCTL_CODE`, when set.
    pub fn env_code(&self) -> Option<&Secret> {
        self.env.code.as_ref()
    }

    /// The credentials store, read fresh.
    pub fn credentials(&self) -> Result<CredentialStore, CliError> {
        CredentialStore::load(&self.paths)
    }

    /// The token this run would use: `APPTCTL_TOKEN` wins over the store.
    pub fn token_source(&self) -> Result<TokenSource, CliError> {
        if let Some(token) = &self.env.token {
            return Ok(TokenSource::Env(token.clone()));
        }
        let store = self.credentials()?;
        Ok(match store.find(self.server.as_str(), &self.profile) {
            Some(credential) => TokenSource::Stored(credential.clone()),
            None => TokenSource::None,
        })
    }

    /// The API client with the token in use, if any.
    pub fn client(&mut self) -> Result<ApiClient, CliError> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let token = self.token_source()?.secret().cloned();
        let client = self.build_client(token)?;
        self.client = Some(client.clone());
        Ok(client)
    }

    /// The API client, failing with an auth error when no token is at hand.
    pub fn authed_client(&mut self) -> Result<ApiClient, CliError> {
        let client = self.client()?;
        if client.has_token() {
            return Ok(client);
        }
        Err(CliError::auth(format!("not logged in to {}", self.server))
            .with_hint("run `apptctl login`, or set APPTCTL_TOKEN to an automation token"))
    }

    /// A client that sends no token (logging in, health checks).
    pub fn anonymous_client(&self) -> Result<ApiClient, CliError> {
        self.build_client(None)
    }

    fn build_client(&self, token: Option<Secret>) -> Result<ApiClient, CliError> {
        ApiClient::new(ClientOptions {
            server: self.server.clone(),
            token,
            timeout: self.global.timeout,
            retries: self.global.retries,
            insecure_http: self.global.insecure_http,
        })
        .map_err(|err| err.to_cli_error())
    }

    /// The Ctrl-C flag. The first call installs handlers for SIGINT and
    /// SIGTERM that set it instead of killing the process, so the caller can
    /// stop cleanly; a second Ctrl-C still ends the process at once (130).
    /// Commands that never call this keep the default: Ctrl-C ends them.
    pub fn interrupt_flag(&mut self) -> Arc<AtomicBool> {
        if !self.interrupt_armed {
            self.interrupt_armed = true;
            arm_interrupts(&self.interrupted);
        }
        self.interrupted.clone()
    }

    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
}

fn arm_interrupts(flag: &Arc<AtomicBool>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;

    for signal in [SIGINT, SIGTERM] {
        // The conditional shutdown must come first: it fires only when the
        // flag was already set by an earlier signal.
        let armed = flag::register_conditional_shutdown(signal, 130, flag.clone())
            .and_then(|_| flag::register(signal, flag.clone()));
        if let Err(err) = armed {
            tracing::warn!("cannot install the handler for signal {signal}: {err}");
        }
    }
}

fn resolve_profile(global: &GlobalArgs, config: &Config) -> String {
    global
        .profile
        .clone()
        .or_else(|| config.default_profile.clone())
        .unwrap_or_else(|| DEFAULT_PROFILE.to_string())
}

fn resolve_server(global: &GlobalArgs, config: &Config, profile: &str) -> Result<Url, CliError> {
    let from_profile = config.profiles.get(profile).and_then(|p| p.server.clone());
    let text = global
        .server
        .clone()
        .or(from_profile)
        .unwrap_or_else(|| DEFAULT_SERVER.into());
    parse_server_url(&text)
}

/// A server URL: http or https, with a host.
pub fn parse_server_url(text: &str) -> Result<Url, CliError> {
    let hint = "give the server as a full URL, like https://appointments.example.org";
    let mut url = Url::parse(text.trim()).map_err(|err| {
        CliError::usage(format!("invalid server URL {text:?}: {err}")).with_hint(hint)
    })?;
    let usable = matches!(url.scheme(), "http" | "https") && url.host().is_some();
    if !usable {
        return Err(CliError::usage(format!(
            "invalid server URL {text:?}: need http(s) and a host"
        ))
        .with_hint(hint));
    }
    // API paths are joined onto the URL: a base path must end with a slash
    // or its last segment would be replaced.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;
    use crate::config::Profile;

    fn global(args: &[&str]) -> GlobalArgs {
        let mut argv = vec!["apptctl"];
        argv.extend_from_slice(args);
        argv.push("whoami");
        Cli::try_parse_from(argv).unwrap().global
    }

    fn config_with_ci_profile() -> Config {
        let ci = Profile {
            server: Some("https://ci.example.org".into()),
        };
        Config {
            default_profile: Some("ci".into()),
            profiles: [("ci".to_string(), ci)].into_iter().collect(),
        }
    }

    #[test]
    fn the_server_flag_beats_the_profile_which_beats_the_default() {
        let config = config_with_ci_profile();
        let flagged = global(&["--server", "http://127.0.0.1:9999"]);
        let profile = resolve_profile(&flagged, &config);
        assert_eq!(profile, "ci");
        assert_eq!(
            resolve_server(&flagged, &config, &profile)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9999/"
        );
        assert_eq!(
            resolve_server(&global(&[]), &config, "ci")
                .unwrap()
                .as_str(),
            "https://ci.example.org/"
        );
        assert_eq!(
            resolve_server(&global(&[]), &Config::default(), DEFAULT_PROFILE)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8787/"
        );
    }

    #[test]
    fn server_urls_need_http_and_a_host() {
        assert!(parse_server_url("ftp://example.org").is_err());
        assert!(parse_server_url("example.org").is_err());
        let based = parse_server_url("https://example.org/base").unwrap();
        assert_eq!(
            based.join("v1/me").unwrap().as_str(),
            "https://example.org/base/v1/me"
        );
    }
}
