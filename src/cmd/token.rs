//! `apptctl token create|list|revoke`: scoped automation tokens for scripts
//! and CI. Creating one from a person's session needs a one-time code; the
//! secret is printed once and never again.

use apptctl_api::auth::{CreateTokenOutcome, CreateTokenRequest, Scope, TokenInfo};
use serde::Serialize;

use crate::client::ApiClient;
use crate::context::Context;
use crate::error::CliError;
use crate::output::ListWriter;
use crate::prompt;

const EXAMPLES: &str = "\
Examples:
  apptctl token create --name ci --scope records:read --scope records:cancel
  apptctl token list
  apptctl token revoke tok_123";

/// Manage automation tokens
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create a token and print its secret (shown once)
    #[command(
        after_help = "Examples:\n  apptctl token create --name ci --scope records:cancel \
                            --expires-in-days 90\n  apptctl token create --name ro --scope \
                            records:read -q > token.txt"
    )]
    Create(CreateArgs),

    /// List your tokens
    #[command(
        after_help = "Examples:\n  apptctl token list\n  apptctl token list -o json | jq -r \
                            '.[] | select(.revoked_at == null) | .id'"
    )]
    List,

    /// Revoke a token
    #[command(
        after_help = "Examples:\n  apptctl token revoke tok_123\n  apptctl token list -q | \
                            xargs -n1 apptctl token revoke"
    )]
    Revoke(RevokeArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// A name to recognise the token by
    #[arg(long)]
    pub name: String,

    /// What the token may do (repeat): records:read, records:cancel, records:rebook
    #[arg(
        long = "scope",
        value_name = "SCOPE",
        required = true,
        value_delimiter = ','
    )]
    pub scopes: Vec<Scope>,

    /// Lifetime in days, 1 to 365 [server default: 30]
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub expires_in_days: Option<u32>,

    /// One-time code for the confirmation (else APPTCTL_CODE, else a prompt)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// Token id, as `apptctl token list` shows it
    pub id: String,
}

/// What `token create -o json` prints.
#[derive(Debug, Serialize)]
struct Created<'a> {
    token: &'a TokenInfo,
    secret: &'a str,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let client = ctx.authed_client()?;
    match args.action {
        Action::Create(create) => create_token(ctx, &client, create).await,
        Action::List => list_tokens(ctx, &client).await,
        Action::Revoke(revoke) => revoke_token(ctx, &client, &revoke.id).await,
    }
}

async fn create_token(ctx: &Context, client: &ApiClient, args: CreateArgs) -> anyhow::Result<()> {
    let mut request = CreateTokenRequest {
        name: args.name.clone(),
        scopes: args.scopes.clone(),
        expires_in_days: args.expires_in_days,
        challenge_id: None,
    };
    let challenge = match client.create_token(&request).await?.value {
        CreateTokenOutcome::Created { token, secret } => {
            return print_created(ctx, &token, &secret)
        }
        CreateTokenOutcome::ChallengeRequired { challenge } => challenge,
    };

    let code = prompt::one_time_code(ctx, args.code.as_deref(), &challenge)?;
    client
        .confirm_challenge(&challenge.id, code.expose())
        .await?;
    request.challenge_id = Some(challenge.id.clone());
    match client.create_token(&request).await?.value {
        CreateTokenOutcome::Created { token, secret } => print_created(ctx, &token, &secret),
        CreateTokenOutcome::ChallengeRequired { .. } => Err(CliError::auth(
            "the server asked for another confirmation after the code was accepted",
        )
        .with_hint("try `apptctl token create` again")
        .into()),
    }
}

/// The secret is data (stdout); the warning that it is shown once is
/// chatter (stderr), so `-q > file` captures only the secret.
fn print_created(ctx: &Context, token: &TokenInfo, secret: &str) -> anyhow::Result<()> {
    if ctx.out.is_json() {
        ctx.out.json(&Created { token, secret })?;
        return Ok(());
    }
    ctx.out.line(secret)?;
    ctx.out.chatter(format_args!(
        "created token {} ({}); the secret above is shown only this once",
        token.id, token.name
    ));
    Ok(())
}

async fn list_tokens(ctx: &Context, client: &ApiClient) -> anyhow::Result<()> {
    let tokens = client.list_tokens().await?.value;
    let mut writer: ListWriter<'_, TokenInfo> = ctx.out.list()?;
    writer.push_page(&tokens)?;
    writer.finish()?;
    Ok(())
}

async fn revoke_token(ctx: &Context, client: &ApiClient, id: &str) -> anyhow::Result<()> {
    let revoked = client.revoke_token(id).await?.value;
    match (&revoked, ctx.out.is_json()) {
        (Some(token), true) => ctx.out.json(token)?,
        (None, true) => ctx
            .out
            .json(&serde_json::json!({ "id": id, "revoked": true }))?,
        _ if ctx.out.quiet() => ctx.out.line(id)?,
        _ => ctx.out.chatter(format_args!("revoked token {id}")),
    }
    Ok(())
}
