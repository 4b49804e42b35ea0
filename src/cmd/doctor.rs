//! `apptctl doctor`: a smoke check for CI and for "why does it not work".
//! One line per check; the exit code is that of the first failing check's
//! class (network, auth, ...), 0 when all pass.

use std::time::Duration;

use apptctl_api::{ErrorClass, API_VERSION};
use serde::Serialize;

use crate::context::{Context, TokenSource};
use crate::error::CliError;
use crate::output::Tone;

const EXAMPLES: &str = "\
Examples:
  apptctl doctor
  APPTCTL_TOKEN=... apptctl doctor -o json   # in CI; non-zero exit on the first failure";

/// Check the server, the API version, TLS and the credential
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

/// One check's result; `-o json` prints the list of them.
#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<ErrorClass>,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            detail: detail.into(),
            class: None,
        }
    }

    fn fail(name: &'static str, class: ErrorClass, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            detail: detail.into(),
            class: Some(class),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    ok: bool,
    server: String,
    checks: &'a [Check],
}

pub async fn run(_args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let mut checks = server_checks(ctx).await?;
    let reachable = checks.first().is_some_and(|c| c.ok);
    if reachable {
        checks.extend(credential_checks(ctx).await?);
    }

    print(ctx, &checks)?;
    match checks.iter().find(|c| !c.ok) {
        None => Ok(()),
        Some(first) => {
            let failed = checks.iter().filter(|c| !c.ok).count();
            let class = first.class.unwrap_or(ErrorClass::Internal);
            Err(
                CliError::new(class, format!("{failed} of {} checks failed", checks.len()))
                    .with_hint(format!("first failure: {}: {}", first.name, first.detail))
                    .into(),
            )
        }
    }
}

/// Reachability, API version, TLS and round-trip time, from `/healthz`.
async fn server_checks(ctx: &Context) -> anyhow::Result<Vec<Check>> {
    let client = ctx.anonymous_client()?;
    let health = match client.health().await {
        Ok(reply) => reply,
        Err(err) => {
            let detail = format!("{} ({err})", ctx.server());
            return Ok(vec![Check::fail("server reachable", err.class(), detail)]);
        }
    };

    let mut checks = vec![Check::pass("server reachable", ctx.server().to_string())];
    let version = &health.value.api_version;
    checks.push(if version == API_VERSION {
        Check::pass(
            "api version",
            format!("{version} (server {})", health.value.server_version),
        )
    } else {
        let detail = format!("server speaks API {version}, this apptctl speaks {API_VERSION}");
        Check::fail("api version", ErrorClass::Internal, detail)
    });
    checks.push(match ctx.server().scheme() {
        "https" => Check::pass("tls", "certificate verified"),
        _ => Check::pass(
            "tls",
            "plain http (no TLS); fine for a local dev server only",
        ),
    });
    checks.push(Check::pass("round trip", rtt_text(health.elapsed)));
    Ok(checks)
}

/// Whether a token is at hand, whether the server accepts it, its scopes.
async fn credential_checks(ctx: &mut Context) -> anyhow::Result<Vec<Check>> {
    let source = match ctx.token_source() {
        Ok(source) => source,
        Err(err) => return Ok(vec![Check::fail("token present", err.class, err.message)]),
    };
    let origin = match &source {
        TokenSource::Env(_) => "APPTCTL_TOKEN".to_string(),
        TokenSource::Stored(credential) => format!("saved for profile {}", credential.profile),
        TokenSource::None => {
            let detail = "no token; run `apptctl login` or set APPTCTL_TOKEN";
            return Ok(vec![Check::fail("token present", ErrorClass::Auth, detail)]);
        }
    };

    let mut checks = vec![Check::pass("token present", origin)];
    checks.push(match ctx.client()?.me().await {
        Ok(reply) => {
            let me = reply.value;
            let scopes: Vec<&str> = me.scopes.iter().map(|s| s.as_str()).collect();
            Check::pass(
                "token valid",
                format!("{} (scopes: {})", me.username, scopes.join(", ")),
            )
        }
        Err(err) => Check::fail("token valid", err.class(), err.to_cli_error().message),
    });
    Ok(checks)
}

fn rtt_text(elapsed: Duration) -> String {
    format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
}

fn print(ctx: &Context, checks: &[Check]) -> anyhow::Result<()> {
    if ctx.out.is_json() {
        let ok = checks.iter().all(|c| c.ok);
        let report = Report {
            ok,
            server: ctx.server().to_string(),
            checks,
        };
        ctx.out.json(&report)?;
        return Ok(());
    }
    for check in checks {
        let mark = if check.ok {
            ctx.out.paint("ok  ", Tone::Good)
        } else {
            ctx.out.paint("FAIL", Tone::Bad)
        };
        ctx.out
            .line(format_args!("{mark} {}: {}", check.name, check.detail))?;
    }
    Ok(())
}
