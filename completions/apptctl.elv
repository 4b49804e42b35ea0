
use builtin;
use str;

set edit:completion:arg-completer[apptctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'apptctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'apptctl'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in and save the session for this server and profile'
            cand logout 'Log out: revoke the session and delete the saved credential'
            cand whoami 'Show the account and credential in use'
            cand token 'Manage automation tokens'
            cand list 'List records'
            cand show 'Show a record in full'
            cand cancel 'Cancel one or more records'
            cand cancel-batch 'Cancel many records from a file, stdin or filters'
            cand retry 'Re-run what failed in a batch'
            cand rebook 'Book a cancelled or expired record again (a new record)'
            cand reschedule 'Move an active record to another slot'
            cand slots 'List free slots of a service'
            cand history 'Show the server''s audit journal'
            cand journal 'Show local batch journals'
            cand notifications 'Show the account''s SMS and e-mail messages'
            cand doctor 'Check the server, the API version, TLS and the credential'
            cand completions 'Print a shell completion script'
            cand server 'Run the reference appointment service'
            cand generate-docs 'Write completions and man pages into a directory (for maintainers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;login'= {
            cand -u 'Account name'
            cand --username 'Account name'
            cand --code 'One-time code for a two-factor account (else APPTCTL_CODE, else a prompt)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --password-stdin 'Read the password from stdin instead of prompting'
            cand --with-token 'Read an automation token from stdin, check it and save it'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;logout'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;whoami'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;token'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a token and print its secret (shown once)'
            cand list 'List your tokens'
            cand revoke 'Revoke a token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;token;create'= {
            cand --name 'A name to recognise the token by'
            cand --scope 'What the token may do (repeat): records:read, records:cancel, records:rebook'
            cand --expires-in-days 'Lifetime in days, 1 to 365 [server default: 30]'
            cand --code 'One-time code for the confirmation (else APPTCTL_CODE, else a prompt)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;token;list'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;token;revoke'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;token;help'= {
            cand create 'Create a token and print its secret (shown once)'
            cand list 'List your tokens'
            cand revoke 'Revoke a token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;token;help;create'= {
        }
        &'apptctl;token;help;list'= {
        }
        &'apptctl;token;help;revoke'= {
        }
        &'apptctl;token;help;help'= {
        }
        &'apptctl;list'= {
            cand --status 'Only these statuses (repeat or comma-separate): pending, confirmed, in_progress, completed, rejected, cancelled, expired'
            cand --service 'Only this service (code)'
            cand --category 'Only this service category'
            cand --department 'Only this department (id)'
            cand --from 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)'
            cand --to 'Slots starting before the end of this date (YYYY-MM-DD or RFC 3339)'
            cand --search 'Text to find in the service name or record id'
            cand --limit 'At most this many records'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --all 'Every matching record, page by page'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;show'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;cancel'= {
            cand --reason 'Why: plans_changed, wrong_data, duplicate, personal_data_changed, other (needs --comment); managers also service_refused, technical_failure'
            cand --comment 'A comment for the office (required with --reason other)'
            cand --code 'The one-time code for a person''s session (or APPTCTL_CODE)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -y 'Do not ask for confirmation (required when not on a terminal)'
            cand --yes 'Do not ask for confirmation (required when not on a terminal)'
            cand --dry-run 'Show what would be cancelled and why not; change nothing'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;cancel-batch'= {
            cand -f 'Read record ids from this file, or from stdin with `-`'
            cand --file 'Read record ids from this file, or from stdin with `-`'
            cand --status 'Only these statuses (repeatable or comma-separated)'
            cand --service 'Only this service code'
            cand --category 'Only this service category'
            cand --department 'Only this department id'
            cand --from 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)'
            cand --to 'Slots starting on or before this date (YYYY-MM-DD or RFC 3339)'
            cand --search 'Free text matched against the service name and record id'
            cand --reason 'Why the records are cancelled'
            cand --comment 'A comment sent with each cancellation (required with --reason other)'
            cand --concurrency 'Requests in flight at once'
            cand --expect-count 'Abort before sending anything unless exactly N records are selected'
            cand --code 'The one-time code for a person''s session (or APPTCTL_CODE)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --all 'Select every visible record when no filter is given'
            cand --dry-run 'Show what would be cancelled and why not; change nothing'
            cand -y 'Do not ask for confirmation (required when not on a terminal)'
            cand --yes 'Do not ask for confirmation (required when not on a terminal)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;retry'= {
            cand --concurrency 'Requests in flight at once'
            cand --code 'The one-time code for a person''s session (or APPTCTL_CODE)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --all 'Also re-send failures that are not expected to succeed'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;rebook'= {
            cand --slot 'The slot to book, like S1042'
            cand --from 'With --first-free: not before this date (YYYY-MM-DD or RFC 3339)'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --first-free 'Take the first free slot of the same service and department'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;reschedule'= {
            cand --slot 'The new slot, like S1042'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;slots'= {
            cand --service 'Service code'
            cand --department 'Only this department (id)'
            cand --from 'Not before this date (YYYY-MM-DD or RFC 3339) [default: now]'
            cand --to 'Not after the end of this date (YYYY-MM-DD or RFC 3339)'
            cand --limit 'At most this many slots'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;history'= {
            cand --record 'Only entries about this record'
            cand --from 'Not before this date (YYYY-MM-DD or RFC 3339)'
            cand --to 'Not after the end of this date (YYYY-MM-DD or RFC 3339)'
            cand --limit 'At most this many entries'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --all 'Every entry, page by page'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;journal'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --errors 'Group failures by class and code'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;notifications'= {
            cand --limit 'At most this many messages'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;doctor'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;completions'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server'= {
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start-dev 'Start the reference service with demo data (development only)'
            cand start 'Start the service in production mode: no demo data, JSON logs'
            cand migrate 'Create or update a database''s schema, report what was applied, exit'
            cand create-account 'Create an account; the password is read from stdin'
            cand import-sqlite 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;server;start-dev'= {
            cand --addr 'Address to listen on; port 0 picks a free port (printed at start)'
            cand --db 'SQLite database file [default: a fresh temporary database]'
            cand --database-url 'PostgreSQL database instead of --db; migrated, and seeded when empty'
            cand --db-pool-size 'Most PostgreSQL connections this instance keeps open'
            cand --seed 'Seed data: demo accounts and records, or nothing'
            cand --records 'Extra records for the demo account (bulk work, benchmarks)'
            cand --otp-fixed 'Every one-time code equals CODE (dev and tests only)'
            cand --fault-rate 'Share of requests answered with an injected failure, 0.0 to 1.0'
            cand --latency 'Added latency per request, in milliseconds'
            cand --clock 'Start a manual clock at this instant (RFC 3339); dev and tests only'
            cand --rate-limit 'Requests per second per client before 429 [default: the server''s]'
            cand --cutoff-hours 'Hours before the start when cancelling stops [default: 24]'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server;start'= {
            cand --addr 'Address to listen on; port 0 picks a free port (printed at start)'
            cand --db 'SQLite database file, created and migrated by `apptctl server migrate`'
            cand --database-url 'PostgreSQL database, instead of --db: several instances may share it'
            cand --db-pool-size 'Most PostgreSQL connections this instance keeps open'
            cand --rate-limit 'Requests per second per client before 429 [default: 2000]'
            cand --cutoff-hours 'Hours before the start when cancelling stops [default: 24]'
            cand --request-timeout 'Longest a request may take before it is answered 503, in seconds'
            cand --body-limit 'Largest request body accepted, in bytes'
            cand --drain-timeout 'After SIGTERM or Ctrl-C, how long requests in flight may take to finish'
            cand --otp-fixed 'otp-fixed'
            cand --fault-rate 'fault-rate'
            cand --latency 'latency'
            cand --clock 'clock'
            cand --seed 'seed'
            cand --records 'records'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server;migrate'= {
            cand --db 'SQLite database file; created when it does not exist'
            cand --database-url 'PostgreSQL database, instead of --db: several instances may share it'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server;create-account'= {
            cand --db 'The migrated SQLite database file'
            cand --database-url 'PostgreSQL database, instead of --db: several instances may share it'
            cand --username 'The login name'
            cand --role 'What the account may see and do'
            cand --department 'A department a manager acts for (repeat for several)'
            cand --name 'The person''s full name [default: the username]'
            cand --phone 'Where one-time codes and notices go by SMS'
            cand --email 'Where one-time codes and notices go by e-mail'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand --no-two-factor 'Log in with the password alone (no one-time code); not for people'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server;import-sqlite'= {
            cand --db 'The SQLite database file to copy (left as it is)'
            cand --database-url 'The empty, migrated PostgreSQL database to copy into'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;server;help'= {
            cand start-dev 'Start the reference service with demo data (development only)'
            cand start 'Start the service in production mode: no demo data, JSON logs'
            cand migrate 'Create or update a database''s schema, report what was applied, exit'
            cand create-account 'Create an account; the password is read from stdin'
            cand import-sqlite 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;server;help;start-dev'= {
        }
        &'apptctl;server;help;start'= {
        }
        &'apptctl;server;help;migrate'= {
        }
        &'apptctl;server;help;create-account'= {
        }
        &'apptctl;server;help;import-sqlite'= {
        }
        &'apptctl;server;help;help'= {
        }
        &'apptctl;generate-docs'= {
            cand --out 'Directory that gets `completions/` and `man/`'
            cand --server 'Server URL [default: the profile''s, else http://127.0.0.1:8787]'
            cand --profile 'Profile in the config file (server and defaults)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Time limit per request, like 30s, 500ms or 2m'
            cand --retries 'Retries of a failed request (5xx, 429, timeouts, dropped connections)'
            cand -q 'Print ids only, one per line'
            cand --quiet 'Print ids only, one per line'
            cand -v 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --verbose 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
            cand --no-color 'No colour (also when NO_COLOR is set)'
            cand --insecure-http 'Allow sending a token over plain http to a host other than this machine'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'apptctl;help'= {
            cand login 'Log in and save the session for this server and profile'
            cand logout 'Log out: revoke the session and delete the saved credential'
            cand whoami 'Show the account and credential in use'
            cand token 'Manage automation tokens'
            cand list 'List records'
            cand show 'Show a record in full'
            cand cancel 'Cancel one or more records'
            cand cancel-batch 'Cancel many records from a file, stdin or filters'
            cand retry 'Re-run what failed in a batch'
            cand rebook 'Book a cancelled or expired record again (a new record)'
            cand reschedule 'Move an active record to another slot'
            cand slots 'List free slots of a service'
            cand history 'Show the server''s audit journal'
            cand journal 'Show local batch journals'
            cand notifications 'Show the account''s SMS and e-mail messages'
            cand doctor 'Check the server, the API version, TLS and the credential'
            cand completions 'Print a shell completion script'
            cand server 'Run the reference appointment service'
            cand generate-docs 'Write completions and man pages into a directory (for maintainers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'apptctl;help;login'= {
        }
        &'apptctl;help;logout'= {
        }
        &'apptctl;help;whoami'= {
        }
        &'apptctl;help;token'= {
            cand create 'Create a token and print its secret (shown once)'
            cand list 'List your tokens'
            cand revoke 'Revoke a token'
        }
        &'apptctl;help;token;create'= {
        }
        &'apptctl;help;token;list'= {
        }
        &'apptctl;help;token;revoke'= {
        }
        &'apptctl;help;list'= {
        }
        &'apptctl;help;show'= {
        }
        &'apptctl;help;cancel'= {
        }
        &'apptctl;help;cancel-batch'= {
        }
        &'apptctl;help;retry'= {
        }
        &'apptctl;help;rebook'= {
        }
        &'apptctl;help;reschedule'= {
        }
        &'apptctl;help;slots'= {
        }
        &'apptctl;help;history'= {
        }
        &'apptctl;help;journal'= {
        }
        &'apptctl;help;notifications'= {
        }
        &'apptctl;help;doctor'= {
        }
        &'apptctl;help;completions'= {
        }
        &'apptctl;help;server'= {
            cand start-dev 'Start the reference service with demo data (development only)'
            cand start 'Start the service in production mode: no demo data, JSON logs'
            cand migrate 'Create or update a database''s schema, report what was applied, exit'
            cand create-account 'Create an account; the password is read from stdin'
            cand import-sqlite 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
        }
        &'apptctl;help;server;start-dev'= {
        }
        &'apptctl;help;server;start'= {
        }
        &'apptctl;help;server;migrate'= {
        }
        &'apptctl;help;server;create-account'= {
        }
        &'apptctl;help;server;import-sqlite'= {
        }
        &'apptctl;help;generate-docs'= {
        }
        &'apptctl;help;help'= {
        }
    ]
    $completions[$command]
}
