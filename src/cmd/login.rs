//! `apptctl login`: start a session with a username, password and one-time
//! code, or save an automation token read from stdin after checking it.

use apptctl_api::auth::{CredentialKind, LoginOutcome, LoginRequest, Me, Session};
use serde::Serialize;

use crate::client::{ApiClient, Secret};
use crate::config::Credential;
use crate::context::Context;
use crate::error::CliError;
use crate::prompt;

const EXAMPLES: &str = "\
Examples:
  apptctl login --username demo                        # prompts for password and code
  printf '%s\\n' \"$PASSWORD\" | apptctl login --username demo --password-stdin --code 123456
  printf '%s\\n' \"$APPTCTL_CI_TOKEN\" | apptctl login --with-token

The one-time code can also come from APPTCTL_CODE.";

/// Log in and save the session for this server and profile
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Account name
    #[arg(long, short = 'u', required_unless_present = "with_token")]
    pub username: Option<String>,

    /// Read the password from stdin instead of prompting
    #[arg(long, conflicts_with = "with_token")]
    pub password_stdin: bool,

    /// One-time code for a two-factor account (else APPTCTL_CODE, else a prompt)
    #[arg(long, value_name = "CODE", conflicts_with = "with_token")]
    pub code: Option<String>,

    /// Read an automation token from stdin, check it and save it
    #[arg(long)]
    pub with_token: bool,
}

/// What `-o json` prints after a login.
#[derive(Debug, Serialize)]
struct LoginReport<'a> {
    server: &'a str,
    profile: &'a str,
    kind: CredentialKind,
    user: &'a Me,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let (credential, me) = if args.with_token {
        save_token(ctx).await?
    } else {
        start_session(&args, ctx).await?
    };

    let mut store = ctx.credentials()?;
    store.put(credential.clone());
    store.save()?;

    report(ctx, &credential, &me)
}

/// `--with-token`: the token is checked with `GET /v1/me` before saving.
async fn save_token(ctx: &Context) -> anyhow::Result<(Credential, Me)> {
    let token = prompt::secret_from_stdin("token")?;
    let client = ctx.anonymous_client()?.with_token(Some(token.clone()));
    let me = client.me().await?.value;
    let credential = Credential {
        server: ctx.server().to_string(),
        profile: ctx.profile().to_string(),
        token,
        kind: me.credential.unwrap_or(CredentialKind::Token),
        username: Some(me.username.clone()),
        expires_at: me.expires_at,
    };
    Ok((credential, me))
}

async fn start_session(args: &Args, ctx: &Context) -> anyhow::Result<(Credential, Me)> {
    let username = args.username.clone().ok_or_else(|| {
        CliError::usage("--username is required").with_hint("apptctl login --username NAME")
    })?;
    let password = if args.password_stdin {
        prompt::secret_from_stdin("password")?
    } else {
        prompt::password(ctx, &username)?
    };

    let client = ctx.anonymous_client()?;
    let session = log_in(ctx, &client, &username, &password, args.code.as_deref()).await?;
    let credential = Credential {
        server: ctx.server().to_string(),
        profile: ctx.profile().to_string(),
        token: Secret::new(session.token.clone()),
        kind: CredentialKind::Session,
        username: Some(session.user.username.clone()),
        expires_at: Some(session.expires_at),
    };
    Ok((credential, session.user))
}

/// Username and password, then — for a two-factor account — the code.
async fn log_in(
    ctx: &Context,
    client: &ApiClient,
    username: &str,
    password: &Secret,
    code: Option<&str>,
) -> anyhow::Result<Session> {
    let request = LoginRequest {
        username: Some(username.to_string()),
        password: Some(password.expose().to_string()),
        challenge_id: None,
    };
    let challenge = match client.create_session(&request).await?.value {
        LoginOutcome::LoggedIn { session } => return Ok(session),
        LoginOutcome::ChallengeRequired { challenge } => challenge,
    };

    let code = prompt::one_time_code(ctx, code, &challenge)?;
    client
        .confirm_challenge(&challenge.id, code.expose())
        .await?;

    let finish = LoginRequest {
        challenge_id: Some(challenge.id.clone()),
        ..Default::default()
    };
    match client.create_session(&finish).await?.value {
        LoginOutcome::LoggedIn { session } => Ok(session),
        LoginOutcome::ChallengeRequired { .. } => Err(CliError::auth(
            "the server asked for another one-time code after the code was accepted",
        )
        .with_hint("try `apptctl login` again")
        .into()),
    }
}

fn report(ctx: &Context, credential: &Credential, me: &Me) -> anyhow::Result<()> {
    if ctx.out.is_json() {
        let report = LoginReport {
            server: &credential.server,
            profile: &credential.profile,
            kind: credential.kind,
            user: me,
        };
        ctx.out.json(&report)?;
        return Ok(());
    }
    if ctx.out.quiet() {
        ctx.out.line(&me.username)?;
        return Ok(());
    }
    let how = match credential.kind {
        CredentialKind::Session => "",
        CredentialKind::Token => " with an automation token",
    };
    ctx.out.chatter(format_args!(
        "logged in to {} as {}{how}",
        credential.server, me.username
    ));
    Ok(())
}
