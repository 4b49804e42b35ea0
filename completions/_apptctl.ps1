
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'apptctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'apptctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'apptctl' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in and save the session for this server and profile')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the session and delete the saved credential')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the account and credential in use')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Manage automation tokens')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List records')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a record in full')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel one or more records')
            [CompletionResult]::new('cancel-batch', 'cancel-batch', [CompletionResultType]::ParameterValue, 'Cancel many records from a file, stdin or filters')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-run what failed in a batch')
            [CompletionResult]::new('rebook', 'rebook', [CompletionResultType]::ParameterValue, 'Book a cancelled or expired record again (a new record)')
            [CompletionResult]::new('reschedule', 'reschedule', [CompletionResultType]::ParameterValue, 'Move an active record to another slot')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'List free slots of a service')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the server''s audit journal')
            [CompletionResult]::new('journal', 'journal', [CompletionResultType]::ParameterValue, 'Show local batch journals')
            [CompletionResult]::new('notifications', 'notifications', [CompletionResultType]::ParameterValue, 'Show the account''s SMS and e-mail messages')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the server, the API version, TLS and the credential')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the reference appointment service')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write completions and man pages into a directory (for maintainers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;login' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Account name')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Account name')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'One-time code for a two-factor account (else APPTCTL_CODE, else a prompt)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from stdin instead of prompting')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read an automation token from stdin, check it and save it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;logout' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;whoami' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;token' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print its secret (shown once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tokens')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;token;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name to recognise the token by')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What the token may do (repeat): records:read, records:cancel, records:rebook')
            [CompletionResult]::new('--expires-in-days', '--expires-in-days', [CompletionResultType]::ParameterName, 'Lifetime in days, 1 to 365 [server default: 30]')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'One-time code for the confirmation (else APPTCTL_CODE, else a prompt)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;token;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;token;revoke' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print its secret (shown once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tokens')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;token;help;create' {
            break
        }
        'apptctl;token;help;list' {
            break
        }
        'apptctl;token;help;revoke' {
            break
        }
        'apptctl;token;help;help' {
            break
        }
        'apptctl;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only these statuses (repeat or comma-separate): pending, confirmed, in_progress, completed, rejected, cancelled, expired')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service (code)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this service category')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Only this department (id)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Slots starting before the end of this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Text to find in the service name or record id')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many records')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every matching record, page by page')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;show' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;cancel' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: plans_changed, wrong_data, duplicate, personal_data_changed, other (needs --comment); managers also service_refused, technical_failure')
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'A comment for the office (required with --reason other)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The one-time code for a person''s session (or APPTCTL_CODE)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not on a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be cancelled and why not; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;cancel-batch' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read record ids from this file, or from stdin with `-`')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read record ids from this file, or from stdin with `-`')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only these statuses (repeatable or comma-separated)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service code')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this service category')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Only this department id')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Slots starting on or before this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Free text matched against the service name and record id')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the records are cancelled')
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'A comment sent with each cancellation (required with --reason other)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--expect-count', '--expect-count', [CompletionResultType]::ParameterName, 'Abort before sending anything unless exactly N records are selected')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The one-time code for a person''s session (or APPTCTL_CODE)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select every visible record when no filter is given')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be cancelled and why not; change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not on a terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;retry' {
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The one-time code for a person''s session (or APPTCTL_CODE)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also re-send failures that are not expected to succeed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;rebook' {
            [CompletionResult]::new('--slot', '--slot', [CompletionResultType]::ParameterName, 'The slot to book, like S1042')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'With --first-free: not before this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--first-free', '--first-free', [CompletionResultType]::ParameterName, 'Take the first free slot of the same service and department')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;reschedule' {
            [CompletionResult]::new('--slot', '--slot', [CompletionResultType]::ParameterName, 'The new slot, like S1042')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;slots' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Service code')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Only this department (id)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Not before this date (YYYY-MM-DD or RFC 3339) [default: now]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Not after the end of this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many slots')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;history' {
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Only entries about this record')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Not before this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Not after the end of this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many entries')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every entry, page by page')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;journal' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--errors', '--errors', [CompletionResultType]::ParameterName, 'Group failures by class and code')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;notifications' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many messages')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;doctor' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;completions' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start-dev', 'start-dev', [CompletionResultType]::ParameterValue, 'Start the reference service with demo data (development only)')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the service in production mode: no demo data, JSON logs')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create or update a database''s schema, report what was applied, exit')
            [CompletionResult]::new('create-account', 'create-account', [CompletionResultType]::ParameterValue, 'Create an account; the password is read from stdin')
            [CompletionResult]::new('import-sqlite', 'import-sqlite', [CompletionResultType]::ParameterValue, 'Copy an SQLite database into an empty PostgreSQL one, to run several instances')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;server;start-dev' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on; port 0 picks a free port (printed at start)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: a fresh temporary database]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL database instead of --db; migrated, and seeded when empty')
            [CompletionResult]::new('--db-pool-size', '--db-pool-size', [CompletionResultType]::ParameterName, 'Most PostgreSQL connections this instance keeps open')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed data: demo accounts and records, or nothing')
            [CompletionResult]::new('--records', '--records', [CompletionResultType]::ParameterName, 'Extra records for the demo account (bulk work, benchmarks)')
            [CompletionResult]::new('--otp-fixed', '--otp-fixed', [CompletionResultType]::ParameterName, 'Every one-time code equals CODE (dev and tests only)')
            [CompletionResult]::new('--fault-rate', '--fault-rate', [CompletionResultType]::ParameterName, 'Share of requests answered with an injected failure, 0.0 to 1.0')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Added latency per request, in milliseconds')
            [CompletionResult]::new('--clock', '--clock', [CompletionResultType]::ParameterName, 'Start a manual clock at this instant (RFC 3339); dev and tests only')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Requests per second per client before 429 [default: the server''s]')
            [CompletionResult]::new('--cutoff-hours', '--cutoff-hours', [CompletionResultType]::ParameterName, 'Hours before the start when cancelling stops [default: 24]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server;start' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on; port 0 picks a free port (printed at start)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file, created and migrated by `apptctl server migrate`')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL database, instead of --db: several instances may share it')
            [CompletionResult]::new('--db-pool-size', '--db-pool-size', [CompletionResultType]::ParameterName, 'Most PostgreSQL connections this instance keeps open')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Requests per second per client before 429 [default: 2000]')
            [CompletionResult]::new('--cutoff-hours', '--cutoff-hours', [CompletionResultType]::ParameterName, 'Hours before the start when cancelling stops [default: 24]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Longest a request may take before it is answered 503, in seconds')
            [CompletionResult]::new('--body-limit', '--body-limit', [CompletionResultType]::ParameterName, 'Largest request body accepted, in bytes')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'After SIGTERM or Ctrl-C, how long requests in flight may take to finish')
            [CompletionResult]::new('--otp-fixed', '--otp-fixed', [CompletionResultType]::ParameterName, 'otp-fixed')
            [CompletionResult]::new('--fault-rate', '--fault-rate', [CompletionResultType]::ParameterName, 'fault-rate')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'latency')
            [CompletionResult]::new('--clock', '--clock', [CompletionResultType]::ParameterName, 'clock')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'seed')
            [CompletionResult]::new('--records', '--records', [CompletionResultType]::ParameterName, 'records')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server;migrate' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file; created when it does not exist')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL database, instead of --db: several instances may share it')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server;create-account' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The migrated SQLite database file')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL database, instead of --db: several instances may share it')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'The login name')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What the account may see and do')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'A department a manager acts for (repeat for several)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The person''s full name [default: the username]')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'Where one-time codes and notices go by SMS')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Where one-time codes and notices go by e-mail')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('--no-two-factor', '--no-two-factor', [CompletionResultType]::ParameterName, 'Log in with the password alone (no one-time code); not for people')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server;import-sqlite' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file to copy (left as it is)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'The empty, migrated PostgreSQL database to copy into')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;server;help' {
            [CompletionResult]::new('start-dev', 'start-dev', [CompletionResultType]::ParameterValue, 'Start the reference service with demo data (development only)')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the service in production mode: no demo data, JSON logs')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create or update a database''s schema, report what was applied, exit')
            [CompletionResult]::new('create-account', 'create-account', [CompletionResultType]::ParameterValue, 'Create an account; the password is read from stdin')
            [CompletionResult]::new('import-sqlite', 'import-sqlite', [CompletionResultType]::ParameterValue, 'Copy an SQLite database into an empty PostgreSQL one, to run several instances')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;server;help;start-dev' {
            break
        }
        'apptctl;server;help;start' {
            break
        }
        'apptctl;server;help;migrate' {
            break
        }
        'apptctl;server;help;create-account' {
            break
        }
        'apptctl;server;help;import-sqlite' {
            break
        }
        'apptctl;server;help;help' {
            break
        }
        'apptctl;generate-docs' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory that gets `completions/` and `man/`')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:8787]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file (server and defaults)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per request, like 30s, 500ms or 2m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (5xx, 429, timeouts, dropped connections)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print ids only, one per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP on stderr (secrets redacted); repeat for bodies')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure-http', '--insecure-http', [CompletionResultType]::ParameterName, 'Allow sending a token over plain http to a host other than this machine')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'apptctl;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in and save the session for this server and profile')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the session and delete the saved credential')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the account and credential in use')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Manage automation tokens')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List records')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a record in full')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel one or more records')
            [CompletionResult]::new('cancel-batch', 'cancel-batch', [CompletionResultType]::ParameterValue, 'Cancel many records from a file, stdin or filters')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-run what failed in a batch')
            [CompletionResult]::new('rebook', 'rebook', [CompletionResultType]::ParameterValue, 'Book a cancelled or expired record again (a new record)')
            [CompletionResult]::new('reschedule', 'reschedule', [CompletionResultType]::ParameterValue, 'Move an active record to another slot')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'List free slots of a service')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the server''s audit journal')
            [CompletionResult]::new('journal', 'journal', [CompletionResultType]::ParameterValue, 'Show local batch journals')
            [CompletionResult]::new('notifications', 'notifications', [CompletionResultType]::ParameterValue, 'Show the account''s SMS and e-mail messages')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the server, the API version, TLS and the credential')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the reference appointment service')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write completions and man pages into a directory (for maintainers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'apptctl;help;login' {
            break
        }
        'apptctl;help;logout' {
            break
        }
        'apptctl;help;whoami' {
            break
        }
        'apptctl;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print its secret (shown once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tokens')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token')
            break
        }
        'apptctl;help;token;create' {
            break
        }
        'apptctl;help;token;list' {
            break
        }
        'apptctl;help;token;revoke' {
            break
        }
        'apptctl;help;list' {
            break
        }
        'apptctl;help;show' {
            break
        }
        'apptctl;help;cancel' {
            break
        }
        'apptctl;help;cancel-batch' {
            break
        }
        'apptctl;help;retry' {
            break
        }
        'apptctl;help;rebook' {
            break
        }
        'apptctl;help;reschedule' {
            break
        }
        'apptctl;help;slots' {
            break
        }
        'apptctl;help;history' {
            break
        }
        'apptctl;help;journal' {
            break
        }
        'apptctl;help;notifications' {
            break
        }
        'apptctl;help;doctor' {
            break
        }
        'apptctl;help;completions' {
            break
        }
        'apptctl;help;server' {
            [CompletionResult]::new('start-dev', 'start-dev', [CompletionResultType]::ParameterValue, 'Start the reference service with demo data (development only)')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the service in production mode: no demo data, JSON logs')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create or update a database''s schema, report what was applied, exit')
            [CompletionResult]::new('create-account', 'create-account', [CompletionResultType]::ParameterValue, 'Create an account; the password is read from stdin')
            [CompletionResult]::new('import-sqlite', 'import-sqlite', [CompletionResultType]::ParameterValue, 'Copy an SQLite database into an empty PostgreSQL one, to run several instances')
            break
        }
        'apptctl;help;server;start-dev' {
            break
        }
        'apptctl;help;server;start' {
            break
        }
        'apptctl;help;server;migrate' {
            break
        }
        'apptctl;help;server;create-account' {
            break
        }
        'apptctl;help;server;import-sqlite' {
            break
        }
        'apptctl;help;generate-docs' {
            break
        }
        'apptctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
