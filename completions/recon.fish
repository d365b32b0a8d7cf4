function __recon_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __recon_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __recon_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __recon_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __recon_parse_tokens -S
    set -l unparsed_tokens (__recon_tokens -pc)
    switch $unparsed_tokens[1]
    case 'recon'
        __recon_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __recon_parse_subcommand 1 'as-of=' 'out=' 'archive=' 'audit=' 'repository=' 'wait=' 'log-level=' 'log-format=' 'fetch' 'allow-skew' 'fetch-dir=' 'quiet' 'dry-run' 'json' 'metrics-file=' 'version' 'h/help'
        case 'fetch'
            __recon_parse_subcommand 1 'as-of=' 'into=' 'input=+' 'wait=' 'allow-skew' 'quiet' 'json' 'version' 'h/help'
        case 'check'
            __recon_parse_subcommand 1 'as-of=' 'json' 'quiet' 'lines' 'version' 'h/help'
        case 'inspect'
            __recon_parse_subcommand 1 'job=' 'input=' 'as-of=' 'format=' 'venue=' 'account=' 'kind=' 'column=+' 'columns=' 'records=' 'balance-type=' 'delimiter=' 'decimal-separator=' 'thousands-separator=' 'negative-parentheses' 'currency-symbols' 'empty-is-zero' 'header' 'no-header' 'version' 'h/help'
        case 'formats'
            __recon_parse_subcommand 0 'version' 'h/help'
        case 'audit'
            __recon_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __recon_parse_subcommand 1 'checkpoint=' 'public-key=' 'repository=' 'version' 'h/help'
            case 'keygen'
                __recon_parse_subcommand 1 'version' 'h/help'
            end
        case 'replay'
            __recon_parse_subcommand 1 'audit=' 'archive=' 'inputs=' 'out=' 'repository=' 'version' 'h/help'
        case 'history'
            __recon_parse_subcommand 0 'repository=' 'job=' 'as-of=' 'since=' 'json' 'ids' 'version' 'h/help'
        case 'show'
            __recon_parse_subcommand 1 'repository=' 'job=' 'as-of=' 'all' 'json' 'version' 'h/help'
        case 'ack'
            __recon_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __recon_parse_subcommand 2 'job=' 'as-of=' 'reason=' 'by=' 'expires=' 'within=' 'version' 'h/help'
            case 'approve'
                __recon_parse_subcommand 1 'job=' 'as-of=' 'by=' 'line=' 'version' 'h/help'
            end
        case 'generate'
            __recon_parse_subcommand 1 'entries=' 'seed=' 'plain' 'level=' 'accounts=' 'statement-files=' 'version' 'h/help'
        case 'help'
            __recon_parse_subcommand -r 1 'version'
        end
    end
end

