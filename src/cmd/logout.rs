//! `apptctl logout`: revoke the session on the server and forget it locally.
//! A saved automation token is only forgotten: it may serve other machines,
//! and `apptctl token revoke` ends it for good.

use apptctl_api::auth::CredentialKind;
use apptctl_api::ErrorClass;
use serde::Serialize;

use crate::config::Credential;
use crate::context::{Context, TokenSource};
use crate::error::CliError;

const EXAMPLES: &str = "\
Examples:
  apptctl logout
  apptctl logout --profile ci";

/// Log out: revoke the session and delete the saved credential
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

#[derive(Debug, Serialize)]
struct LogoutReport<'a> {
    server: &'a str,
    profile: &'a str,
    /// Whether the server revoked the session (false for tokens and for
    /// sessions that had already ended).
    revoked: bool,
    forgotten: bool,
}

pub async fn run(_args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let credential = match ctx.token_source()? {
        TokenSource::Stored(credential) => credential,
        TokenSource::Env(_) => {
            return Err(CliError::usage("the token in use comes from APPTCTL_TOKEN")
                .with_hint("unset APPTCTL_TOKEN; `apptctl token revoke ID` ends a token")
                .into());
        }
        TokenSource::None => {
            ctx.out
                .note(format_args!("not logged in to {}", ctx.server()));
            return report(ctx, false, false);
        }
    };

    let revoked = match credential.kind {
        CredentialKind::Session => revoke_session(ctx, &credential).await?,
        CredentialKind::Token => false,
    };

    let mut store = ctx.credentials()?;
    store.remove(&credential.server, &credential.profile);
    store.save()?;
    report(ctx, revoked, true)
}

/// Revokes the session. One that already ended (expired, revoked
/// elsewhere) is fine: the goal is reached.
async fn revoke_session(ctx: &mut Context, credential: &Credential) -> anyhow::Result<bool> {
    let client = ctx
        .anonymous_client()?
        .with_token(Some(credential.token.clone()));
    match client.delete_current_session().await {
        Ok(_) => Ok(true),
        Err(err) if err.class() == ErrorClass::Auth => Ok(false),
        Err(err) => Err(err.into()),
    }
}

fn report(ctx: &Context, revoked: bool, forgotten: bool) -> anyhow::Result<()> {
    if ctx.out.is_json() {
        let server = ctx.server().to_string();
        let report = LogoutReport {
            server: &server,
            profile: ctx.profile(),
            revoked,
            forgotten,
        };
        ctx.out.json(&report)?;
    } else if forgotten {
        ctx.out
            .chatter(format_args!("logged out of {}", ctx.server()));
    }
    Ok(())
}
