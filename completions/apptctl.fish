# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_apptctl_global_optspecs
    string join \n server= profile= o/output= q/quiet v/verbose no-color timeout= retries= insecure-http h/help V/version
end

function __fish_apptctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_apptctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_apptctl_using_subcommand
    set -l cmd (__fish_apptctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c apptctl -n "__fish_apptctl_needs_command" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_needs_command" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_needs_command" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_needs_command" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_needs_command" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_needs_command" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_needs_command" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_needs_command" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_needs_command" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "login" -d 'Log in and save the session for this server and profile'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "logout" -d 'Log out: revoke the session and delete the saved credential'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "whoami" -d 'Show the account and credential in use'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "token" -d 'Manage automation tokens'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "list" -d 'List records'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "show" -d 'Show a record in full'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "cancel" -d 'Cancel one or more records'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "cancel-batch" -d 'Cancel many records from a file, stdin or filters'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "retry" -d 'Re-run what failed in a batch'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "rebook" -d 'Book a cancelled or expired record again (a new record)'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "reschedule" -d 'Move an active record to another slot'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "slots" -d 'List free slots of a service'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "history" -d 'Show the server\'s audit journal'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "journal" -d 'Show local batch journals'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "notifications" -d 'Show the account\'s SMS and e-mail messages'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "doctor" -d 'Check the server, the API version, TLS and the credential'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "server" -d 'Run the reference appointment service'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "generate-docs" -d 'Write completions and man pages into a directory (for maintainers)'
complete -c apptctl -n "__fish_apptctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s u -l username -d 'Account name' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l code -d 'One-time code for a two-factor account (else APPTCTL_CODE, else a prompt)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l password-stdin -d 'Read the password from stdin instead of prompting'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l with-token -d 'Read an automation token from stdin, check it and save it'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand login" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand logout" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Create a token and print its secret (shown once)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'List your tokens'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke a token'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l name -d 'A name to recognise the token by' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l scope -d 'What the token may do (repeat): records:read, records:cancel, records:rebook' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l expires-in-days -d 'Lifetime in days, 1 to 365 [server default: 30]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l code -d 'One-time code for the confirmation (else APPTCTL_CODE, else a prompt)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a token and print its secret (shown once)'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list" -d 'List your tokens'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a token'
complete -c apptctl -n "__fish_apptctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l status -d 'Only these statuses (repeat or comma-separate): pending, confirmed, in_progress, completed, rejected, cancelled, expired' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l service -d 'Only this service (code)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l category -d 'Only this service category' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l department -d 'Only this department (id)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l from -d 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l to -d 'Slots starting before the end of this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l search -d 'Text to find in the service name or record id' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l limit -d 'At most this many records' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l all -d 'Every matching record, page by page'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l reason -d 'Why: plans_changed, wrong_data, duplicate, personal_data_changed, other (needs --comment); managers also service_refused, technical_failure' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l comment -d 'A comment for the office (required with --reason other)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l code -d 'The one-time code for a person\'s session (or APPTCTL_CODE)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s y -l yes -d 'Do not ask for confirmation (required when not on a terminal)'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l dry-run -d 'Show what would be cancelled and why not; change nothing'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s f -l file -d 'Read record ids from this file, or from stdin with `-`' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l status -d 'Only these statuses (repeatable or comma-separated)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l service -d 'Only this service code' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l category -d 'Only this service category' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l department -d 'Only this department id' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l from -d 'Slots starting on or after this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l to -d 'Slots starting on or before this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l search -d 'Free text matched against the service name and record id' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l reason -d 'Why the records are cancelled' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l comment -d 'A comment sent with each cancellation (required with --reason other)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l concurrency -d 'Requests in flight at once' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l expect-count -d 'Abort before sending anything unless exactly N records are selected' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l code -d 'The one-time code for a person\'s session (or APPTCTL_CODE)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l all -d 'Select every visible record when no filter is given'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l dry-run -d 'Show what would be cancelled and why not; change nothing'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s y -l yes -d 'Do not ask for confirmation (required when not on a terminal)'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand cancel-batch" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l concurrency -d 'Requests in flight at once' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l code -d 'The one-time code for a person\'s session (or APPTCTL_CODE)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l all -d 'Also re-send failures that are not expected to succeed'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand retry" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l slot -d 'The slot to book, like S1042' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l from -d 'With --first-free: not before this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l first-free -d 'Take the first free slot of the same service and department'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand rebook" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l slot -d 'The new slot, like S1042' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand reschedule" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l service -d 'Service code' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l department -d 'Only this department (id)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l from -d 'Not before this date (YYYY-MM-DD or RFC 3339) [default: now]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l to -d 'Not after the end of this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l limit -d 'At most this many slots' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand slots" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l record -d 'Only entries about this record' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l from -d 'Not before this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l to -d 'Not after the end of this date (YYYY-MM-DD or RFC 3339)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l limit -d 'At most this many entries' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l all -d 'Every entry, page by page'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand history" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l errors -d 'Group failures by class and code'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand journal" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l limit -d 'At most this many messages' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand notifications" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "start-dev" -d 'Start the reference service with demo data (development only)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "start" -d 'Start the service in production mode: no demo data, JSON logs'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "migrate" -d 'Create or update a database\'s schema, report what was applied, exit'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "create-account" -d 'Create an account; the password is read from stdin'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "import-sqlite" -d 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and not __fish_seen_subcommand_from start-dev start migrate create-account import-sqlite help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l addr -d 'Address to listen on; port 0 picks a free port (printed at start)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l db -d 'SQLite database file [default: a fresh temporary database]' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l database-url -d 'PostgreSQL database instead of --db; migrated, and seeded when empty' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l db-pool-size -d 'Most PostgreSQL connections this instance keeps open' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l seed -d 'Seed data: demo accounts and records, or nothing' -r -f -a "demo\t''
none\t''"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l records -d 'Extra records for the demo account (bulk work, benchmarks)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l otp-fixed -d 'Every one-time code equals CODE (dev and tests only)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l fault-rate -d 'Share of requests answered with an injected failure, 0.0 to 1.0' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l latency -d 'Added latency per request, in milliseconds' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l clock -d 'Start a manual clock at this instant (RFC 3339); dev and tests only' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l rate-limit -d 'Requests per second per client before 429 [default: the server\'s]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l cutoff-hours -d 'Hours before the start when cancelling stops [default: 24]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start-dev" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l addr -d 'Address to listen on; port 0 picks a free port (printed at start)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l db -d 'SQLite database file, created and migrated by `apptctl server migrate`' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l database-url -d 'PostgreSQL database, instead of --db: several instances may share it' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l db-pool-size -d 'Most PostgreSQL connections this instance keeps open' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l rate-limit -d 'Requests per second per client before 429 [default: 2000]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l cutoff-hours -d 'Hours before the start when cancelling stops [default: 24]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l request-timeout -d 'Longest a request may take before it is answered 503, in seconds' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l body-limit -d 'Largest request body accepted, in bytes' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l drain-timeout -d 'After SIGTERM or Ctrl-C, how long requests in flight may take to finish' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l otp-fixed -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l fault-rate -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l latency -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l clock -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l seed -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l records -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l db -d 'SQLite database file; created when it does not exist' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l database-url -d 'PostgreSQL database, instead of --db: several instances may share it' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l db -d 'The migrated SQLite database file' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l database-url -d 'PostgreSQL database, instead of --db: several instances may share it' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l username -d 'The login name' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l role -d 'What the account may see and do' -r -f -a "applicant\t''
manager\t''"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l department -d 'A department a manager acts for (repeat for several)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l name -d 'The person\'s full name [default: the username]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l phone -d 'Where one-time codes and notices go by SMS' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l email -d 'Where one-time codes and notices go by e-mail' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l no-two-factor -d 'Log in with the password alone (no one-time code); not for people'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from create-account" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l db -d 'The SQLite database file to copy (left as it is)' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l database-url -d 'The empty, migrated PostgreSQL database to copy into' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from import-sqlite" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "start-dev" -d 'Start the reference service with demo data (development only)'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the service in production mode: no demo data, JSON logs'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Create or update a database\'s schema, report what was applied, exit'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "create-account" -d 'Create an account; the password is read from stdin'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "import-sqlite" -d 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
complete -c apptctl -n "__fish_apptctl_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l out -d 'Directory that gets `completions/` and `man/`' -r -F
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:8787]' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l profile -d 'Profile in the config file (server and defaults)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -s o -l output -d 'Output format' -r -f -a "table\t'A table on a terminal; tab-separated text on a pipe'
json\t'One JSON document (lists are arrays)'
ndjson\t'One JSON object per line, streamed'
csv\t'Comma-separated values with a header row'"
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l timeout -d 'Time limit per request, like 30s, 500ms or 2m' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l retries -d 'Retries of a failed request (5xx, 429, timeouts, dropped connections)' -r
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -s q -l quiet -d 'Print ids only, one per line'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -s v -l verbose -d 'Trace HTTP on stderr (secrets redacted); repeat for bodies'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l no-color -d 'No colour (also when NO_COLOR is set)'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -l insecure-http -d 'Allow sending a token over plain http to a host other than this machine'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c apptctl -n "__fish_apptctl_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "login" -d 'Log in and save the session for this server and profile'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "logout" -d 'Log out: revoke the session and delete the saved credential'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "whoami" -d 'Show the account and credential in use'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "token" -d 'Manage automation tokens'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "list" -d 'List records'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "show" -d 'Show a record in full'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "cancel" -d 'Cancel one or more records'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "cancel-batch" -d 'Cancel many records from a file, stdin or filters'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "retry" -d 'Re-run what failed in a batch'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "rebook" -d 'Book a cancelled or expired record again (a new record)'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "reschedule" -d 'Move an active record to another slot'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "slots" -d 'List free slots of a service'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "history" -d 'Show the server\'s audit journal'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "journal" -d 'Show local batch journals'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "notifications" -d 'Show the account\'s SMS and e-mail messages'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "doctor" -d 'Check the server, the API version, TLS and the credential'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "server" -d 'Run the reference appointment service'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "generate-docs" -d 'Write completions and man pages into a directory (for maintainers)'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami token list show cancel cancel-batch retry rebook reschedule slots history journal notifications doctor completions server generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create a token and print its secret (shown once)'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list" -d 'List your tokens'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "start-dev" -d 'Start the reference service with demo data (development only)'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "start" -d 'Start the service in production mode: no demo data, JSON logs'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "migrate" -d 'Create or update a database\'s schema, report what was applied, exit'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "create-account" -d 'Create an account; the password is read from stdin'
complete -c apptctl -n "__fish_apptctl_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "import-sqlite" -d 'Copy an SQLite database into an empty PostgreSQL one, to run several instances'