function __recon_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __recon_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __recon_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __recon_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__recon_tokens -p)
    if test -z "$(__recon_tokens -t)"
        set -l index (count (__recon_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'recon' -f
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'run' -d 'Run a reconciliation job.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'fetch' -d 'Fetch the job\'s statements from the venues\' APIs into its batch folder.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'check' -d 'Check a job without running it: read every input as a run would, print the plan, write nothing.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'inspect' -d 'Print the normalized balance records of one file, or of one input of a job, as JSON Lines.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'formats' -d 'List every format name for `format:` and --format, with what it reads.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'audit' -d 'Verify an audit file, or make a checkpoint signing key.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'replay' -d 'Re-run a recorded run with its recorded configuration and inputs, and compare the results.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'history' -d 'List recorded runs, newest first.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'show' -d 'Show one recorded run: its status, inputs with their hashes, reports and breaks.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'ack' -d 'Acknowledge a recorded break, or approve an acknowledgement (four eyes).'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'generate' -d 'Write a deterministic workload: ledger entries, statement balances with breaks, a job, the answer.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon run" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" as-of' -l 'as-of' -d 'Reconcile this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" out' -l 'out' -d 'Write reports to this directory (overrides report.dir and RECON_REPORT_DIR).' -rfa '(__recon_complete_directories)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" archive' -l 'archive' -d 'Store every input here by SHA-256 (overrides archive and RECON_ARCHIVE_DIR).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" audit' -l 'audit' -d 'Append to this audit file (overrides audit.path and RECON_AUDIT_FILE).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" repository' -l 'repository' -d 'Record the run in this SQLite repository (overrides repository and RECON_REPOSITORY).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" wait' -l 'wait' -d 'Wait up to this many seconds when the job is already running elsewhere.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka 'trace debug info notice warning error critical'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" log-format' -l 'log-format' -d 'Log format on stderr: text or json.' -rfka 'text json'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" fetch' -l 'fetch' -d 'Fetch the job\'s `fetch:` inputs from the venues first (like `recon fetch`), then run.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" allow-skew' -l 'allow-skew' -d 'With --fetch: fetch even when now is further from the cutoff than max_snapshot_skew.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" fetch-dir' -l 'fetch-dir' -d 'Read (and with --fetch, save) fetched inputs here (overrides fetch.dir and RECON_FETCH_DIR).' -rfa '(__recon_complete_directories)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" quiet' -l 'quiet' -d 'Print nothing on stdout.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" dry-run' -l 'dry-run' -d 'Do not run: check the job and print what a run would do, like `recon check`.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" json' -l 'json' -d 'Print the machine summary (JSON) instead of the table.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" metrics-file' -l 'metrics-file' -d 'Write Prometheus metrics here (atomically), for node_exporter\'s textfile collector; may use {as_of}.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon fetch" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" as-of' -l 'as-of' -d 'Fetch for this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" into' -l 'into' -d 'Save into this folder (overrides fetch.dir and RECON_FETCH_DIR; may use {as_of}).' -rfa '(__recon_complete_directories)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch"' -l 'input' -d 'Fetch only this input (repeatable); the batch keeps the others\' pages.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" wait' -l 'wait' -d 'Wait up to this many seconds when the job is running or fetching elsewhere.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" allow-skew' -l 'allow-skew' -d 'Fetch even when now is further from the cutoff than max_snapshot_skew (the lines then say when).'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" quiet' -l 'quiet' -d 'Print nothing on stdout.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" json' -l 'json' -d 'Print what was fetched as JSON.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon fetch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon check" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" as-of' -l 'as-of' -d 'Check this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" json' -l 'json' -d 'Print the plan as one JSON document.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" quiet' -l 'quiet' -d 'Print nothing on stdout (the exit status says ready or not).'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" lines' -l 'lines' -d 'List every line with its classification and the tolerance rule it would get.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon inspect" -eq 1' -F
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" job' -l 'job' -d 'Read an input of this job, as a run would (with --input).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" input' -l 'input' -d 'With --job: the input\'s name (or its 1-based position among the job\'s inputs).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" as-of' -l 'as-of' -d 'With --job: the business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" format' -l 'format' -d 'The format name (`recon formats` lists them); detected when omitted.' -rfka 'coinbase-advanced-accounts coinbase-exchange-accounts coinbase-exchange-statement coinbase-transactions dydx-subaccount kraken-ledgers kraken-balance binance-account ccxt-balance camt053 camt052 csv json xml'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" venue' -l 'venue' -d 'The venue for every record.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" account' -l 'account' -d 'The account for every record that names none.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" kind' -l 'kind' -d 'entries (summed per key) or balances (one per key); formats that are one kind set it.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect"' -l 'column' -d 'Map a field: ROLE=NAME, ROLE one of venue, account, asset, amount, available, hold, time, date.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" columns' -l 'columns' -d 'Map several fields at once: ROLE=NAME,ROLE=NAME (as --column).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" records' -l 'records' -d 'For generic JSON/XML: the path of one record.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" balance-type' -l 'balance-type' -d 'For camt: which balance type is the balance (CLBD, OPBD, CLAV, …).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" delimiter' -l 'delimiter' -d 'CSV: the field delimiter (one character; \\t for a tab).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" decimal-separator' -l 'decimal-separator' -d 'CSV: the decimal separator, . or ,' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" thousands-separator' -l 'thousands-separator' -d 'CSV: the thousands separator (, . \' or a space).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" negative-parentheses' -l 'negative-parentheses' -d 'CSV: (12.00) means -12.00.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" currency-symbols' -l 'currency-symbols' -d 'CSV: skip a leading currency symbol ($ € £ ¥ ₿).'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" empty-is-zero' -l 'empty-is-zero' -d 'CSV: an empty amount cell is zero.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" header' -l 'header' -d 'CSV: whether the first line names the columns.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" no-header' -l 'no-header' -d 'CSV: whether the first line names the columns.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon formats" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon formats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon audit" -eq 1' -fa 'verify' -d 'Check an audit file\'s hash chain, checkpoints and signatures; exit 0 when intact.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon audit" -eq 1' -fa 'keygen' -d 'Write a new Ed25519 checkpoint signing key to FILE and print its public key.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon audit verify" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'jsonl\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit verify" checkpoint' -l 'checkpoint' -d 'A checkpoint file kept elsewhere (checkpoint.json from a report directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit verify" public-key' -l 'public-key' -d 'A file with the Ed25519 public key (base64 or hex) that signs checkpoints.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit verify" repository' -l 'repository' -d 'A run repository: every completion it recorded in this file must still be there.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'sqlite\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit keygen" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon audit keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon replay" -eq 1' -fka '(recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" audit' -l 'audit' -d 'The audit file that recorded the run.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'jsonl\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" archive' -l 'archive' -d 'The input archive (inputs by SHA-256).' -rfa '(__recon_complete_directories)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" inputs' -l 'inputs' -d 'A directory holding the inputs at their recorded paths.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" out' -l 'out' -d 'Write the replay\'s reports here.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" repository' -l 'repository' -d 'The run repository holding the recorded lines (for a line-by-line diff).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon replay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" repository' -l 'repository' -d 'The run repository (SQLite).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'sqlite\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" job' -l 'job' -d 'A job file (its repository, and only its runs), or a job name to list only that job\'s runs.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" as-of' -l 'as-of' -d 'With --job: the business day its paths name (for a repository path with {as_of}).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" since' -l 'since' -d 'Only runs as of this day (YYYY-MM-DD) or later.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" json' -l 'json' -d 'Print the runs as a JSON array.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" ids' -l 'ids' -d 'Print only the run ids, one per line (for scripts and completion).'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon show" -eq 1' -fka '(recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" repository' -l 'repository' -d 'The run repository (SQLite).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'sqlite\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" job' -l 'job' -d 'A job file (its repository, and only its runs), or a job name to list only that job\'s runs.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" as-of' -l 'as-of' -d 'With --job: the business day its paths name (for a repository path with {as_of}).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" all' -l 'all' -d 'List every line, not only the breaks.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" json' -l 'json' -d 'Print the run as a JSON object.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon ack" -eq 1' -fa 'add' -d 'Acknowledge a break recorded in a run (its exact difference is copied from the run).'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon ack" -eq 1' -fa 'approve' -d 'Approve the acknowledgement of a key that waits for approval (never your own).'
complete -c 'recon' -n '__recon_should_offer_completions_for_positional "recon ack add" -eq 1' -fka '(recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null)'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" job' -l 'job' -d 'The job file (its `acknowledgements:`, repository and audit file).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" as-of' -l 'as-of' -d 'The business day, for a dated job whose paths name it.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" reason' -l 'reason' -d 'Why the difference is expected (a ticket reference helps).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" by' -l 'by' -d 'Who acknowledges it.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" expires' -l 'expires' -d 'The last as-of day it explains (YYYY-MM-DD).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" within' -l 'within' -d 'Also explain a difference this close to the recorded one (an exact decimal).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" job' -l 'job' -d 'The job file (its `acknowledgements:`, repository and audit file).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" as-of' -l 'as-of' -d 'The business day, for a dated job whose paths name it.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" by' -l 'by' -d 'Who approves it (not its author).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" line' -l 'line' -d 'The entry\'s line in the file, when several of the key wait for approval.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon ack approve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" entries' -l 'entries' -d 'How many ledger entries.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" seed' -l 'seed' -d 'The random seed.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" plain' -l 'plain' -d 'Write the ledger uncompressed.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" level' -l 'level' -d 'zlib compression level for the ledger (1–9).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" accounts' -l 'accounts' -d 'Accounts per venue (keys = 6 venues × accounts × 20 assets).' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" statement-files' -l 'statement-files' -d 'Split the statement balances into this many files, each its own input.' -rfka ''
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" version' -l 'version' -d 'Show the version.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon generate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'recon' -n '__recon_should_offer_completions_for_flags_or_options "recon help" version' -l 'version' -d 'Show the version.'
