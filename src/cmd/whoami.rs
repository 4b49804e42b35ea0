//! `apptctl whoami`: who the server says the credential in use belongs to.

use apptctl_api::auth::{CredentialKind, Me, Role};

use crate::context::Context;
use crate::output::human_time;

const EXAMPLES: &str = "\
Examples:
  apptctl whoami
  apptctl whoami -o json | jq -r .role";

/// Show the account and credential in use
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

pub async fn run(_args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let me = ctx.authed_client()?.me().await?.value;
    if ctx.out.is_json() {
        ctx.out.json(&me)?;
    } else if ctx.out.quiet() {
        ctx.out.line(&me.username)?;
    } else {
        ctx.out.fields(None, &fields(ctx, &me))?;
    }
    Ok(())
}

fn fields(ctx: &Context, me: &Me) -> Vec<(&'static str, String)> {
    let role = match me.role {
        Role::Applicant => "applicant",
        Role::Manager => "manager",
    };
    let credential = match me.credential {
        Some(CredentialKind::Session) => "session",
        Some(CredentialKind::Token) => "automation token",
        None => "unknown",
    };
    let scopes: Vec<&str> = me.scopes.iter().map(|s| s.as_str()).collect();
    let mut fields = vec![
        ("username", me.username.clone()),
        ("name", me.name.clone()),
        ("role", role.to_string()),
        ("credential", credential.to_string()),
        ("scopes", scopes.join(", ")),
        (
            "two-factor",
            if me.two_factor { "on" } else { "off" }.to_string(),
        ),
        ("server", ctx.server().to_string()),
    ];
    if !me.departments.is_empty() {
        fields.push(("departments", me.departments.join(", ")));
    }
    if let Some(expires_at) = me.expires_at {
        fields.push(("expires", human_time(expires_at)));
    }
    fields
}
